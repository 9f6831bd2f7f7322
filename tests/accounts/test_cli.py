"""``flask users``: create and list accounts from the command line."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.accounts.services import find_by_email


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "Ops@Example.com", "--role", "admin", "--password-stdin"],
                           input="a long password\n")
    assert result.exit_code == 0, result.output
    user = find_by_email("ops@example.com")
    assert user.role is Role.ADMIN and user.check_password("a long password")


def test_create_prompts_for_the_password_twice(runner):
    result = runner.invoke(args=["users", "create", "pat@example.com", "--role", "product_manager", "--name", "Pat"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert find_by_email("pat@example.com").name == "Pat"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "admin"], "short\n", "password: Use at least 12 characters."),
    (["--role", "wizard"], "a long password\n", "Invalid value for '--role'"),
])
def test_bad_input_exits_non_zero_with_a_clear_message(runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", "x@example.com", *args, "--password-stdin"], input=stdin)
    assert result.exit_code == 2
    assert message in result.output
    assert find_by_email("x@example.com") is None


def test_a_duplicate_email_is_refused(runner):
    runner.invoke(args=["users", "create", "a@example.com", "--role", "admin", "--password-stdin"], input="a long password\n")
    result = runner.invoke(args=["users", "create", "a@example.com", "--role", "admin", "--password-stdin"], input="a long password\n")
    assert result.exit_code == 2 and "already exists" in result.output


def test_list_shows_every_account(runner, people):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert people["pm"].email in result.output and "Project manager" in result.output


def test_set_password(runner, people):
    result = runner.invoke(args=["users", "set-password", people["team"].email, "--password-stdin"], input="another long one\n")
    assert result.exit_code == 0
    assert find_by_email(people["team"].email).check_password("another long one")
    assert runner.invoke(args=["users", "set-password", "nobody@example.com", "--password-stdin"], input="x\n").exit_code == 1


def test_a_team_member_who_sells(runner):
    result = runner.invoke(args=["users", "create", "rep@example.com", "--role", "team_member", "--sales-rep",
                                 "--password-stdin"], input="a long password\n")
    assert result.exit_code == 0, result.output
    assert find_by_email("rep@example.com").sells
    assert "Team member, sells" in runner.invoke(args=["users", "list"]).output
