"""Who may see, file and triage feedback.

Sales see all feedback, their colleagues' too, so that the same request is not filed twice;
product managers and admins see all of it, to triage it. Anyone else sees only what they
filed themselves (a team member who sold once and no longer does); every other item is 404.
Triage is for a product manager of one of the item's products, and for admins.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.core.database import ids_found
from app.core.errors import NotAllowed
from app.extensions import db
from app.feedback.models import Feedback


def can_file(user: User) -> bool:
    """Sales file feedback (sales managers and team members who sell), and admins."""
    return user.sells or user.is_admin


def sees_all(user: User) -> bool:
    """Sellers, product managers and admins read everyone's feedback."""
    return user.sells or user.is_admin or user.role is Role.PRODUCT_MANAGER


def has_triage_queue(user: User) -> bool:
    """Product managers triage the feedback on their products; admins may triage any."""
    return user.is_admin or user.role is Role.PRODUCT_MANAGER


def visible_feedback(user: User) -> sa.Select[tuple[Feedback]]:
    query = sa.select(Feedback)
    if sees_all(user):
        return query
    return query.where(Feedback.submitted_by_id == user.id)


def feedback_or_404(user: User, feedback_id: int) -> Feedback:
    return db.first_or_404(visible_feedback(user).where(Feedback.id == feedback_id))


def roles_for(user: User, feedback: Feedback) -> frozenset[str]:
    roles = set()
    if user.is_admin:
        roles.add("admin")
    if user.role is Role.PRODUCT_MANAGER and any(p.is_owned_by(user) for p in feedback.products):
        roles.add("product_owner")
    return frozenset(roles)


def can_triage(user: User, feedback: Feedback) -> bool:
    return bool(roles_for(user, feedback))


def require_triager(user: User, feedback: Feedback) -> None:
    """Seeing an item is not deciding it: that is for its products' managers and admins (403)."""
    if not can_triage(user, feedback):
        raise NotAllowed("Feedback is triaged by a product manager of one of its products, or by an admin.")


def linked_project_ids(feedback: Feedback) -> list[int | None]:
    """Every campaign the item names: where it came from, what delivers it (a milestone's campaign is
    its ``planned_project``), and what each decision named."""
    return [feedback.project_id, feedback.planned_project_id,
            feedback.milestone.project_id if feedback.milestone is not None else None,
            *(d.project_id for d in feedback.history),
            *(d.milestone.project_id for d in feedback.history if d.milestone is not None)]


def sees_original(user: User, feedback: Feedback) -> bool:
    """Whether ``user`` could open the item ``feedback`` duplicates on its own: only then is it named."""
    if feedback.duplicate_of_id is None or sees_all(user):
        return True
    return feedback.duplicate_of is not None and feedback.duplicate_of.submitted_by_id == user.id


def visible_commitment_ids(user: User, ids: Iterable[int | None]) -> set[int]:
    return ids_found(visible_commitments(user), Commitment.id, ids)
