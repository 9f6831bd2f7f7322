"""An import of a CRM export into a campaign: the file, its mapping, where it stands, and what it did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import one_of
from app.extensions import db
from app.imports.parsing import DELIMITERS, ENCODINGS
from app.projects.models import Project
from workflows.imports import STATES, ImportState


class ImportRun(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "import_runs"
    __table_args__ = (
        one_of("state", STATES),
        # The campaign's imports, newest first; the clean-up finds old files by this too.
        sa.Index("ix_import_runs_project_id_created_at", "project_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, index=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    # The file itself, in the database: a worker on another machine reads it, and it goes with the
    # run (emptied once the import is done, and by the daily clean-up after FILE_DAYS).
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    size_bytes: so.Mapped[int]
    encoding: so.Mapped[str] = so.mapped_column(sa.String(16))
    delimiter: so.Mapped[str] = so.mapped_column(sa.String(2))
    headers: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    row_count: so.Mapped[int]
    source: so.Mapped[str] = so.mapped_column(sa.String(20))
    mapping: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    date_format: so.Mapped[str] = so.mapped_column(sa.String(8), default="iso")
    decimal_mark: so.Mapped[str] = so.mapped_column(sa.String(1), default=".")
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default=ImportState.UPLOADED)
    # What the preview found, and then what the import did.
    error_rows: so.Mapped[int] = so.mapped_column(default=0)
    skipped_rows: so.Mapped[int] = so.mapped_column(default=0)
    customers_created: so.Mapped[int] = so.mapped_column(default=0)
    created: so.Mapped[int] = so.mapped_column(default=0)
    updated: so.Mapped[int] = so.mapped_column(default=0)
    unchanged: so.Mapped[int] = so.mapped_column(default=0)
    started_at: so.Mapped[datetime | None]
    finished_at: so.Mapped[datetime | None]
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # why it failed
    version: so.Mapped[int] = so.mapped_column(default=1)

    # Two starts at once: the second one's UPDATE finds the version moved on, and nothing runs twice.
    __mapper_args__ = {"version_id_col": version}

    project: so.Mapped[Project] = so.relationship()
    created_by: so.Mapped[User] = so.relationship()

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def read_as(self) -> str:
        """How the file was read, in words: "UTF-8, semicolon-separated"."""
        return f"{ENCODINGS.get(self.encoding, self.encoding)}, {DELIMITERS.get(self.delimiter, self.delimiter)}-separated"

    @property
    def path(self) -> str:
        return f"/campaigns/{self.project_id}/imports/{self.id}"

    def __repr__(self) -> str:
        return f"<ImportRun {self.id} {self.state}>"


class ImportRowError(db.Model):  # type: ignore[name-defined,misc]
    """One problem of one row, found by the preview: what the preview page pages through."""

    __tablename__ = "import_row_errors"
    __table_args__ = (sa.Index("ix_import_row_errors_run_id_row", "run_id", "row", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    run_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("import_runs.id", ondelete="CASCADE"))
    row: so.Mapped[int]
    column: so.Mapped[str] = so.mapped_column(sa.String(200))
    message: so.Mapped[str] = so.mapped_column(sa.Text)
