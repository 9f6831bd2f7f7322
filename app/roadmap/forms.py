"""Roadmap forms: the re-plan of several milestones at once (one reason for all), baselines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import DateField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from app.core.forms import Form, IntegerField, NumberField
from app.milestones.models import Milestone
from app.roadmap.services import MilestoneEdit
from workflows.milestone import MilestoneState


def open_milestones(milestones: Sequence[Milestone]) -> list[Milestone]:
    """What a re-plan may move: neither done nor cancelled, in roadmap order."""
    return [m for m in milestones if m.state == MilestoneState.OPEN]


class ReplanForm(Form):
    """A due date, a target and the version seen, per open milestone; one reason for them all.

    The per-milestone fields are named ``due_<id>``, ``target_<id>`` and ``version_<id>``, as
    the re-plan service names them in its errors, so a refusal lands beside its field.
    """

    reason = TextAreaField("Reason for the re-plan", validators=[Length(max=1000)])

    milestones: list[Milestone]

    @classmethod
    def build(cls, milestones: Sequence[Milestone], *args: Any, **kwargs: Any) -> ReplanForm:
        """A form with fields for ``milestones``, each defaulting to what it says now."""

        class Bound(cls):  # type: ignore[valid-type,misc]
            pass

        for m in milestones:
            setattr(Bound, f"due_{m.id}", DateField(
                f"New due date of “{m.title}”", default=m.due_date,
                validators=[InputRequired("Pick a date.")],
            ))
            setattr(Bound, f"target_{m.id}", NumberField(
                f"New target of “{m.title}”", default=m.target_value, validators=[Optional()],
            ))
            setattr(Bound, f"version_{m.id}", IntegerField(
                default=m.version, widget=HiddenInput(), validators=[InputRequired()],
            ))
        form: ReplanForm = Bound(*args, **kwargs)
        form.milestones = list(milestones)
        return form

    def fields_of(self, milestone: Milestone) -> tuple[Field, Field, Field]:
        return (self[f"due_{milestone.id}"], self[f"target_{milestone.id}"], self[f"version_{milestone.id}"])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if any(self.fields_of(m)[2].errors for m in self.milestones):
            self.form_errors.append("The form is out of date: reload the page and make your changes again.")
        return valid

    def edits(self) -> list[MilestoneEdit]:
        """The new dates and targets, for the re-plan service (which ignores the unchanged ones)."""
        found = []
        for m in self.milestones:
            due, target, version = self.fields_of(m)
            assert due.data is not None and version.data is not None  # guaranteed by InputRequired
            found.append(MilestoneEdit(m.id, due.data, target.data, version.data))
        return found


class BaselineForm(Form):
    name = StringField("Baseline name", validators=[DataRequired("Name the baseline."), Length(max=120)])


class RemoveMilestoneForm(Form):
    """Removing a milestone from the roadmap: once the campaign is planned, with a reason."""

    reason = TextAreaField("Reason", validators=[Length(max=1000)])
