"""Writing and reading the audit trail. Events join the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core.pagination import Page, PageRequest, desc, paginate
from app.core.text import date_label
from app.extensions import db


class Actor(Protocol):
    """Who took a step: a person (an ``app.accounts.models.User``, kept as ``AuditEvent.actor``).
    The trail sits below accounts, which audits its own steps, so it names no class of accounts."""

    id: int


def record(
    actor: Actor | None,
    action: str,
    summary: str,
    *,
    entity: str,
    entity_id: int | None,
    project_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the session; it commits with the change it describes."""
    event = AuditEvent(
        actor=actor,
        action=action,
        summary=summary[:300],
        entity=entity,
        entity_id=entity_id,
        project_id=project_id,
        from_state=from_state,
        to_state=to_state,
        details=details or {},
    )
    db.session.add(event)
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields that differ, as {field: [old, new]} with JSON-safe values."""
    return {k: [_plain(before.get(k)), _plain(v)] for k, v in after.items() if before.get(k) != v}


def describe(changed: dict[str, list[Any]], limit: int = 4) -> str:
    """'due date: 2026-11-06 → 2026-11-16, title: Old → New', for the history list."""
    parts = []
    for name, (old, new) in list(changed.items())[:limit]:
        label = name.replace("_", " ")
        if isinstance(old, (list, dict)) or isinstance(new, (list, dict)) or len(f"{old}{new}") > 60:
            parts.append(label)
        else:
            parts.append(f"{label}: {_shown(old)} → {_shown(new)}")
    more = len(changed) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def _shown(value: Any) -> str:
    """A stored change value as the pages write it: dates as '11 Jan 2027', nothing as '—'."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and len(value) == 10:
        try:
            return date_label(date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def history_query(project_id: int) -> sa.Select[tuple[AuditEvent]]:
    """A campaign's events with their actors, unordered (a list pages it newest first)."""
    return sa.select(AuditEvent).where(AuditEvent.project_id == project_id).options(sa.orm.joinedload(AuditEvent.actor))


def project_history_page(project_id: int, asked: PageRequest) -> Page[AuditEvent]:
    """A page of a campaign's whole trail, newest first (its page and its API)."""
    return paginate(history_query(project_id), [desc(AuditEvent.at), desc(AuditEvent.id)], asked)


def project_history(project_id: int, limit: int = 100) -> Sequence[AuditEvent]:
    """A campaign's latest events, newest first."""
    query = history_query(project_id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return db.session.scalars(query).all()


def latest_event_id(entity: str, entity_id: sa.ColumnElement[int], action: str) -> sa.ScalarSelect[int]:
    """The id of a record's latest event of ``action``, as a subquery correlated to the outer
    query's ``entity_id`` column (``ix_audit_events_entity_entity_id_at``): a list joins when and
    by whom each of its records took a step, in its own query."""
    return (
        sa.select(AuditEvent.id)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id, AuditEvent.action == action)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)
        .scalar_subquery()
    )


def record_history(entity: str, entity_id: int, limit: int = 50) -> Sequence[AuditEvent]:
    """One record's latest events with their actors, newest first (``ix_audit_events_entity_entity_id_at``)."""
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        .options(sa.orm.joinedload(AuditEvent.actor))
    ).all()
