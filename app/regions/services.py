"""Regions are admin-managed reference data."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.regions.models import Region


def active_regions() -> Sequence[Region]:
    return db.session.scalars(sa.select(Region).where(Region.active).order_by(Region.name)).all()


def all_regions() -> Sequence[Region]:
    return db.session.scalars(sa.select(Region).order_by(Region.active.desc(), Region.name)).all()


def save_region(actor: User, region: Region | None, code: str, name: str, active: bool) -> Region:
    """Create (``region`` None) or edit a region; codes and names are unique."""
    if not actor.is_admin:
        raise NotAllowed("Only admins manage regions.")
    code, name = code.strip().upper(), name.strip()
    errors: dict[str, list[str]] = {}
    for field, column, value in (("code", Region.code, code), ("name", Region.name, name)):
        clash = db.session.scalar(sa.select(Region).where(column == value))
        if clash is not None and clash is not region:
            errors[field] = [f"Another region already uses this {field}."]
    if errors:
        raise InvalidInput("The region was not saved.", errors)
    created = region is None
    if region is None:
        region = Region()
        db.session.add(region)
    region.code, region.name, region.active = code, name, active
    db.session.flush()
    audit.record(actor, "region.created" if created else "region.updated",
                 f"{'Created' if created else 'Edited'} region {code} ({name}){'' if active else ', inactive'}",
                 entity="region", entity_id=region.id)
    return region
