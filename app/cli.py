"""Registers every feature's ``flask`` commands."""

from __future__ import annotations

from flask import Flask

from app.accounts.cli import users
from app.background.cli import jobs
from app.demo.cli import demo
from app.ops.cli import doctor


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(jobs)
    app.cli.add_command(doctor)
