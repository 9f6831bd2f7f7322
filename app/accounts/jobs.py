"""Background jobs of accounts: sign-in records that protect nobody any more are deleted."""

from __future__ import annotations

from datetime import timedelta

from app.accounts import resets, sessions
from app.background import registry
from app.background.queue import in_app_context
from app.background.services import NOT_DUE, due, recording
from app.core import clock
from app.extensions import db

#: Sessions and reset links expire in days: an hourly clean-up keeps the tables at their live size.
EVERY = timedelta(hours=1)
RUN = "accounts"


@in_app_context
def clean_up() -> str:
    """Delete ended sign-in sessions and expired reset links, at most once an hour (the scheduler asks every interval)."""
    if not due(RUN, EVERY):
        return NOT_DUE
    with recording(RUN) as run:
        now = clock.now()
        gone_sessions, gone_resets = sessions.purge(now), resets.purge(now)
        db.session.commit()
        run.summary = f"{gone_sessions} old session{'s' if gone_sessions != 1 else ''}, " \
                      f"{gone_resets} expired reset link{'s' if gone_resets != 1 else ''} deleted"
    return run.summary


def init_app() -> None:
    """Have the background scheduler run the clean-up."""
    registry.add_periodic(registry.PeriodicJob(clean_up, runs=((RUN, "Sign-in records clean-up"),), every=EVERY))
