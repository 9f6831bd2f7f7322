"""Goal arithmetic: where a campaign should be by a date, and whether it is there.

The plan is a piecewise-linear path from the baseline on the start date through
each milestone's target to the goal target on the end date. A goal may go down
as well as up (churn from 8% to 5%), so every comparison respects the direction
from baseline to target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

#: Within this share of the whole baseline→target span, a campaign counts as on track.
ON_TRACK_TOLERANCE = 0.05


@dataclass(frozen=True)
class Checkpoint:
    on: date
    value: float


def planned_path(
    start: date, baseline: float, end: date | None, target: float, milestones: Sequence[Checkpoint]
) -> list[Checkpoint]:
    """The checkpoints of the plan, in date order, from the baseline to the goal target.

    The goal target always stands on the end date: a milestone on that very day yields to it
    (the goal is what the campaign promised), and milestones after the end, a plan that has
    overrun, still extend the path beyond it.
    """
    later = sorted((m for m in milestones if m.on > start), key=lambda m: m.on)
    if end is None or end <= start:
        return [Checkpoint(start, baseline), *later]
    before = [m for m in later if m.on < end]
    after = [m for m in later if m.on > end]
    return [Checkpoint(start, baseline), *before, Checkpoint(end, target), *after]


def expected_value(path: Sequence[Checkpoint], on: date) -> float:
    """The value the plan expects on ``on``: interpolated between checkpoints, flat outside them."""
    if on <= path[0].on:
        return path[0].value
    for before, after in pairwise(path):
        if on == after.on:
            return after.value  # exactly, not via float arithmetic
        if on < after.on:
            span = (after.on - before.on).days
            share = (on - before.on).days / span if span else 1.0
            return before.value + share * (after.value - before.value)
    return path[-1].value


def progress_percent(baseline: float, target: float, actual: float | None) -> float | None:
    """How far ``actual`` has come from the baseline toward the target, in percent (unclamped)."""
    if actual is None or target == baseline:
        return None
    return (actual - baseline) / (target - baseline) * 100.0


def track_status(baseline: float, target: float, expected: float, actual: float | None) -> str:
    """'ahead', 'on_track', 'behind', or 'no_data' when nothing was reported yet."""
    if actual is None:
        return "no_data"
    span = target - baseline
    if span == 0:
        return "on_track"
    # Positive when the actual is further along the plan's direction than expected.
    lead = (actual - expected) / span
    if lead > ON_TRACK_TOLERANCE:
        return "ahead"
    if lead < -ON_TRACK_TOLERANCE:
        return "behind"
    return "on_track"


def outcome(baseline: float, target: float, actual: float) -> str:
    """'achieved' when the target is reached, 'partial' when some way was made, else 'missed'."""
    percent = progress_percent(baseline, target, actual)
    if percent is None or percent >= 100.0:
        return "achieved"
    if percent > 0.0:
        return "partial"
    return "missed"
