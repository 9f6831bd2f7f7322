"""Catalog forms: a product's details, its price bands, marketing links and coverage per region."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateField, DecimalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import URLField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from app.accounts.models import Role, User
from app.accounts.services import active_users
from app.catalog.models import COVERAGE, PRODUCT_STATUSES, Product
from app.catalog.services import ProductInput
from app.core.forms import Form, IntegerField, choices, money_validators
from app.regions.services import active_regions

#: The coverage choices, "" first: nothing recorded (the catalog shows "Unknown").
COVERAGE_CHOICES = [("", "Unknown"), *COVERAGE.items()]


class ProductForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    status = SelectField("Status", choices=choices(PRODUCT_STATUSES.items()), default="planned")
    summary = TextAreaField("Summary", validators=[Length(max=300)])
    key_traits = TextAreaField("Key traits", validators=[Length(max=4000)])
    differences = TextAreaField("How it differs from the competition", validators=[Length(max=4000)])
    available_from = DateField("Generally available from", validators=[Optional()])
    currency = StringField(
        "Currency", default="EUR",
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message="Use a three-letter code such as EUR.")],
    )
    # The choices are checked below, so a wrong id gets the rule's own words, not "not a valid choice".
    owner_ids = SelectMultipleField("Product managers", coerce=int, validate_choice=False)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args: object, product: Product | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Owners deactivated since stay choosable on their product, so an edit keeps them.
        kept = [u for u in (product.owners if product is not None else []) if not u.active and u.role is Role.PRODUCT_MANAGER]
        people: list[User] = [*active_users(Role.PRODUCT_MANAGER), *kept]
        self.owner_ids.choices = choices(
            (u.id, u.name + ("" if u.active else " — deactivated")) for u in people
        )

    def validate_owner_ids(self, field: SelectMultipleField) -> None:
        allowed = {choice.value for choice in field.choices or []}  # type: ignore[union-attr]
        if any(owner_id not in allowed for owner_id in field.data or []):
            raise ValidationError("Owners must be active product managers.")

    def to_input(self) -> ProductInput:
        return ProductInput(
            name=self.name.data or "",
            status=self.status.data or "",
            summary=self.summary.data or "",
            key_traits=self.key_traits.data or "",
            differences=self.differences.data or "",
            available_from=self.available_from.data,
            currency=self.currency.data or "EUR",
            owner_ids=tuple(self.owner_ids.data or ()),
        )


class PriceBandForm(Form):
    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    list_price = DecimalField("List price", places=2, validators=money_validators(Decimal("0")))
    minimum_price = DecimalField("Minimum price", places=2, validators=money_validators(Decimal("0")))
    unit = StringField("Unit", default="per seat / month", validators=[Length(max=40)])


class LinkForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    url = URLField("Address", validators=[DataRequired(), Length(max=500)])


class CoverageForm(Form):
    region_id = SelectField("Region", coerce=int)
    status = SelectField("Status", choices=choices(COVERAGE_CHOICES), default="")
    reason = StringField("Why not", validators=[Length(max=300)])
    planned_from = DateField("Sellable from", validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.region_id.choices = choices((r.id, r.name) for r in active_regions())

