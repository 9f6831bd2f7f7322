"""What the ops tests share: every periodic run recorded as finished at a chosen moment."""

from __future__ import annotations

import logging
from datetime import datetime

from app.background import registry
from app.background.models import JobRun
from app.extensions import db
from app.ops import requestid


def runs_finished(at: datetime) -> list[str]:
    """Record every periodic run (the sweep, the dispatch, ...) as finished at ``at``; their names."""
    names = [name for job in registry.periodic_jobs() for name, _label in job.runs]
    for name in names:
        row = db.session.get(JobRun, name) or JobRun(name=name)
        row.started_at, row.finished_at, row.summary = at, at, "test"
        db.session.add(row)
    db.session.commit()
    return names


def report_request_id(message: str) -> str | None:
    """A job (imported by dotted path, as RQ imports every job) that logs ``message`` and returns the
    request id it ran under."""
    logging.getLogger("app.tests.job").warning(message)
    return requestid.current()
