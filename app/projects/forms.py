"""Campaign forms: launch/edit, lifecycle, actuals, spend, members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from wtforms import DateField, DecimalField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.accounts.models import Role, User
from app.accounts.services import active_users
from app.core import clock, values
from app.core.forms import MAX_MONEY, Finite, Form, IntegerField, NumberField, choices, money_validators, optional_int
from app.projects.models import Project, ProjectRole
from app.projects.services import ProjectInput
from app.regions.services import active_regions


class ProjectForm(Form):
    template = HiddenField()
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    goal_statement = TextAreaField("Goal statement", validators=[Length(max=2000)])
    goal_metric = StringField("Goal metric", validators=[DataRequired(), Length(max=120)])
    goal_unit = StringField("Unit", validators=[Length(max=20)])
    goal_baseline = NumberField("Baseline", default=0.0, validators=[Optional()])
    goal_target = NumberField("Target", validators=[InputRequired()])
    budget = DecimalField(
        "Budget", places=2, default=Decimal("0"), validators=[Optional(), Finite(), NumberRange(min=0, max=MAX_MONEY)]
    )
    currency = StringField(
        "Currency", default="EUR",
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message="Use a three-letter code such as EUR.")],
    )
    start_date = DateField("Start date", validators=[InputRequired()])
    end_date = DateField("End date", validators=[InputRequired()])
    region_ids = SelectMultipleField("Regions", coerce=int)
    project_manager_id = SelectField("Project manager", coerce=optional_int, validate_choice=True)
    product_manager_ids = SelectMultipleField("Product managers", coerce=int)
    member_ids = SelectMultipleField("Team members", coerce=int)
    version = IntegerField(validators=[Optional()])

    def __init__(self, *args: object, project: Project | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # People deactivated since they joined stay choosable on their campaign, so an edit keeps them.
        kept = [m.user for m in project.memberships if not m.user.active] if project is not None else []

        def people(role: Role | None) -> list[User]:
            return [*active_users(role), *(u for u in kept if role is None or u.role is role)]

        def label(user: User, with_role: bool = False) -> str:
            return user.name + (f" ({user.role_label})" if with_role else "") + ("" if user.active else " — deactivated")

        regions = [*active_regions(), *(r for r in (project.regions if project else []) if not r.active)]
        self.region_ids.choices = choices((r.id, r.name) for r in regions)
        self.project_manager_id.choices = choices(
            [("", "— not yet —")] + [(u.id, label(u)) for u in people(Role.PROJECT_MANAGER)]
        )
        self.product_manager_ids.choices = choices((u.id, label(u)) for u in people(Role.PRODUCT_MANAGER))
        self.member_ids.choices = choices((u.id, label(u, with_role=True)) for u in people(None))

    def validate_end_date(self, field: DateField) -> None:
        if self.start_date.data and field.data and (problem := values.campaign_dates_problem(self.start_date.data, field.data)):
            raise ValidationError(problem)

    def to_input(self) -> ProjectInput:
        return ProjectInput(
            title=self.title.data or "",
            goal_statement=self.goal_statement.data or "",
            goal_metric=self.goal_metric.data or "",
            goal_unit=self.goal_unit.data or "",
            goal_baseline=float(self.goal_baseline.data or 0.0),
            goal_target=float(self.goal_target.data if self.goal_target.data is not None else 0.0),
            budget=self.budget.data if self.budget.data is not None else Decimal("0"),
            currency=self.currency.data or "EUR",
            start_date=self.start_date.data or clock.today(),
            end_date=self.end_date.data or clock.today(),
            region_ids=tuple(self.region_ids.data or ()),
            project_manager_id=self.project_manager_id.data,
            product_manager_ids=tuple(self.product_manager_ids.data or ()),
            member_ids=tuple(self.member_ids.data or ()),
        )


class ActualForm(Form):
    value = NumberField("Value", validators=[InputRequired()])
    measured_on = DateField("Measured on", default=clock.today, validators=[Optional()], description="Empty: today.")
    note = StringField("Note", validators=[Length(max=500)])

    @property
    def day(self) -> date:
        return self.measured_on.data or clock.today()


class ExpenseForm(Form):
    amount = DecimalField("Amount", places=2, validators=money_validators(Decimal("0.01")))
    spent_on = DateField("Date", default=clock.today, validators=[Optional()], description="Empty: today.")
    description = StringField("What for", validators=[DataRequired(), Length(max=200)])

    @property
    def day(self) -> date:
        return self.spent_on.data or clock.today()


class MemberForm(Form):
    user_id = SelectField("Person", coerce=int)
    role = SelectField(
        "As", choices=choices([(ProjectRole.MEMBER.value, "Team member"), (ProjectRole.PRODUCT_MANAGER.value, "Product manager")])
    )

    def __init__(self, *args: object, exclude: set[int] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices(
            (u.id, f"{u.name} ({u.role_label})") for u in active_users() if u.id not in (exclude or set())
        )
