"""Form helpers shared by the pages and the JSON API (which validates with the same forms)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Field, FloatField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms import IntegerField as _WTFormsIntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation
from wtforms.widgets import Select

from app.core import values
from app.core.errors import InvalidInput, ServiceError
from app.core.widgets import ChecklistWidget

#: The largest amount a Numeric(14, 2) money column holds.
MAX_MONEY = Decimal("999999999999.99")


class _ValueRule:
    """Applies :mod:`app.core.values` to a bound field: first in its chain, so that a value
    outside the rule is refused with the rule's words before any other check reads it."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        self.check = check

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None or field.data == "":
            return
        try:
            field.data = self.check(field.data)
        except values.BadValue as error:
            raise StopValidation(str(error)) from None


def _rule_for(field: Field) -> _ValueRule | None:
    if isinstance(field, TextAreaField):
        return _ValueRule(lambda text: values.clean_text(text, multiline=True))
    if isinstance(field, StringField):  # also hidden, password, e-mail and search fields
        return _ValueRule(values.clean_text)
    if isinstance(field, DateField):
        return _ValueRule(values.check_day)
    if isinstance(field, FloatField):
        return _ValueRule(values.check_goal_number)
    return None


class Form(FlaskForm):
    """The base of every form: each field it binds gets the value rule of its kind
    (``app.core.values``), and a multiple choice drawn as a select is drawn as a checkbox list
    (``app.core.widgets``), so no form has to remember either and none can forget them."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: UnboundField, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)
            rule = _rule_for(field)
            if rule is not None:
                field.validators = [rule, *field.validators]
            # Only the drawing changes: the values posted, and their checks, are the select's.
            if isinstance(field, SelectMultipleField) and isinstance(field.widget, Select):
                field.widget = ChecklistWidget()
            return field


class IntegerField(_WTFormsIntegerField):
    """A whole number written as one: ASCII digits and an optional minus, at most 18 of them.

    WTForms' own field calls ``int()``, which also takes "٣", "1_000" and 400-digit numbers (and
    ``NumberRange`` then overflows converting those to a float).
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in (None, ""):
            return
        try:
            self.data = values.parse_whole_number(str(valuelist[0]))
        except values.BadValue as error:
            self.data = None
            raise ValueError(str(error)) from None


class Finite:
    """Refuse infinity and NaN ("Infinity", "nan", "sNaN" all parse as numbers) before any other check.

    For amounts (DecimalField); goal numbers (float fields) get finiteness from the value rule."""

    def __init__(self, message: str = "Enter a finite number.") -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        value = field.data
        if isinstance(value, Decimal) and not value.is_finite():
            raise StopValidation(self.message)
        if isinstance(value, float) and not math.isfinite(value):
            raise StopValidation(self.message)


def money_validators(minimum: Decimal) -> list[object]:
    return [InputRequired(), Finite(), NumberRange(min=minimum, max=MAX_MONEY)]


class NumberField(FloatField):
    """A float field that shows whole numbers as people write them: 50, not 50.0."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, float) and self.data.is_integer() and abs(self.data) < 1e15:
            return str(int(self.data))
        return "" if self.data is None else str(self.data)


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs, in the form WTForms 3.3+ wants."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


def optional_int(value: object) -> int | None:
    """Coerce a select's value: '' (the "none" choice) becomes None."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[call-overload]


def record_id(value: object) -> int:
    """Coerce an id; one no database key can hold (10**30, -1) is refused like any other non-number.

    For the fields whose choices the service checks (``validate_choice=False``): such an id would
    otherwise reach the database, which fails on it instead of finding nothing.
    """
    text = str(value)
    # Only plain ASCII digits: "²" is a digit to str.isdigit() but not to int(), and int() would
    # also take " 3", "+3" and "1_0", none of which an id is written as.
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"not an id: {text!r}")
    number = int(text)
    if number > values.MAX_ID:
        raise ValueError(f"not an id: {number}")
    return number


def optional_id(value: object) -> int | None:
    """Coerce a select of records: '' (the "none" choice) becomes None, anything else an id."""
    if value in (None, "", "None"):
        return None
    return record_id(value)


def json_to_formdata(payload: Mapping[str, Any]) -> MultiDict[str, str]:
    """Turn a JSON object into form data, so the API runs the very validators the pages run.

    Values become the strings a browser would send; a nested object is refused with the
    field named, rather than silently stringified.
    """
    data: MultiDict[str, str] = MultiDict()
    errors: dict[str, list[str]] = {}
    for key, value in payload.items():
        if isinstance(value, list):
            if any(isinstance(v, (dict, list)) for v in value):
                errors[key] = ["Expected a list of plain values."]
            for item in value:
                data.add(key, _scalar(item))
        elif isinstance(value, dict):
            errors[key] = ["Expected a plain value, not an object."]
        elif isinstance(value, bool):
            if value:
                data.add(key, "y")
        elif value is not None:
            data.add(key, _scalar(value))
        else:
            data.add(key, "")
    if errors:
        raise InvalidInput("Some fields have the wrong type.", errors)
    return data


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "y" if value else ""
    return str(value)


def place_field_errors(form: FlaskForm, error: ServiceError) -> list[str]:
    """Put a service's field errors beside the form's fields they name; return those of fields it lacks."""
    unplaced: list[str] = []
    for name, messages in error.fields.items():
        field = form._fields.get(name)
        if field is None:
            unplaced.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
    return unplaced


def show_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Put a service's field errors beside their fields, and the rest at the top of the form."""
    place_field_errors(form, error)
    if not any(name in form._fields for name in error.fields):
        form.form_errors.append(error.message)


class ReasonForm(Form):
    """Why something changes: a re-plan, a transition."""

    reason = TextAreaField("Reason", validators=[Length(max=1000)])


class TransitionForm(ReasonForm):
    """Fires one workflow event (of a campaign or a milestone), with a reason where one is asked."""

    event = HiddenField(validators=[DataRequired()])


class CsrfForm(Form):
    """A form of buttons only (remove, tick, move): it carries the CSRF token and nothing else."""
