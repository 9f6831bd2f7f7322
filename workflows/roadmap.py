"""Roadmap arithmetic: comparing a plan with a baseline, and which promises a re-plan puts at risk.

Milestones are matched by their stable key (the UUID), so a renamed milestone is the same
milestone, and one added after the baseline is "added", never a rename of another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PlanItem:
    key: str
    title: str
    due: date
    target: float | None = None
    state: str = "open"


@dataclass(frozen=True)
class ItemDelta:
    key: str
    title: str
    kind: str  # unchanged, moved, added, removed, cancelled
    baseline_due: date | None
    current_due: date | None
    baseline_target: float | None = None
    current_target: float | None = None

    @property
    def slip_days(self) -> int | None:
        """Positive when later than the baseline, negative when earlier."""
        if self.baseline_due is None or self.current_due is None:
            return None
        return (self.current_due - self.baseline_due).days


@dataclass(frozen=True)
class Comparison:
    items: tuple[ItemDelta, ...]
    baseline_end: date | None
    current_end: date | None

    @property
    def end_slip_days(self) -> int | None:
        if self.baseline_end is None or self.current_end is None:
            return None
        return (self.current_end - self.baseline_end).days

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)


def compare(baseline: Sequence[PlanItem], current: Sequence[PlanItem],
            baseline_end: date | None = None, current_end: date | None = None) -> Comparison:
    """Per milestone: moved (and by how much), unchanged, added since, removed or cancelled since."""
    before = {item.key: item for item in baseline}
    now = {item.key: item for item in current}
    items: list[ItemDelta] = []
    for item in current:
        old = before.get(item.key)
        if old is None:
            kind = "added"
        elif item.state == "cancelled" and old.state != "cancelled":
            kind = "cancelled"
        elif item.due != old.due or item.target != old.target:
            kind = "moved"
        else:
            kind = "unchanged"
        items.append(ItemDelta(item.key, item.title, kind, old.due if old else None, item.due,
                               old.target if old else None, item.target))
    for old in baseline:
        if old.key not in now:
            items.append(ItemDelta(old.key, old.title, "removed", old.due, None, old.target, None))
    items.sort(key=lambda d: (d.current_due or d.baseline_due or date.max, d.title))
    return Comparison(tuple(items), baseline_end, current_end)


def change_slip_days(kind: str, old: str, new: str) -> int | None:
    """Days a recorded "moved" change (ISO dates old → new) shifted a milestone; None for other kinds."""
    if kind != "moved":
        return None
    try:
        return (date.fromisoformat(new) - date.fromisoformat(old)).days
    except ValueError:
        return None


@dataclass(frozen=True)
class Promise:
    """An approved (or already at-risk) commitment that depends on a milestone."""

    key: str
    milestone_key: str
    promised: date


def promises_at_risk(promises: Sequence[Promise], due: Mapping[str, date | None]) -> set[str]:
    """The promises whose milestone now falls after the promised date, or is gone (due None)."""
    at_risk = set()
    for promise in promises:
        if promise.milestone_key not in due:
            continue
        milestone_due = due[promise.milestone_key]
        if milestone_due is None or milestone_due > promise.promised:
            at_risk.add(promise.key)
    return at_risk
