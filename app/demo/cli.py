"""``flask demo``: load the demo data set."""

from __future__ import annotations

import click

from app.core import clock
from app.core.moments import moment_text
from app.demo.services import DEMO_PASSWORD, PEOPLE, load_demo, quiet_people
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
    _say_who_is_in_quiet_hours()


def _say_who_is_in_quiet_hours() -> None:
    """Started in the evening, the demo writes reminders whose emails wait for the morning: say
    so, or the empty mailbox looks broken."""
    now = clock.now()
    quiet = quiet_people(now)
    if not quiet:
        return
    click.echo(f"Quiet hours now ({now:%H:%M} UTC) for {len(quiet)} of the demo people: their reminders are in the app "
               "at once, their emails wait until the quiet hours end (the Jobs page lists them as held):")
    for person in quiet:
        click.echo(f"  {person.email:<22} until {person.local_until:%H:%M} {person.time_zone} "
                   f"({moment_text(person.until, now)})")
