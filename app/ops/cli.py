"""``flask doctor``: the readiness checks of ``/readyz``, on the command line, with their full errors."""

from __future__ import annotations

import sys

import click

from app.ops import health


@click.command("doctor")
def doctor() -> None:
    """Check this deployment as /readyz does: database reachable, migrations at head, Redis reachable
    (when REDIS_URL is set), the periodic runs on time. One line each; exits 0 when all pass, 1 when any fails.
    """
    checks = health.readiness()
    width = max(len(check.name) for check in checks)
    for check in checks:
        line = f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<{width}}  {check.detail}"
        if check.error:
            line += f" — {check.error}"
        click.echo(line)
    sys.exit(0 if health.status(checks) == "ok" else 1)
