"""Milestone and task forms."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.core import values
from app.core.forms import Form, IntegerField, NumberField, choices, optional_int
from app.milestones.services import MilestoneInput, TaskInput
from app.projects.models import Project


def _member_choices(project: Project) -> list[SelectChoice]:
    people = sorted((m.user for m in project.memberships if m.user.active), key=lambda u: u.name)
    return choices([("", "— nobody —")] + [(u.id, u.name) for u in people])


class MilestoneForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    due_date = DateField("Due date", validators=[InputRequired()])
    target_value = NumberField("Goal target due by then", validators=[Optional()])
    owner_id = SelectField("Owner", coerce=optional_int)
    description = TextAreaField("Description", validators=[Length(max=4000)])
    # Once the campaign is planned, a new date or target is a re-plan and needs a reason.
    reason = TextAreaField("Reason for the change", validators=[Length(max=1000)])
    version = IntegerField(validators=[Optional()])

    def __init__(self, project: Project, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.owner_id.choices = _member_choices(project)

    def validate_due_date(self, field: DateField) -> None:
        if field.data and (problem := values.campaign_day_problem(field.data, self.project.start_date,
                                                                  self.project.end_date)):
            raise ValidationError(problem)

    def to_input(self) -> MilestoneInput:
        assert self.due_date.data is not None  # guaranteed by InputRequired
        return MilestoneInput(
            title=self.title.data or "",
            due_date=self.due_date.data,
            description=self.description.data or "",
            target_value=self.target_value.data,
            owner_id=self.owner_id.data,
        )


class TaskForm(Form):
    title = StringField("Task", validators=[DataRequired(), Length(max=200)])
    assignee_id = SelectField("Assignee", coerce=optional_int)
    due_date = DateField("Due", validators=[Optional()])

    def __init__(self, project: Project, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.assignee_id.choices = _member_choices(project)

    def to_input(self) -> TaskInput:
        return TaskInput(title=self.title.data or "", assignee_id=self.assignee_id.data, due_date=self.due_date.data)
