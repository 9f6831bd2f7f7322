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
