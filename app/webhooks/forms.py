"""The form of a webhook endpoint (the pages and the JSON API validate with it alike)."""

from __future__ import annotations

from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.core.forms import Form, IntegerField, choices
from app.webhooks.catalogue import TYPES
from app.webhooks.models import URL_MAX
from app.webhooks.services import EndpointInput


class CheckboxList(SelectMultipleField):
    """A multiple choice drawn as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(Form):
    url = StringField("Endpoint URL", validators=[DataRequired("Give the address that receives the events."),
                                                  Length(max=URL_MAX)],
                      description="Where the events are POSTed, e.g. https://crm.example.com/hooks/countersign.")
    description = StringField("Description", validators=[Length(max=200)],
                              description="What receives them, e.g. “CRM sync”.")
    event_types = CheckboxList("Event types", choices=choices(TYPES.items()),
                               validators=[DataRequired("Choose at least one event type.")])
    active = BooleanField("Active", default=True,
                          description="Off: no new messages are written for it (the log and redelivery stay).")
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def data_for_service(self) -> EndpointInput:
        return EndpointInput(url=self.url.data or "", description=self.description.data or "",
                             event_types=tuple(self.event_types.data or ()), active=bool(self.active.data))
