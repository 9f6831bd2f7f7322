"""When each periodic job last ran, kept in the database so it survives a Redis restart."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db


class JobRun(db.Model):  # type: ignore[name-defined,misc]
    """The last run of one periodic job (one row per job name, overwritten each run)."""

    __tablename__ = "job_runs"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    started_at: so.Mapped[datetime]
    finished_at: so.Mapped[datetime | None]
    duration_ms: so.Mapped[int] = so.mapped_column(default=0)
    summary: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
