"""Shared form helpers: JSON to form data, numbers people can read, finite values only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.core.errors import InvalidInput
from app.core.forms import json_to_formdata
from app.projects.forms import ActualForm, ExpenseForm, ProjectForm


def test_json_becomes_the_strings_a_browser_would_send():
    data = json_to_formdata({"title": "X", "target": 5, "ids": [1, 2], "flag": True, "off": False, "none": None})
    assert data.getlist("ids") == ["1", "2"]
    assert (data["title"], data["target"], data["flag"], data["none"]) == ("X", "5", "y", "")
    assert "off" not in data


@pytest.mark.parametrize("payload", [{"title": {"a": 1}}, {"ids": [[1]]}, {"ids": [{"a": 1}]}])
def test_nested_json_names_the_field(payload):
    with pytest.raises(InvalidInput) as error:
        json_to_formdata(payload)
    assert list(error.value.fields) == list(payload)


def test_whole_numbers_show_without_a_decimal_point(app):
    with app.test_request_context():
        form = ProjectForm(data={"goal_baseline": 0.0, "goal_target": 50.0})
        assert 'value="0"' in form.goal_baseline() and 'value="50"' in form.goal_target()
        assert 'value="12.5"' in ActualForm(data={"value": 12.5}).value()
        typed = ActualForm(formdata=MultiDict({"value": "12.50"}))
        assert 'value="12.50"' in typed.value()  # what the person typed is shown back as typed


@pytest.mark.parametrize("value", ["Infinity", "-inf", "nan", "NaN"])
def test_numbers_must_be_finite(app, value):
    with app.test_request_context():
        form = ActualForm(formdata=MultiDict({"value": value}), meta={"csrf": False})
        assert not form.validate() and form.errors["value"] == ["Enter a finite number."]


@pytest.mark.parametrize(("amount", "ok"), [("sNaN", False), ("Infinity", False), ("1000000000000", False),
                                             ("999999999999.99", True), ("0.01", True), ("0", False)])
def test_amounts_fit_the_money_column(app, amount, ok):
    with app.test_request_context():
        form = ExpenseForm(formdata=MultiDict({"amount": amount, "description": "x"}), meta={"csrf": False})
        assert form.validate() is ok, form.errors
        if ok:
            assert form.amount.data == Decimal(amount)


def _all_form_classes() -> list[type]:
    from flask_wtf import FlaskForm

    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [cls for cls in found if cls.__module__.startswith("app.")]


def test_every_form_of_the_app_applies_the_value_rule(app):
    """A form that forgot the base class, or took WTForms' own IntegerField (int() takes "٣" and
    400-digit numbers), would let through what app/core/values.py refuses."""
    from wtforms import IntegerField as WTFormsIntegerField
    from wtforms.fields.core import UnboundField

    from app.core.forms import Form

    forms = _all_form_classes()
    assert len(forms) > 25
    assert [cls for cls in forms if not issubclass(cls, Form)] == []
    plain_integers = [
        f"{cls.__name__}.{name}" for cls in forms for name, value in vars(cls).items()
        if isinstance(value, UnboundField) and value.field_class is WTFormsIntegerField
    ]
    assert plain_integers == []


@pytest.mark.parametrize("data, field, message", [
    ({"value": "5", "note": "a\x00b"}, "note", "Remove the control character U+0000 (NUL) from this text."),
    ({"value": "5", "measured_on": "1969-12-31"}, "measured_on", "Pick a date between 1970 and 2200."),
    ({"value": "-1e13"}, "value", "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
    ({"value": "nan"}, "value", "Enter a finite number."),
])
def test_each_kind_of_field_gets_its_rule_first_in_its_chain(app, data, field, message):
    with app.test_request_context(method="POST", data=data):
        form = ActualForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors[field] == [message]
