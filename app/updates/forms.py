"""The product update form, used by the page and (through app/api) by the JSON API."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import User
from app.core.forms import Form, choices, optional_id
from app.regions.services import active_regions
from app.teams.services import pickable_teams
from app.updates.models import KINDS
from app.updates.services import UpdateInput, publishable_products


class UpdateForm(Form):
    # Any product id is taken here: the service says whether this person may publish about it.
    product_id = SelectField("Product", coerce=optional_id, validators=[InputRequired()], validate_choice=False)
    kind = SelectField("Kind", choices=choices(KINDS.items()), default="feature")
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    body = TextAreaField("What sales need to know", validators=[Length(max=10000)])
    region_id = SelectField("Region", coerce=optional_id, validators=[Optional()])
    audience_team_id = SelectField("Send to a team", coerce=optional_id, validators=[Optional()],
                                   validate_choice=False)
    audience_region_id = SelectField("Send to a region's sellers", coerce=optional_id, validators=[Optional()],
                                     validate_choice=False)
    requires_ack = BooleanField("Ask each seller it is sent to to acknowledge they read it")

    def __init__(self, actor: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.product_id.choices = choices([("", "— choose —")] + [(p.id, p.name) for p in publishable_products(actor)])
        regions = active_regions()
        self.region_id.choices = choices([("", "Every region")] + [(r.id, r.name) for r in regions])
        self.audience_region_id.choices = choices([("", "Every region")] + [(r.id, r.name) for r in regions])
        self.audience_team_id.choices = choices([("", "No team: the region's or every seller")]
                                                + [(t.id, f"{t.name} ({t.region.name})") for t in pickable_teams()])

    def to_input(self) -> UpdateInput:
        return UpdateInput(
            product_id=self.product_id.data or 0,
            kind=self.kind.data or "",
            title=self.title.data or "",
            body=self.body.data or "",
            region_id=self.region_id.data,
            requires_ack=bool(self.requires_ack.data),
            audience_region_id=self.audience_region_id.data,
            audience_team_id=self.audience_team_id.data,
        )
