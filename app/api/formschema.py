"""JSON Schema of a request body from the WTForms class that validates it.

The API validates every form-shaped body with the page's own form (``app.api.validated``, through
``json_to_formdata``), so the document reads the same fields and validators: a field's type from
its class and its ``coerce``, *required* from InputRequired (or DataRequired without a default),
lengths from Length, bounds from NumberRange, the choices where they are written in the class
(choices filled per request, such as the people of one campaign, cannot be listed: their values are
just ids). The schema says what a well-behaved client sends; ``json_to_formdata`` is more lenient
(it takes ``"3"`` for ``3``), which a schema needs not advertise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.api.schemas import JsonSchema
from app.core import values
from app.core.forms import optional_id, optional_int, record_id
from app.core.values import MAX_ID

#: What DecimalField takes from JSON: a number, or its text (amounts are best sent as text: "1600.00").
_DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"
#: Coercions that read an id: a whole number within a database key.
_ID_COERCIONS = {record_id: False, optional_id: True}
#: Coercions that read a whole number; True where "" and null mean "none".
_INT_COERCIONS = {int: False, optional_int: True}


def form_fields(form_class: type[FlaskForm]) -> Iterator[Field]:
    """The form's fields, in their declared order, bound to nothing (no request, no choices filled in)."""
    unbound = [(name, value) for name in dir(form_class)
               if isinstance(value := getattr(form_class, name), UnboundField)]
    for name, field in sorted(unbound, key=lambda pair: pair[1].creation_counter):
        if not issubclass(field.field_class, FileField):  # decks are uploaded through the page
            yield field.bind(form=None, name=name, _meta=DefaultMeta())


def is_required(field: Field) -> bool:
    validators = field.validators
    if any(isinstance(v, InputRequired) for v in validators):
        return True
    return any(isinstance(v, DataRequired) for v in validators) and not field.default


def field_schema(field: Field) -> JsonSchema:
    schema = _typed(field)
    for validator in field.validators:
        if isinstance(validator, Length):
            if validator.max is not None and validator.max >= 0:
                schema["maxLength"] = validator.max
            if validator.min is not None and validator.min > 0:
                schema["minLength"] = validator.min
        elif isinstance(validator, NumberRange):
            if validator.min is not None:
                schema["minimum"] = _number(validator.min)
            if validator.max is not None:
                schema["maximum"] = _number(validator.max)
        elif isinstance(validator, Regexp):
            schema["pattern"] = validator.regex.pattern
        elif isinstance(validator, DataRequired) and schema.get("type") == "string":
            schema["pattern"] = schema.get("pattern", r"\S")  # DataRequired refuses blank text
        elif isinstance(validator, DataRequired) and schema.get("type") == "array":
            schema["minItems"] = 1
    if any(isinstance(v, Optional) for v in field.validators) and "type" in schema:
        schema = _nullable(schema)
    label = getattr(field.label, "text", "")
    description = ": ".join(part for part in (label, str(field.description or "")) if part)
    if isinstance(field, DateField):
        description += f" ({values.EARLIEST.isoformat()} to {values.LATEST.isoformat()})"
    if description:
        schema["description"] = description
    default = field.default() if callable(field.default) else field.default
    if default is not None and not callable(field.default) and isinstance(default, str | int | float | bool):
        schema["default"] = default
    return schema


def form_schema(form_class: type[FlaskForm], partial: bool = False,
                optional: frozenset[str] = frozenset(), exclude: frozenset[str] = frozenset()) -> JsonSchema:
    """The body ``form_class`` validates; ``partial``: a PATCH, where every field may be left out
    (the record's values stand in for them)."""
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    for field in form_fields(form_class):
        if field.name in exclude:
            continue
        properties[field.name] = field_schema(field)
        if not partial and field.name not in optional and is_required(field):
            required.append(field.name)
    return {"type": "object", "properties": properties, "required": required}


def _typed(field: Field) -> JsonSchema:
    if isinstance(field, SelectMultipleField):
        # A list of values; json_to_formdata also takes a lone value for a list of one.
        return {"type": "array", "items": _choice(field)}
    if isinstance(field, SelectField):
        return _choice(field)
    if isinstance(field, BooleanField):
        return {"type": "boolean"}
    # The value rule (app/core/values.py), as far as a schema can say it; NumberRange narrows it further.
    if isinstance(field, DateField):
        return {"type": "string", "format": "date"}  # its range is in the description (no keyword says it)
    if isinstance(field, DecimalField):
        return {"type": ["string", "number"], "pattern": _DECIMAL_TEXT}
    if isinstance(field, IntegerField):
        return {"type": "integer", "minimum": -values.WHOLE_LIMIT, "maximum": values.WHOLE_LIMIT}
    if isinstance(field, FloatField):
        return {"type": "number", "minimum": -values.GOAL_LIMIT, "maximum": values.GOAL_LIMIT}
    if isinstance(field, StringField):
        pattern = values.LINES_PATTERN if isinstance(field, TextAreaField) else values.LINE_PATTERN
        return {"type": "string", "allOf": [{"pattern": pattern}]}
    return {"type": "string"}


def _choice(field: SelectField) -> JsonSchema:
    coerce = field.coerce
    if coerce in _ID_COERCIONS:
        schema: JsonSchema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        nullable = _ID_COERCIONS[coerce]
    elif coerce in _INT_COERCIONS:
        schema, nullable = {"type": "integer"}, _INT_COERCIONS[coerce]
    else:
        schema, nullable = {"type": "string"}, False
    values = _static_values(field)
    if values is not None:
        if "" in values or None in values:
            nullable = True
        kept = [v for v in values if v not in ("", None)]
        schema["enum"] = [coerce(v) if coerce is not str else v for v in kept]
        if "" in values and coerce is str:
            schema["enum"].append("")  # a select's "none" choice, sent as ""
            nullable = False
    return _nullable(schema) if nullable else schema


def _static_values(field: SelectField) -> list[Any] | None:
    """The values of choices written in the class, or None when they are filled in per request."""
    raw = field.choices
    if not raw:
        return None
    if isinstance(raw, dict):  # {optgroup: [choices]}
        raw = [choice for group in raw.values() for choice in group]
    return [choice[0] if isinstance(choice, tuple) else choice.value for choice in raw]


def _nullable(schema: JsonSchema) -> JsonSchema:
    kind = schema["type"]
    kinds = kind if isinstance(kind, list) else [kind]
    schema = {**schema, "type": [*kinds, "null"] if "null" not in kinds else kinds}
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number
