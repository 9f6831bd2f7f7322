"""Background jobs of imports: a large file's import, and the clean-up of old files and stalled runs."""

from __future__ import annotations

from datetime import timedelta

from app.background import registry
from app.background.queue import in_app_context
from app.background.services import NOT_DUE, due, recording
from app.extensions import db
from app.imports import services
from app.imports.models import ImportRun
from workflows.imports import ImportState

#: Files of unfinished runs are kept for days: an hourly clean-up is plenty.
EVERY = timedelta(hours=1)
RUN = "imports"


@in_app_context
def run_import(run_id: int) -> str:
    """Import a run the request left "importing" (committed before this job was enqueued)."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.state != ImportState.IMPORTING:
        db.session.rollback()
        return "nothing to import"  # a second delivery of the job, or a run the clean-up failed
    services.execute(run.created_by, run)
    return f"import {run_id}: {run.state}"


@in_app_context
def clean_up() -> str:
    """Delete old files of unfinished imports and fail stalled ones, at most once an hour."""
    if not due(RUN, EVERY):
        return NOT_DUE
    with recording(RUN) as run:
        run.summary = services.clean_up()
    return run.summary


def init_app() -> None:
    """Have the background scheduler run the clean-up."""
    registry.add_periodic(registry.PeriodicJob(clean_up, runs=((RUN, "Import files clean-up"),), every=EVERY))
