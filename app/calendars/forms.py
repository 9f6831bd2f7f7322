"""The form that creates a calendar link (the pages and the JSON API validate with it alike)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts.models import User
from app.calendars import services
from app.calendars.services import ALARMS, FeedInput
from app.core.forms import Form, choices, optional_id, optional_int

#: What each calendar holds, as the form explains it.
KIND_HINTS = {
    "mine": "The due dates of every milestone and task of the campaigns you belong to.",
    "project": "One campaign: its milestones, its start and end, and the dates promised to its customers.",
    "signoff": "The commitments waiting for your countersignature, on their promised dates, with how long each has waited.",
    "promises": "The dates you promised customers, with the ones at risk marked.",
}


class CalendarLinkForm(Form):
    name = StringField("Name", validators=[DataRequired("Name the link."), Length(max=80)],
                       description="Where you will use it, e.g. “Work calendar on my phone”.")
    kind = RadioField("Calendar", validators=[DataRequired("Choose a calendar.")])
    project_id = SelectField("Campaign", coerce=optional_id, validate_choice=False,
                             description="For a campaign calendar: which campaign.")
    only_mine = BooleanField("Only my milestones and tasks",
                             description="The milestones you own and the tasks given to you; leave it unticked "
                                         "for everything on your campaigns.")
    alarm_minutes = SelectField(
        "Alert", coerce=optional_int, choices=choices(("" if k is None else k, v) for k, v in ALARMS.items()),
        description="Apple Calendar and Thunderbird show it; Google and Outlook use their own alert settings.",
    )

    def __init__(self, *args: Any, user: User, project_hint: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(services.available_kinds(user).items())
        self.project_id.choices = choices(
            [("", "Choose a campaign…"),
             *((p.id, p.title) for p in services.subscribable_projects(user, also=project_hint))]
        )

    def data_for_service(self) -> FeedInput:
        return FeedInput(
            name=self.name.data or "", kind=self.kind.data or "", project_id=self.project_id.data,
            only_mine=bool(self.only_mine.data), alarm_minutes=self.alarm_minutes.data,
        )
