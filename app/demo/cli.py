"""``flask demo``: load the demo data set."""

from __future__ import annotations

import click

from app.core import clock
from app.demo.services import DEMO_PASSWORD, PEOPLE, load_demo
from app.extensions import db


@click.command("demo", help="Load the demo data set (idempotent) and print the demo sign-ins.")
def demo() -> None:
    summary = load_demo(clock.today())
    db.session.commit()
    if summary.people_created or summary.campaigns_created or summary.commitments_created or summary.loop_created:
        click.echo(f"Demo data: {summary.people_created} people, {summary.regions_created} regions, "
                   f"{len(summary.campaigns_created)} campaigns, {summary.commitments_created} commitments, "
                   f"{summary.loop_created} feedback items, briefings and product updates created.")
    else:
        click.echo("Demo data already loaded; nothing changed.")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, name, role in PEOPLE:
        click.echo(f"  {email:<22} {name:<15} {role.label}")
