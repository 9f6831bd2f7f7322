"""``flask users create|list|set-password|two-factor-off``."""

from __future__ import annotations

import sys

import click

from app.accounts import services, twofactor
from app.accounts.models import ROLE_LABELS, Role
from app.core.errors import ServiceError
from app.extensions import db

ROLE_CHOICES = click.Choice([r.value for r in Role])


@click.group(help="Manage user accounts.")
def users() -> None:
    pass


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICES, required=True, help="admin, sales_manager, project_manager, product_manager or team_member.")
@click.option("--name", default="", help="Display name (defaults to the part of the email before @).")
@click.option("--sales-rep", is_flag=True, help="A team member who sells: may record customer commitments.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def create(email: str, role: str, name: str, sales_rep: bool, password_stdin: bool) -> None:
    """Create an account. The password is prompted for (or read from stdin), never an argument."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(
            None,
            services.UserInput(email=email, name=name or email.split("@")[0], role=Role(role), sales_rep=sales_rep),
            password,
        )
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        for field, messages in error.fields.items():
            click.echo(f"error: {field}: {' '.join(messages)}", err=True)
        raise click.exceptions.Exit(2) from None
    click.echo(f"Created {user.email} ({ROLE_LABELS[user.role]}).")


@users.command("list")
def list_() -> None:
    """List accounts: email, role, active, last sign-in."""
    rows = services.list_users()
    if not rows:
        click.echo("No accounts yet. Create one with: flask users create EMAIL --role admin")
        return
    width = max(len(u.email) for u in rows)
    for user in rows:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        state = "active" if user.active else "inactive"
        role = ROLE_LABELS[user.role] + (", sells" if user.sales_rep else "")
        click.echo(f"{user.email:<{width}}  {role:<23}  {state:<8}  last sign-in {last}")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for an account; it signs them out everywhere and revokes their API tokens."""
    user = services.find_by_email(email)
    if user is None:
        click.echo(f"error: no account with email {email}", err=True)
        raise click.exceptions.Exit(1)
    password = _read_password(password_stdin)
    if problems := services.check_password_rules(password, email=user.email, name=user.name):
        click.echo(f"error: password: {' '.join(problems)}", err=True)
        raise click.exceptions.Exit(2)
    services.set_password(None, user, password)
    db.session.commit()
    click.echo(f"Password of {user.email} changed: every session of theirs has ended and their API tokens are revoked.")


@users.command("two-factor-off")
@click.argument("email")
def two_factor_off(email: str) -> None:
    """Turn off two-factor sign-in for someone who lost their phone and recovery codes (an admin
    locked out too): it signs them out everywhere; they sign in with their password alone, and set
    it up again if their role requires it."""
    user = services.find_by_email(email)
    if user is None:
        click.echo(f"error: no account with email {email}", err=True)
        raise click.exceptions.Exit(1)
    if not twofactor.is_on(user):
        click.echo(f"{user.email} does not use two-factor sign-in: nothing to do.")
        return
    twofactor.reset(None, user)
    db.session.commit()
    click.echo(f"Two-factor sign-in of {user.email} is off and every session of theirs has ended.")
