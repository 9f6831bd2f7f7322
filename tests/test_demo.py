"""The demo data set loads through the services, once."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.projects.models import Project


def test_demo_loads_every_state_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "countersign-demo" in first.output
    states = set(db.session.scalars(sa.select(Project.state)))
    assert {"draft", "proposed", "active", "on_hold", "completed"} <= states
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == count
