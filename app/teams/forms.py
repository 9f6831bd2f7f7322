"""Team forms: a team, adding members, and a seller's place; used by the pages and (through app/api) the JSON API."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.forms import Form, choices, optional_id, record_id
from app.regions.services import active_regions
from app.teams.models import Team
from app.teams.services import pickable_teams


class TeamForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    region_id = SelectField("Region", coerce=optional_id, validators=[InputRequired()])

    def __init__(self, *args: object, team: Team | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        regions = list(active_regions())
        if team is not None and team.region not in regions:  # deactivated since: still its region
            regions.append(team.region)
        self.region_id.choices = choices([("", "— choose —")] + [(r.id, r.name) for r in regions])


class MembersForm(Form):
    """Sellers to add to a team; the service checks each id (an active seller), so any id is taken here."""

    user_ids = SelectMultipleField("Sellers", coerce=record_id, validate_choice=False)


class PlacementForm(Form):
    """Where a seller stands: a team (its region comes with it), or a region alone, or neither."""

    region_id = SelectField("Region", coerce=optional_id, validators=[Optional()], validate_choice=False)
    team_id = SelectField("Team", coerce=optional_id, validators=[Optional()], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.region_id.choices = choices([("", "— none —")] + [(r.id, r.name) for r in active_regions()])
        self.team_id.choices = choices([("", "— no team —")]
                                       + [(t.id, f"{t.name} ({t.region.name})") for t in pickable_teams()])
