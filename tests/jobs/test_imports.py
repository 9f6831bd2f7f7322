"""A large CRM import run by a real ``flask jobs worker`` on Redis: the request hands it over after its
commit, the worker writes every row in one transaction, and its progress is readable outside it."""

from __future__ import annotations

from app.commitments.models import Commitment
from app.extensions import db
from app.imports import progress, services
from app.imports.models import ImportRun
from bench.crm_import import generate
from tests.imports.helpers import preview, upload
from tests.jobs.helpers import wait_for
from tests.jobs.machinery import Jobs
from workflows.imports import ImportState

ROWS = 2_000


def _run(run_id: int) -> ImportRun:
    db.session.rollback()  # a fresh transaction: the worker's commit is visible
    run = db.session.get(ImportRun, run_id)
    assert run is not None
    db.session.refresh(run)
    return run


def test_a_worker_imports_a_large_file_and_reports_its_progress(jobs: Jobs, people, import_world):
    jobs.start_worker()
    run = preview(people["sales"], upload(people["sales"], import_world["project"], generate(ROWS, customers=500)))
    assert run.error_rows == 0 and run.created == ROWS

    assert services.start(people["sales"], run) is False  # handed to a job
    db.session.commit()  # the job is enqueued after this commit
    seen: list[int] = []

    def finished() -> ImportRun | None:
        current = _run(run.id)
        seen.append(services.status(current)["rows_done"])
        return current if current.state in {ImportState.DONE, ImportState.FAILED} else None

    done = wait_for(finished, "the import to finish", timeout=120, every=0.2, details=jobs.logs)

    assert (done.state, done.created, done.customers_created, done.message) == (ImportState.DONE, ROWS, 500, "")
    assert db.session.query(Commitment).count() == ROWS
    assert progress.read(run.id) == (ROWS, ROWS)  # written to Redis, outside the import's transaction
    assert seen == sorted(seen)  # progress only ever grows


def test_a_worker_that_fails_midway_writes_nothing(jobs: Jobs, people, import_world):
    jobs.start_worker()
    run = preview(people["sales"], upload(people["sales"], import_world["project"], generate(ROWS, customers=500)))
    # The catalog changes between the preview and the job: the job's own check refuses every row of DACH.
    import_world["regions"]["DACH"].active = False
    services.start(people["sales"], run)
    db.session.commit()

    failed = wait_for(lambda: (r := _run(run.id)).state == ImportState.FAILED and r, "the import to fail",
                      timeout=120, every=0.2, details=jobs.logs)

    assert "Preview again" in failed.message and db.session.query(Commitment).count() == 0
