"""``flask demo [--size small|large|huge]``: load the demo data set, and optionally a large one on top."""

from __future__ import annotations

import time

import click

from app.core import clock
from app.core.text import moment_text
from app.demo import large
from app.demo.services import DEMO_PASSWORD, PEOPLE, DemoSummary, load_demo, quiet_people
from app.extensions import db

SIZES = {"small": None, "large": large.Size.LARGE, "huge": large.Size.HUGE}


@click.command("demo", help=(
    "Load the demo data set (idempotent) and print the demo sign-ins. "
    "--size large (200 people, 1,000 campaigns, 20,000 milestones) or huge (ten times as many) also builds a "
    "large data set on top of the demo, through bulk inserts, in under a minute; it is built once: "
    "asked again, it changes nothing and exits with 1."
))
@click.option("--size", type=click.Choice(list(SIZES)), default="small", show_default=True,
              help="small: the demo alone; large or huge: the demo and a large data set on top.")
def demo(size: str) -> None:
    wanted = SIZES[size]
    if wanted is None:
        summary = load_demo(clock.today())
        db.session.commit()
        _say_demo(summary)
        return
    _build_large(wanted)


def _say_demo(summary: DemoSummary) -> None:
    if (summary.people_created or summary.campaigns_created or summary.commitments_created or summary.loop_created
            or summary.teams_created):
        click.echo(f"Demo data: {summary.people_created} people, {summary.regions_created} regions, "
                   f"{summary.teams_created} sales teams, "
                   f"{len(summary.campaigns_created)} campaigns, {summary.commitments_created} commitments, "
                   f"{summary.loop_created} feedback items, briefings and product updates created.")
    else:
        click.echo("Demo data already loaded; nothing changed.")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, name, role in PEOPLE:
        click.echo(f"  {email:<22} {name:<15} {role.label}")
    _say_who_is_in_quiet_hours()


def _build_large(size: large.Size) -> None:
    """Build, commit and say what was made; refuse (exit 1) when a large set is already there."""
    started = time.perf_counter()
    if large.is_built():  # asked before saying what is about to be built
        click.echo(large.AlreadyBuilt().message, err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"Building a data set of {size.people:,} people, {size.campaigns:,} campaigns and "
               f"{size.milestones:,} milestones on top of the demo…")
    summary = large.build(size, progress=lambda step: click.echo(f"  … {step}"))
    committing = time.perf_counter()
    db.session.commit()
    click.echo(f"  … committed ({time.perf_counter() - committing:.1f} s)")
    analysing = time.perf_counter()
    large.analyze()
    click.echo(f"  … planner statistics ({time.perf_counter() - analysing:.1f} s)")
    _say_demo(summary.demo)
    _say_large(summary, time.perf_counter() - started)


def _say_large(summary: large.Summary, seconds: float) -> None:
    click.echo(f"\nLarge data set built in {seconds:.1f} s ({summary.seconds:.1f} s to write, the rest to commit "
               f"and analyse). Rows written per table:")
    for table, count in sorted(summary.rows.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"  {table:<26} {count:>9,}")
    states = ", ".join(f"{count:,} {state}" for state, count in sorted(summary.campaigns_by_state.items(),
                                                                      key=lambda item: -item[1]))
    click.echo(f"Campaigns by state: {states}.")
    click.echo(f"Sign-ins to try (password for all: {DEMO_PASSWORD}):")
    click.echo(f"  {summary.admin_email:<34} admin: sees every campaign")
    click.echo(f"  {summary.busy_pm_email:<34} project manager on {summary.busy_pm_campaigns:,} campaigns")
    if summary.seller_email:
        click.echo(f"  {summary.seller_email:<34} a seller on many campaigns")
    if summary.signer_email:
        click.echo(f"  {summary.signer_email:<34} a product manager with requests to countersign")
    for kind, token in summary.feed_tokens.items():
        click.echo(f"  calendar link of {summary.busy_pm_email} ({kind}): /calendars/v1/{token}.ics")


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
