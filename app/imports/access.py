"""Who may import deals into a campaign, and finding a run by the ids in a URL (404 if not theirs).

Sales managers and project managers import into the open campaigns they may edit (as owner or
project manager); admins into any. A run is seen by whoever may import into its campaign now:
anyone else, and any id of another campaign, gets 404.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.accounts.models import Role, User
from app.extensions import db
from app.imports.models import ImportRun
from app.projects.access import can_edit
from app.projects.models import Project

#: The roles that import deals (each still on a campaign they may edit).
IMPORTER_ROLES = frozenset({Role.SALES_MANAGER, Role.PROJECT_MANAGER, Role.ADMIN})


def imports_deals(user: User) -> bool:
    """Whether the user's role imports deals at all (the campaign page links the import for them)."""
    return user.role in IMPORTER_ROLES


def can_import(user: User, project: Project) -> bool:
    return imports_deals(user) and can_edit(user, project)


def get_run_or_404(user: User, project: Project, run_id: int) -> ImportRun:
    """The campaign's run, if ``user`` may import into the campaign; else 404."""
    if not can_import(user, project):
        abort(404)
    run = db.session.scalar(sa.select(ImportRun).where(ImportRun.id == run_id, ImportRun.project_id == project.id)
                            .options(so.joinedload(ImportRun.created_by)))
    if run is None:
        abort(404)
    return run

