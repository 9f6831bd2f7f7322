from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.core.forms import Form


class RegionForm(Form):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=16),
                            Regexp(r"^[A-Za-z0-9-]+$", message="Letters, digits and dashes only.")]
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    active = BooleanField("Active (offered on new campaigns)", default=True)
