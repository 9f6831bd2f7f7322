"""The feedback and triage forms, used by the pages and (through app/api) by the JSON API."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from wtforms import DateField, DecimalField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from app.accounts.models import User
from app.catalog.services import pickable_products
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.core.forms import MAX_MONEY, Finite, Form, IntegerField, choices, optional_id, record_id
from app.core.text import date_label
from app.customers.models import Customer
from app.extensions import db
from app.feedback.decisions import duplicate_candidates
from app.feedback.models import Feedback
from app.feedback.services import FeedbackInput
from app.milestones.models import Milestone
from app.projects.access import PICKER_LIMIT, my_campaigns
from app.projects.models import Project
from app.regions.services import active_regions
from workflows.feedback import CHANNELS, DECISIONS, KINDS
from workflows.milestone import MilestoneState


class FeedbackForm(Form):
    kind = SelectField("Kind", choices=choices(KINDS.items()), default="feature_request")
    title = StringField("In one line", validators=[DataRequired(), Length(max=160)])
    # The choices are checked by the service, so a wrong id gets the rule's own words.
    product_ids = SelectMultipleField("Products", coerce=record_id, validate_choice=False,
                                      validators=[DataRequired(message="Choose at least one product it is about.")])
    region_id = SelectField("Region", coerce=optional_id, validators=[InputRequired()])
    details = TextAreaField("What exactly was said", validators=[Length(max=8000)])
    # A name (an exact normalised match is that customer, else a new one is recorded on save), or the API's
    # customer_id; neither: the market said it.
    customer = StringField("Customer or prospect", validators=[Length(max=160)])
    customer_id = IntegerField(validators=[Optional(), NumberRange(min=1)])
    source_name = StringField("Who said it", validators=[Length(max=160)])
    channel = SelectField("How you heard it", choices=choices(CHANNELS.items()), default="call")
    revenue_at_stake = DecimalField("Revenue at stake", places=2,
                                    validators=[Optional(), Finite(), NumberRange(min=0, max=MAX_MONEY)])
    currency = StringField(
        "Currency", default="EUR",
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message="Use a three-letter code such as EUR.")],
    )
    project_id = SelectField("From campaign", coerce=optional_id, validate_choice=False, validators=[Optional()])
    commitment_id = SelectField("From commitment", coerce=optional_id, validate_choice=False,
                                validators=[Optional()])

    def __init__(self, user: User, *args: object, project_hint: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.product_ids.choices = choices(
            (p.id, p.name + (" (retired)" if p.status == "retired" else "")) for p in pickable_products()
        )
        self.region_id.choices = choices([("", "— choose —")] + [(r.id, r.name) for r in active_regions()])
        projects = my_campaigns(user, also=project_hint)
        self.project_id.choices = choices([("", "— none —")] + [(p.id, p.title) for p in projects])
        commitments = db.session.scalars(
            visible_commitments(user).join(Project)
            .where(Project.id.in_([p.id for p in projects]))
            .options(so.joinedload(Commitment.project), so.joinedload(Commitment.product),
                     so.joinedload(Commitment.region), so.contains_eager(Commitment.customer))
            .join(Commitment.customer).order_by(Project.title, Customer.name_key, Commitment.id).limit(PICKER_LIMIT)
        ).all()
        self.commitment_id.choices = choices(
            [("", "— none —")] + [(c.id, f"{c.project.title} · {c.title}") for c in commitments]
        )

    def to_input(self) -> FeedbackInput:
        return FeedbackInput(
            kind=self.kind.data or "",
            title=self.title.data or "",
            region_id=self.region_id.data or 0,
            product_ids=tuple(self.product_ids.data or ()),
            details=self.details.data or "",
            customer=self.customer.data or "",
            customer_id=self.customer_id.data,
            project_id=self.project_id.data,
            commitment_id=self.commitment_id.data,
            source_name=self.source_name.data or "",
            channel=self.channel.data or "",
            revenue_at_stake=self.revenue_at_stake.data,
            currency=self.currency.data or "EUR",
        )


class TriageForm(Form):
    """One decision: which, the answer the submitter reads, and what that decision names."""

    event = RadioField("Decision", choices=choices(DECISIONS.items()), validators=[InputRequired()])
    answer = TextAreaField("Answer for the person who filed it", validators=[Length(max=4000)])
    # Choices are offered for the page; the service checks any id (the API sends ids directly).
    milestone_id = SelectField("Delivered by milestone", coerce=optional_id, validate_choice=False,
                               validators=[Optional()])
    project_id = SelectField("…or by campaign", coerce=optional_id, validate_choice=False, validators=[Optional()])
    revisit_on = DateField("Look at it again on", validators=[Optional()])
    reason = TextAreaField("Why it is declined", validators=[Length(max=2000)])
    duplicate_of_id = SelectField("Repeats", coerce=optional_id, validate_choice=False, validators=[Optional()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, user: User, feedback: Feedback, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        projects = my_campaigns(user, open_only=True, also=feedback.project_id)
        milestones = db.session.scalars(
            sa.select(Milestone).where(Milestone.project_id.in_([p.id for p in projects]), Milestone.state == MilestoneState.OPEN)
            .options(so.joinedload(Milestone.project)).order_by(Milestone.due_date, Milestone.id).limit(PICKER_LIMIT)
        ).all() if projects else []
        self.milestone_id.choices = choices(
            [("", "— none —")]
            + [(m.id, f"{m.project.title} · {m.title} (due {date_label(m.due_date)})") for m in milestones]
        )
        self.project_id.choices = choices([("", "— none —")] + [(p.id, p.title) for p in projects])
        self.duplicate_of_id.choices = choices(
            [("", "— choose —")]
            + [(f.id, f"#{f.id} {f.title} ({f.state_label.lower()})") for f in duplicate_candidates(feedback)]
        )
