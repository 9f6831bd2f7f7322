"""The commitment form, used by the pages and (through app/api) by the JSON API."""

from __future__ import annotations

import sqlalchemy as sa
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.catalog.models import PriceBand, Product
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput, region_choices
from app.core import values
from app.core.forms import MAX_MONEY, Finite, Form, IntegerField, choices, optional_int
from app.core.text import date_label
from app.customers.models import Customer
from app.extensions import db
from app.projects.models import Project
from workflows.milestone import MilestoneState


class CommitmentForm(Form):
    # A name (an exact normalised match is that customer, else a new one is recorded on save), or the API's
    # customer_id; the service says when neither names one.
    customer = StringField("Customer account", validators=[Length(max=160)])
    customer_id = IntegerField(validators=[Optional(), NumberRange(min=1)])
    product_id = SelectField("Product", coerce=optional_int, validators=[InputRequired()])
    # The service checks the region (the campaign's, or the one the commitment keeps) and names the choices.
    region_id = SelectField("Region", coerce=optional_int, validators=[InputRequired()], validate_choice=False)
    promise = TextAreaField("What was promised", validators=[DataRequired(), Length(max=4000)])
    promised_date = DateField("Promised for", validators=[InputRequired()])
    band_id = SelectField("Price band", coerce=optional_int, validators=[Optional()])
    unit_price = DecimalField("Unit price", places=2, validators=[Optional(), Finite(), NumberRange(min=0, max=MAX_MONEY)])
    discount_percent = DecimalField("Discount %", places=2, validators=[Optional(), Finite(), NumberRange(min=0, max=100)])
    quantity = IntegerField("Quantity", default=1, validators=[Optional(), NumberRange(min=1, max=10_000_000)])
    milestone_id = SelectField("Delivered by milestone", coerce=optional_int, validators=[Optional()])
    # Only when changing countersigned terms: why (the product manager countersigns again).
    reason = TextAreaField("Why the terms change", validators=[Length(max=1000)])
    version = IntegerField(validators=[Optional()])

    def __init__(self, project: Project, *args: object, commitment: Commitment | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        if isinstance(self.customer.data, Customer):  # filled from the commitment: its customer's name
            self.customer.data = self.customer.data.name
        if not self.customer_id.raw_data:
            # Only an id sent picks the customer; the one the commitment has would otherwise win over a name typed.
            self.customer_id.data = None
        products = db.session.scalars(sa.select(Product).order_by(Product.name)).all()
        # The campaign's regions (the service refuses others); a region dropped since stays on its commitment.
        regions = region_choices(project, commitment)
        bands = db.session.scalars(sa.select(PriceBand).join(Product).order_by(Product.name, PriceBand.list_price, PriceBand.id)).all()
        self.product_id.choices = choices(
            [("", "— choose —")] + [(p.id, f"{p.name} ({p.status_label.lower()})") for p in products]
        )
        self.region_id.choices = choices([("", "— choose —")] + [(r.id, r.name) for r in regions])
        # Each band names its product, so the page can offer only the chosen product's bands.
        self.band_id.choices = [SelectChoice("", "— none —")] + [
            SelectChoice(b.id, f"{b.product.name} · {b.tier}: list {b.list_price:,.2f}, min {b.minimum_price:,.2f} "
                               f"{b.product.currency}", render_kw={"data-product": str(b.product_id)})
            for b in bands
        ]
        # A milestone cancelled since stays choosable on the commitment that links it, so edits keep working.
        linked = commitment.milestone_id if commitment is not None else None
        self.milestone_id.choices = choices(
            [("", "— none —")]
            + [(m.id, f"{m.title} (due {date_label(m.due_date)}{', cancelled' if m.state == MilestoneState.CANCELLED else ''})")
               for m in project.milestones if m.state != MilestoneState.CANCELLED or m.id == linked]
        )

    def validate_promised_date(self, field: DateField) -> None:
        if field.data and (problem := values.campaign_day_problem(field.data, self.project.start_date,
                                                                  self.project.end_date, before_start=False)):
            raise ValidationError(problem)

    def to_input(self) -> CommitmentInput:
        assert self.promised_date.data is not None  # guaranteed by InputRequired
        return CommitmentInput(
            customer=self.customer.data or "",
            customer_id=self.customer_id.data,
            product_id=self.product_id.data or 0,
            region_id=self.region_id.data or 0,
            promise=self.promise.data or "",
            promised_date=self.promised_date.data,
            unit_price=self.unit_price.data,
            discount_percent=self.discount_percent.data if self.discount_percent.data is not None else None,
            quantity=self.quantity.data or 1,
            band_id=self.band_id.data,
            milestone_id=self.milestone_id.data,
        )


class DecisionForm(Form):
    """A sign-off step: the event, a reason or note, and (to override blockers) a written justification."""

    event = StringField(validators=[DataRequired()])
    reason = TextAreaField("Note", validators=[Length(max=2000)])
    justification = TextAreaField("Justification for overriding the blockers", validators=[Length(max=2000)])
