"""The customer forms, used by the pages and (through app/api) by the JSON API."""

from __future__ import annotations

import sqlalchemy as sa
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.models import Role, User
from app.core import values
from app.core.forms import Form, IntegerField, choices, optional_id
from app.customers.models import DOMAIN_MAX, NAME_MAX, NOTES_MAX, Customer
from app.customers.services import CustomerInput, clean_domain, clean_name
from app.extensions import db
from app.regions.services import active_regions

#: At most this many people in the owner picker: those who sell, by name.
OWNER_CHOICES = 200


class CustomerForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    region_id = SelectField("Region", coerce=optional_id, validate_choice=False, validators=[Optional()])
    owner_id = SelectField("Owning seller", coerce=optional_id, validate_choice=False, validators=[Optional()])
    domain = StringField("Website", validators=[Length(max=DOMAIN_MAX)])
    notes = TextAreaField("Notes", validators=[Length(max=NOTES_MAX)])
    version = IntegerField(validators=[Optional()])

    def __init__(self, *args: object, customer: Customer | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        regions = list(active_regions())
        if customer is not None and customer.region is not None and customer.region not in regions:
            regions.append(customer.region)  # a region deactivated since stays on its customer
        self.region_id.choices = choices([("", "— none —")] + [(r.id, r.name) for r in regions])
        sellers = db.session.scalars(
            sa.select(User).where(User.active, sa.or_(User.role == Role.SALES_MANAGER, User.sales_rep))
            .order_by(User.name, User.id).limit(OWNER_CHOICES)).all()
        if customer is not None and customer.owner is not None and customer.owner not in sellers:
            sellers.append(customer.owner)
        self.owner_id.choices = choices([("", "— nobody —")] + [(u.id, u.name) for u in sellers])

    def validate_name(self, field: StringField) -> None:
        try:
            clean_name(field.data or "")
        except values.BadValue as bad:
            raise ValidationError(str(bad)) from None

    def validate_domain(self, field: StringField) -> None:
        try:
            clean_domain(field.data or "")
        except values.BadValue as bad:
            raise ValidationError(str(bad)) from None

    def to_input(self) -> CustomerInput:
        return CustomerInput(name=self.name.data or "", region_id=self.region_id.data, owner_id=self.owner_id.data,
                             domain=self.domain.data or "", notes=self.notes.data or "")


class MergeForm(Form):
    """Which customer is merged into the survivor (the page the form is on)."""

    duplicate_id = IntegerField("Merge this customer into it", validators=[DataRequired(), NumberRange(min=1)])
