"""Running an import through the services, as the pages do, one commit per step."""

from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from app.imports import services
from app.imports.models import ImportRun
from app.projects.models import Project
from tests.imports import fixture


def upload(actor: User, project: Project, data: bytes | str, filename: str = "deals.csv") -> ImportRun:
    run = services.upload(actor, project, filename, fixture(data) if isinstance(data, str) else data)
    db.session.commit()
    return run


def preview(actor: User, run: ImportRun) -> ImportRun:
    """Confirm the recognised mapping and preview every row."""
    services.set_mapping(actor, run, services.MappingInput(dict(run.mapping), run.date_format, run.decimal_mark))
    services.preview(actor, run)
    db.session.commit()
    return run


def run_import(actor: User, project: Project, data: bytes | str) -> ImportRun:
    """Upload, preview and import; the run as it ended."""
    run = preview(actor, upload(actor, project, data))
    services.start(actor, run)
    db.session.commit()
    db.session.expire_all()
    return db.session.get(ImportRun, run.id)
