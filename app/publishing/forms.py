"""The admins' form for a new publishing token."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.core.forms import Form


class PublishingTokenForm(Form):
    name = StringField("Who reads with it", validators=[DataRequired(), Length(max=80)],
                       description="The system that will show the catalog, e.g. “Intranet” or “Salesforce widget”.")
