"""Briefing forms: the briefing itself (with an optional deck), another deck, and the list's filters."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.accounts.models import User
from app.accounts.services import active_users
from app.briefings.models import Briefing
from app.briefings.services import MAX_DURATION_MINUTES, BriefingInput
from app.catalog.services import pickable_products
from app.core.forms import Form, IntegerField, choices, optional_id, record_id
from app.regions.services import active_regions, all_regions
from app.teams.services import pickable_teams


class BriefingForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    region_id = SelectField("Region", coerce=optional_id, validators=[InputRequired()])
    team_id = SelectField("Sales team", coerce=optional_id, validators=[Optional()], validate_choice=False)
    sales_team = StringField("Or the team's name", validators=[Length(max=120)])
    held_on = DateField("Held on", validators=[InputRequired()])
    duration_minutes = IntegerField("Duration (minutes)", default=60, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_DURATION_MINUTES, message="Between 1 and 1440 minutes (a day)."),
    ])
    presenter_id = SelectField("Presenter", coerce=optional_id, validators=[InputRequired()])
    # The choices are checked by the service, so a wrong id gets the rule's own words.
    product_ids = SelectMultipleField("Products", coerce=record_id, validate_choice=False)
    attendee_ids = SelectMultipleField("Attendees using Countersign", coerce=record_id, validate_choice=False)
    guest_names = TextAreaField("Other attendees", validators=[Length(max=8000)])
    key_points = TextAreaField("Key points", validators=[Length(max=8000)])
    notes = TextAreaField("Notes", validators=[Length(max=8000)])
    material_url = URLField("Link to material", validators=[Optional(), Length(max=500)])
    # Checked (by content, not by name alone) and stored by the service: see app/briefings/uploads.py.
    material = FileField("Deck")
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args: object, briefing: Briefing | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        regions = list(active_regions())
        people: list[User] = list(active_users())
        if briefing is not None:  # deactivated since: still shown on the briefing that names them
            regions += [briefing.region] if briefing.region not in regions else []
            people += [u for u in {briefing.presenter, *briefing.attendees} if u not in people]
        self.region_id.choices = choices([("", "— choose —")] + [(r.id, r.name) for r in regions])
        self.presenter_id.choices = choices(
            [("", "— choose —")] + [(u.id, u.name + ("" if u.active else " — deactivated")) for u in people])
        self.attendee_ids.choices = choices((u.id, f"{u.name} ({u.role_label.lower()})") for u in people)
        teams = list(pickable_teams())
        if briefing is not None and briefing.team is not None and briefing.team not in teams:
            teams.append(briefing.team)
        self.team_id.choices = choices([("", "— not a team on record —")]
                                       + [(t.id, f"{t.name} ({t.region.name})") for t in teams])
        self.product_ids.choices = choices((p.id, f"{p.name} ({p.status_label.lower()})") for p in pickable_products())

    def validate_product_ids(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError("Name at least one product the briefing was about.")

    def to_input(self) -> BriefingInput:
        assert self.held_on.data is not None  # InputRequired
        return BriefingInput(
            title=self.title.data or "",
            region_id=self.region_id.data or 0,
            sales_team=self.sales_team.data or "",
            team_id=self.team_id.data,
            held_on=self.held_on.data,
            duration_minutes=self.duration_minutes.data or 0,
            presenter_id=self.presenter_id.data or 0,
            product_ids=tuple(self.product_ids.data or ()),
            attendee_ids=tuple(self.attendee_ids.data or ()),
            guest_names=self.guest_names.data or "",
            key_points=self.key_points.data or "",
            notes=self.notes.data or "",
            material_url=self.material_url.data or "",
        )


class MaterialForm(Form):
    """Another deck for a briefing already logged."""

    material = FileField("Deck")


class FilterForm(Form):
    """The list's filters, read from the query string (no CSRF: it only reads)."""

    region = SelectField("Region", coerce=optional_id, validators=[Optional()], validate_choice=False)
    product = SelectField("Product", coerce=optional_id, validators=[Optional()], validate_choice=False)
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    class Meta:
        csrf = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = choices([("", "All regions")] + [(r.id, r.name) for r in all_regions()])
        self.product.choices = choices([("", "All products")] + [(p.id, p.name) for p in pickable_products()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range is before its start.")
