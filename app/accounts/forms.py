"""Sign-in, account administration and API-token forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.accounts.models import ROLE_LABELS, Role
from app.accounts.services import UserInput
from app.core.forms import Form, choices


def _strip(value: str | None) -> str | None:
    """Autofill and copy-paste bring stray spaces; an address never has them."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(Form):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")


class ForgotPasswordForm(Form):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new_password", message="The two passwords differ.")])


class CodeForm(Form):
    """The second step of signing in."""

    code = StringField("Code", validators=[DataRequired(), Length(max=40)],
                       description="The 6 digits your authenticator app shows, or one of your recovery codes.")
    trust = BooleanField("Trust this browser")


class EnableTwoFactorForm(Form):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=40)],
                       description="The 6 digits the app shows for Countersign once it has scanned the code.")


class ConfirmPasswordForm(Form):
    """A step that needs the password again (new recovery codes, turning two-factor off)."""

    current_password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])


class TwoFactorPolicyForm(Form):
    """One box per role: "everyone with this role must sign in with a code"."""

    def required_roles(self) -> set[Role]:
        return {role for role in Role if self[role.value].data}

    @classmethod
    def for_roles(cls, required: set[Role]) -> TwoFactorPolicyForm:
        return cls(data={role.value: role in required for role in Role})


for _role in Role:
    setattr(TwoFactorPolicyForm, _role.value, BooleanField(_role.label))


class UserForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))
    active = BooleanField("Active (may sign in)", default=True)
    sales_rep = BooleanField("Sells to customers (may record commitments)")
    password = PasswordField("Password", validators=[Optional(), Length(max=200)])

    def to_input(self) -> UserInput:
        return UserInput(
            email=self.email.data or "", name=self.name.data or "", role=Role(self.role.data),
            active=bool(self.active.data), sales_rep=bool(self.sales_rep.data),
        )


class TokenForm(Form):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)],
                       description="What is it for? e.g. “Reporting script”")
