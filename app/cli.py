"""Registers every feature's ``flask`` commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.accounts.cli import users
    from app.demo.cli import demo

    app.cli.add_command(users)
    app.cli.add_command(demo)
