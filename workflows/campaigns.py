"""Campaign templates: data files in ``workflows/templates/*.toml``.

A template names a default goal metric and the milestones a campaign of its kind
needs, each at an offset from the start date (days, weeks or months) and, where
the goal is checked, a ``target_share`` of the way from baseline to target.
"""

from __future__ import annotations

import calendar
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

TEMPLATE_DIR = Path(__file__).with_name("templates")


class TemplateError(ValueError):
    """A template file that does not describe a campaign."""


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    offset_days: int = 0
    offset_weeks: int = 0
    offset_months: int = 0
    target_share: float | None = None

    def due(self, start: date) -> date:
        return add_months(start, self.offset_months) + timedelta(days=self.offset_days, weeks=self.offset_weeks)


@dataclass(frozen=True)
class CampaignTemplate:
    key: str
    name: str
    description: str
    duration_months: int
    goal_metric: str
    goal_unit: str
    goal_baseline: float
    goal_target: float
    milestones: tuple[MilestoneSpec, ...]
    order: int = 100

    def default_end(self, start: date) -> date:
        return add_months(start, self.duration_months)


@dataclass(frozen=True)
class PlannedMilestone:
    title: str
    due_date: date
    target_value: float | None


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def plan_milestones(
    template: CampaignTemplate, start: date, baseline: float, target: float
) -> list[PlannedMilestone]:
    """The template's milestones for a campaign starting on ``start`` with this goal."""
    return [
        PlannedMilestone(
            title=spec.title,
            due_date=spec.due(start),
            target_value=None if spec.target_share is None else baseline + spec.target_share * (target - baseline),
        )
        for spec in template.milestones
    ]


def _whole(value: object, name: str) -> int:
    """A whole number, refusing 1.5 rather than quietly truncating it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(f"{name} must be a whole number, not {value!r}")
    return value


def parse_template(key: str, data: Mapping[str, Any]) -> CampaignTemplate:
    """Build a template from parsed TOML, saying exactly what is wrong with a bad one."""
    try:
        goal = data["goal"]
        specs = tuple(
            MilestoneSpec(
                title=str(m["title"]),
                offset_days=_whole(m.get("offset_days", 0), "offset_days"),
                offset_weeks=_whole(m.get("offset_weeks", 0), "offset_weeks"),
                offset_months=_whole(m.get("offset_months", 0), "offset_months"),
                target_share=None if m.get("target_share") is None else float(m["target_share"]),
            )
            for m in data.get("milestones", [])
        )
        template = CampaignTemplate(
            key=key,
            name=str(data["name"]),
            description=str(data.get("description", "")),
            duration_months=_whole(data["duration_months"], "duration_months"),
            goal_metric=str(goal["metric"]),
            goal_unit=str(goal.get("unit", "")),
            goal_baseline=float(goal.get("baseline", 0)),
            goal_target=float(goal["target"]),
            milestones=specs,
            order=_whole(data.get("order", 100), "order"),
        )
    except KeyError as missing:
        raise TemplateError(f"template {key!r} lacks {missing.args[0]!r}") from None
    except TemplateError as bad:
        raise TemplateError(f"template {key!r}: {bad}") from None
    except (TypeError, ValueError) as bad:
        raise TemplateError(f"template {key!r}: {bad}") from None
    if not template.milestones:
        raise TemplateError(f"template {key!r} has no milestones")
    if template.duration_months < 1:
        raise TemplateError(f"template {key!r}: duration_months must be at least 1")
    return template


@cache
def load_templates(directory: Path = TEMPLATE_DIR) -> Mapping[str, CampaignTemplate]:
    """Every template in ``directory``, keyed by file name, in display order."""
    templates = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as bad:
                raise TemplateError(f"{path.name} is not valid TOML: {bad}") from None
        templates.append(parse_template(path.stem, data))
    # Read-only: every caller shares this cached mapping.
    return MappingProxyType({t.key: t for t in sorted(templates, key=lambda t: (t.order, t.name))})


def shifted(day: date, old_start: date, new_start: date) -> date:
    """``day`` of a campaign that started on ``old_start``, moved with it to ``new_start``.

    By whole days, not months: every gap between two dates of the roadmap (start to milestone,
    milestone to milestone, start to end) stays the same number of days: no two milestones
    collapse onto a month's last day, and 29 February moves like any other day. A day the move
    would push past the calendar's ends stays on the end it reached (the dates' range check then
    refuses it with a message, where adding would have raised)."""
    try:
        return day + (new_start - old_start)
    except OverflowError:
        return date.max if new_start > old_start else date.min
