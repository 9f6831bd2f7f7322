"""The import's forms: the file, and which column holds which field (pages and API alike)."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import SelectField

from app.core.forms import Form, choices
from app.imports import mapping as columns
from app.imports.models import ImportRun
from app.imports.services import MappingInput

NOT_IN_FILE = ("", "— not in the file —")


class UploadForm(Form):
    file = FileField("CSV file")


def _column_field(field: columns.Field) -> SelectField:
    # The choices are the file's headers, filled per run; the service checks the value against them.
    return SelectField(field.label + (" *" if field.required else ""), choices=choices([NOT_IN_FILE]), validate_choice=False, description=field.hint)


class MappingForm(Form):
    """One select per field of a deal, offering the file's headers; the date format and decimal mark."""

    date_format = SelectField("Dates in the file", choices=choices(columns.DATE_FORMATS.items()))
    decimal_mark = SelectField("Numbers in the file", choices=choices(columns.DECIMAL_MARKS.items()))

    def __init__(self, *args: Any, run: ImportRun | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if run is not None:
            for name in columns.FIELD_NAMES:
                self[name].choices = choices([NOT_IN_FILE, *((h, h) for h in run.headers)])

    def column_fields(self) -> list[Any]:
        return [self[name] for name in columns.FIELD_NAMES]

    def to_input(self) -> MappingInput:
        return MappingInput({name: self[name].data or "" for name in columns.FIELD_NAMES},
                            self.date_format.data or "", self.decimal_mark.data or "")


for _field in columns.FIELDS:
    setattr(MappingForm, _field.name, _column_field(_field))
