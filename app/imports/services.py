"""Importing CRM deals into a campaign: upload, map the columns, preview every row, import all or nothing.

The steps follow :mod:`workflows.imports`. The preview writes each row's errors (the page and the
API page through them) and what the import would do; the import starts only from a preview with
no error, re-checks every row in its own transaction, and writes all of them or nothing.
Small files are imported in the request; larger ones by a background job (:mod:`app.imports.jobs`)
whose progress the page polls (:mod:`app.imports.progress`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.background.queue import enqueue_after_commit
from app.catalog.models import Product
from app.core import clock
from app.core.errors import Conflict, InvalidInput, NotAllowed, ServiceError
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate
from app.extensions import db
from app.imports import mapping as columns
from app.imports import parsing, progress, rows, writing
from app.imports.access import can_import
from app.imports.models import ImportRowError, ImportRun
from app.projects.access import require_open
from app.projects.models import Project
from app.regions.models import Region
from workflows.imports import EDITABLE_STATES, ImportState, refusal

log = logging.getLogger(__name__)

#: Files of at most this many rows are imported in the request; larger ones by a background job.
INLINE_ROWS = 500
#: An unfinished run's file is deleted this many days after its upload (a finished one's at once).
FILE_DAYS = 7
#: A run still "importing" this long after it started lost its worker: the clean-up says it failed.
STALLED_AFTER = timedelta(hours=2)


# --- upload --------------------------------------------------------------------------------------

def upload(actor: User, project: Project, filename: str, data: bytes) -> ImportRun:
    """Read an uploaded CSV and keep it as a new run, its columns mapped where the headers are known."""
    require_open(project)
    if not can_import(actor, project):
        raise NotAllowed("Deals are imported by the campaign's owner, its project manager or an admin.")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise InvalidInput("The file is too large.", {"file": [f"At most {size_limit_text()}."]})
    try:
        table = parsing.read(data)
    except parsing.BadFile as error:
        raise InvalidInput("The file cannot be imported.", {"file": [str(error)]}) from None
    source, chosen = columns.recognise(table.headers)
    date_column = table.headers.index(chosen["promised_date"]) if chosen["promised_date"] else None
    date_format = columns.guess_date_format(
        (row[date_column] for row in table.rows[:1000]) if date_column is not None else (), source)
    run = ImportRun(project=project, created_by=actor, filename=_safe_name(filename), content=data,
                    size_bytes=len(data), encoding=table.encoding, delimiter=table.delimiter,
                    headers=list(table.headers), row_count=len(table.rows), source=source, mapping=chosen,
                    date_format=date_format, decimal_mark=columns.guess_decimal_mark(table.delimiter),
                    state=ImportState.UPLOADED)
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "import.uploaded", f"Uploaded {run.filename} ({run.row_count} rows) to import",
                 entity="import_run", entity_id=run.id, project_id=project.id, to_state=run.state)
    return run


def size_limit_text() -> str:
    """The largest file one may upload, in words ("20 MB")."""
    return f"{current_app.config['MAX_UPLOAD_BYTES'] / (1024 * 1024):.3g} MB"


def _safe_name(filename: str) -> str:
    """The file's name as shown: its last path part, without control characters, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "upload.csv")[:255]


def table(run: ImportRun) -> parsing.Table:
    """The run's file read again (it was read once at the upload, so it reads)."""
    if run.content is None:
        raise InvalidInput("This import's file was deleted: upload it again.")
    return parsing.read(run.content)


# --- mapping -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MappingInput:
    mapping: Mapping[str, str]  # field → header ("" for none)
    date_format: str
    decimal_mark: str


def set_mapping(actor: User, run: ImportRun, data: MappingInput) -> ImportRun:
    """Say which column holds which field; the preview must then be run again."""
    _move_check(actor, run, ImportState.MAPPED)
    errors: dict[str, list[str]] = {}
    chosen = {name: (data.mapping.get(name) or "") for name in columns.FIELD_NAMES}
    for name, header in chosen.items():
        if header and header not in run.headers:
            errors[name] = [f"The file has no column “{header[:80]}”."]
    for name in columns.missing(chosen):
        errors.setdefault(name, ["Choose the column that holds this field."])
    if data.date_format not in columns.DATE_FORMATS:
        errors["date_format"] = ["Choose a date format."]
    if data.decimal_mark not in columns.DECIMAL_MARKS:
        errors["decimal_mark"] = ["Choose a decimal mark."]
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)
    run.mapping, run.date_format, run.decimal_mark = chosen, data.date_format, data.decimal_mark
    _clear_preview(run)
    run.state = ImportState.MAPPED
    db.session.flush()
    return run


def _move_check(actor: User, run: ImportRun, target: ImportState) -> None:
    require_open(run.project)
    if not can_import(actor, run.project):
        raise NotAllowed("Deals are imported by the campaign's owner, its project manager or an admin.")
    if why := refusal(run.state, target):
        raise Conflict(why)


def _clear_preview(run: ImportRun) -> None:
    db.session.execute(sa.delete(ImportRowError).where(ImportRowError.run_id == run.id))
    run.error_rows = run.skipped_rows = run.customers_created = run.created = run.updated = run.unchanged = 0
    run.message = ""


# --- preview -------------------------------------------------------------------------------------

def lookups(project: Project) -> rows.Lookups:
    """What rows name, looked up by name: products, active regions, active people (three queries)."""
    products = {" ".join(n.casefold().split()): i for i, n in db.session.execute(sa.select(Product.id, Product.name))}
    regions = {" ".join(n.casefold().split()): i
               for i, n in db.session.execute(sa.select(Region.id, Region.name).where(Region.active))}
    people: dict[str, int] = {}
    names: dict[str, list[int]] = {}
    for user_id, email, name in db.session.execute(sa.select(User.id, User.email, User.name).where(User.active)):
        people[email.casefold()] = user_id
        names.setdefault(" ".join(name.casefold().split()), []).append(user_id)
    # A name two people share says nobody in particular: only the email finds them.
    people.update({name: ids[0] for name, ids in names.items() if len(ids) == 1 and name not in people})
    return rows.Lookups(products, regions, people, project.start_date, project.end_date)


def check_rows(run: ImportRun) -> list[rows.Checked]:
    """Every row of the run's file checked against its mapping and today's catalog."""
    read = table(run)
    settings = rows.Settings(run.mapping, run.date_format, run.decimal_mark)
    return rows.check_all(read.headers, read.rows, settings, lookups(run.project))


def preview(actor: User, run: ImportRun) -> ImportRun:
    """Check every row: write its errors, and count what the import would create, update and leave."""
    _move_check(actor, run, ImportState.PREVIEWED)
    checked = check_rows(run)
    _clear_preview(run)
    deals = [c.deal for c in checked if c.deal is not None]
    problems = [error for c in checked for error in c.errors]
    plan = writing.plan(run.project, run.source, deals, [c.row for c in checked if c.deal is not None],
                        run.mapping.get("deal_id") or "Deal ID")
    problems += plan.errors
    if problems:
        db.session.execute(sa.insert(ImportRowError), [
            {"run_id": run.id, "row": e.row, "column": e.column[:200], "message": e.message} for e in problems
        ])
    run.error_rows = len({e.row for e in problems})
    run.skipped_rows = sum(1 for c in checked if c.skipped)
    run.customers_created, run.created = plan.customers_created, plan.created
    run.updated, run.unchanged = plan.updated, plan.unchanged
    run.state = ImportState.PREVIEWED
    db.session.flush()
    return run


def row_errors(run: ImportRun, asked: PageRequest = FIRST_PAGE) -> Page[ImportRowError]:
    """A page of the preview's errors, by row."""
    query = sa.select(ImportRowError).where(ImportRowError.run_id == run.id)
    return paginate(query, [asc(ImportRowError.row), asc(ImportRowError.id)], asked)


def project_runs(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[ImportRun]:
    """A page of the campaign's imports, newest first."""
    query = sa.select(ImportRun).where(ImportRun.project_id == project.id).options(so.joinedload(ImportRun.created_by))
    return paginate(query, [desc(ImportRun.created_at), desc(ImportRun.id)], asked)


# --- the import ----------------------------------------------------------------------------------

def start(actor: User, run: ImportRun) -> bool:
    """Start the import of a previewed run without errors. True when it ran here and is finished;
    False when a background job was handed it (the page then polls its progress)."""
    _move_check(actor, run, ImportState.IMPORTING)
    if run.error_rows:
        raise Conflict(f"{run.error_rows} rows have errors: correct the file (or the mapping) and preview "
                           "again. Nothing is imported while a row has an error.")
    run.state, run.started_at, run.message = ImportState.IMPORTING, clock.now(), ""
    db.session.flush()
    if run.row_count <= INLINE_ROWS or not _queue_available():
        execute(actor, run)
        return True
    enqueue_after_commit(db.session, "app.imports.jobs.run_import", run.id, job_kind="import")
    return False


def _queue_available() -> bool:
    """A job can run the import: inline jobs (the tests), or a configured Redis."""
    return bool(current_app.config.get("JOBS_INLINE") or current_app.config.get("REDIS_URL"))


def execute(actor: User, run: ImportRun) -> None:
    """Import the run's deals in the current transaction and commit; on any error roll back, and fail the run.

    The rows are checked again as the preview checked them (the catalog may have changed since).
    """
    run_id = run.id
    try:
        checked = check_rows(run)
        errors = [e for c in checked for e in c.errors]
        if errors:
            raise writing.ImportFailed(f"{len({e.row for e in errors})} rows have errors now (the catalog or the "
                                       f"file changed since the preview), the first: {errors[0]}. Preview again.")
        counts = writing.write(actor, run, [(c.row, c.deal) for c in checked if c.deal is not None])
        run.customers_created, run.created, run.updated, run.unchanged = counts
        run.state, run.finished_at, run.content = ImportState.DONE, clock.now(), None
        audit.record(actor, "import.done", f"Imported {run.filename}: {run.created} commitments created, "
                     f"{run.updated} updated, {run.unchanged} unchanged, {run.customers_created} customers created",
                     entity="import_run", entity_id=run.id, project_id=run.project_id, to_state=run.state)
        db.session.commit()
        progress.report(run_id, len(checked), len(checked))
    except Exception as error:  # anything at all: the transaction rolls back whole, and the run says why
        db.session.rollback()
        if isinstance(error, writing.ImportFailed):
            message = str(error)
        elif isinstance(error, ServiceError):
            message = " ".join([error.message, *(m for messages in error.fields.values() for m in messages)])
        else:
            log.exception("Import %s failed", run_id)
            message = f"An unexpected error stopped it ({type(error).__name__}); nothing was written."
        fail(run_id, message)


def fail(run_id: int, message: str) -> None:
    """After the import's transaction rolled back: say why it failed, in a transaction of its own."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        return
    run.state, run.finished_at, run.message = ImportState.FAILED, clock.now(), message[:2000]
    audit.record(run.created_by, "import.failed", f"Import of {run.filename} failed: {message[:200]}",
                 entity="import_run", entity_id=run.id, project_id=run.project_id, to_state=run.state)
    db.session.commit()


# --- housekeeping --------------------------------------------------------------------------------

def clean_up() -> str:
    """Delete the files of runs left unfinished for FILE_DAYS, and fail runs whose worker died."""
    now = clock.now()
    stalled = db.session.execute(
        sa.update(ImportRun).where(ImportRun.state == ImportState.IMPORTING, ImportRun.started_at < now - STALLED_AFTER)
        .values(state=ImportState.FAILED, finished_at=now, version=ImportRun.version + 1,
                message="The import stopped (its worker ended before it finished); nothing was written. "
                        "Start it again.")
    ).rowcount
    emptied = db.session.execute(
        sa.update(ImportRun).where(ImportRun.content.is_not(None), ImportRun.state.in_(EDITABLE_STATES),
                                   ImportRun.created_at < now - timedelta(days=FILE_DAYS))
        .values(content=None)
    ).rowcount
    db.session.commit()
    return f"{emptied} import files deleted, {stalled} stalled imports failed"


class Status(TypedDict):
    state: str
    state_label: str
    finished: bool
    rows: int
    rows_done: int
    customers_created: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    message: str


def status(run: ImportRun) -> Status:
    """Where the run stands, as the page's poll and the API read it; ``rows_done`` from the progress
    the running import writes outside its transaction (0 until it first reports)."""
    done = progress.read(run.id) if run.state == ImportState.IMPORTING else None
    return {
        "state": run.state, "state_label": run.state_label,
        "finished": run.state in {ImportState.DONE, ImportState.FAILED},
        "rows": run.row_count,
        "rows_done": run.row_count if run.state == ImportState.DONE else (done[0] if done else 0),
        "customers_created": run.customers_created, "created": run.created, "updated": run.updated,
        "unchanged": run.unchanged, "skipped": run.skipped_rows, "message": run.message,
    }


def row_count_text(run: ImportRun) -> str:
    return f"{run.row_count:,} row" + ("" if run.row_count == 1 else "s")


def sample_rows(run: ImportRun, count: int = 5) -> Sequence[tuple[str, ...]]:
    """The first rows of the file, for the mapping page to show beside its headers."""
    return table(run).rows[:count]
