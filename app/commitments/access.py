"""Who may see and do what with a commitment.

A commitment is visible to its campaign's members and to the product managers of its
product (who countersign it without having to join the campaign). Everyone else gets 404.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from app.accounts.models import Role, User
from app.catalog.models import product_owners
from app.commitments.models import Commitment
from app.extensions import db
from app.projects.access import roles_in
from app.projects.models import Project, ProjectMember
from workflows.commitment import COUNTERSIGNING

#: The field that records each party :data:`~workflows.commitment.COUNTERSIGNING` keeps from signing.
_PARTY_FIELDS = {"submitter": "submitted_by_id", "author": "created_by_id"}


def visible_commitments(user: User) -> sa.Select[tuple[Commitment]]:
    """Commitments of the user's campaigns, and those of the products they manage."""
    query = sa.select(Commitment)
    if user.is_admin:
        return query
    member_of = sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
    owned = sa.select(product_owners.c.product_id).where(product_owners.c.user_id == user.id)
    return query.where(sa.or_(Commitment.project_id.in_(member_of), Commitment.product_id.in_(owned)))


def get_commitment_or_404(user: User, commitment_id: int, project: Project | None = None) -> Commitment:
    query = visible_commitments(user).where(Commitment.id == commitment_id)
    if project is not None:
        query = query.where(Commitment.project_id == project.id)
    commitment = db.session.scalar(query)
    if commitment is None:
        abort(404)
    return commitment


def can_record(user: User, project: Project) -> bool:
    """Sales record commitments: the campaign owner, and members who sell."""
    roles = roles_in(user, project)
    return project.is_open and ("owner" in roles or (user.sells and "member" in roles))


def roles_for(user: User, commitment: Commitment) -> frozenset[str]:
    roles = set()
    project_roles = roles_in(user, commitment.project)
    if user.is_admin:
        roles.add("admin")
    if commitment.created_by_id == user.id or "owner" in project_roles:
        roles.add("seller")
    if "project_manager" in project_roles:
        roles.add("project_manager")
    if user.role is Role.PRODUCT_MANAGER and commitment.product.is_owned_by(user):
        roles.add(COUNTERSIGNING.role)
    return frozenset(roles)


def is_party(user: User, commitment: Commitment, party: str) -> bool:
    """Whether ``user`` is the commitment's submitter, author… (a party the countersigning spec names)."""
    return bool(getattr(commitment, _PARTY_FIELDS[party]) == user.id)


def countersigner_criteria(user: User) -> list[sa.ColumnElement[bool]]:
    """The commitments ``user`` may countersign, as criteria: the SQL form of the signer role and the
    separation of duties, for queries of many commitments (the guard reads :func:`roles_for` and
    :func:`is_party` for one)."""
    if user.role is not Role.PRODUCT_MANAGER:
        return [sa.false()]
    owned = sa.select(product_owners.c.product_id).where(product_owners.c.user_id == user.id)
    return [Commitment.product_id.in_(owned),
            *(getattr(Commitment, _PARTY_FIELDS[party.name]) != user.id for party in COUNTERSIGNING.excluded)]


def keeps_products(user: User) -> bool:
    """Product managers keep products: they get the "my products' promises" view."""
    return user.role is Role.PRODUCT_MANAGER


def lists_commitments(user: User) -> bool:
    """Whose work includes commitments (sales, planning, product, admins): the top bar links them to the list.

    Anyone may open the list and sees what they may see; a team member who does not sell is rarely
    shown any, so the bar stays shorter for them.
    """
    return user.sells or user.role is not Role.TEAM_MEMBER  # admins included
