"""The goal chart as inline SVG: the planned path, milestone targets, reported actuals, today.

A pure function: checkpoints in, markup out, tested without a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from app.core.axes import drawable, month_ticks, nice_ticks, short_number
from workflows.goals import Checkpoint

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def goal_chart_svg(
    plan: Sequence[Checkpoint], actuals: Sequence[Checkpoint], today: date, unit: str = "", title: str = "Goal"
) -> str:
    """An accessible SVG line chart; empty string when there is no plan to draw."""
    if len(plan) < 2:
        return ""
    days = [p.on for p in (*plan, *actuals)]
    # Today widens the axis only to the right: the chart is about the plan, not the past.
    first, last = min(days), max([*days, today])
    values = [drawable(p.value) for p in (*plan, *actuals)]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    span_days = max((last - first).days, 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + (day - first).days / span_days * inner_w

    def y(value: float) -> float:
        return TOP + (high - drawable(value)) / (high - low) * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}: planned path and reported actuals" class="goal-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for value in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#6b7280">'
            f"{short_number(value)}{escape(unit) if unit in ('%',) else ''}</text>"
        )
    for day in _ticks(first, last):
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="11" fill="#6b7280">'
            f"{day.strftime('%b %Y')}</text>"
        )
    plan_points = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in plan)
    parts.append(
        f'<polyline points="{plan_points}" fill="none" stroke="#a5b4fc" stroke-width="2" stroke-dasharray="6 4">'
        "<title>Planned path</title></polyline>"
    )
    for point in plan[1:]:
        parts.append(
            f'<rect x="{x(point.on) - 5:.1f}" y="{y(point.value) - 5:.1f}" width="10" height="10" fill="#fff" '
            f'stroke="#6366f1" stroke-width="2" transform="rotate(45 {x(point.on):.1f} {y(point.value):.1f})">'
            f"<title>Target {short_number(point.value)} {escape(unit)} by {point.on.isoformat()}</title></rect>"
        )
    if first <= today <= last:
        parts.append(
            f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#f59e0b" '
            f'stroke-width="1.5" stroke-dasharray="3 3"/><text x="{x(today) + 4:.1f}" y="{HEIGHT - BOTTOM - 6}" '
            f'font-size="11" fill="#b45309">today</text>'
        )
    if actuals:
        actual_points = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in actuals)
        parts.append(f'<polyline points="{actual_points}" fill="none" stroke="#4f46e5" stroke-width="2.5"/>')
        for point in actuals:
            parts.append(
                f'<circle cx="{x(point.on):.1f}" cy="{y(point.value):.1f}" r="4" fill="#4f46e5">'
                f"<title>Actual {short_number(point.value)} {escape(unit)} on {point.on.isoformat()}</title></circle>"
            )
    parts.append(
        f'<g font-size="11" fill="#374151" transform="translate({WIDTH - RIGHT - 130},{TOP + 4})">'
        '<line x1="0" x2="18" y1="6" y2="6" stroke="#a5b4fc" stroke-width="2" stroke-dasharray="6 4"/>'
        '<text x="24" y="10">plan</text>'
        '<line x1="64" x2="82" y1="6" y2="6" stroke="#4f46e5" stroke-width="2.5"/>'
        '<text x="88" y="10">actual</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(first: date, last: date, count: int = 6) -> list[date]:
    """Up to ``count`` evenly spread first-of-month dates between ``first`` and ``last``."""
    return month_ticks(first, last, count) or [first, last]
