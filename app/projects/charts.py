"""The goal chart as inline SVG: the planned path, milestone targets, reported actuals, today.

Pure functions: checkpoints in, markup out, tested without a request. The page gets three
drawings of the same chart (``goal_chart``), 720, 480 and 300 units wide with ticks to match, and
shows the widest that its box holds (a container query in static/css/app.css): a drawing is
never scaled down, so its text is never below ``MIN_FONT`` CSS pixels, on a desktop's card or a
phone's. Every meaning has a shape besides its colour: the plan is
dashed with hollow diamonds, actuals are a solid line with dots, today a dashed line with a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from app.core.axes import MIN_FONT, drawable, month_labels, month_ticks, nice_ticks, short_number, text_width
from app.core.text import date_label
from workflows.goals import Checkpoint

WIDTH, HEIGHT = 720, 300
MEDIUM_WIDTH, MEDIUM_HEIGHT = 480, 280
NARROW_WIDTH, NARROW_HEIGHT = 300, 260  # narrower than a 360 px phone's card
LEFT, RIGHT, BOTTOM = 56, 16, 36
LEGEND_H = 26  # the legend's own band above the plot, so it never covers a line or a label
TOP = LEGEND_H + 16  # the top tick's label sits half a line above the plot
TODAY_LINE = "#f59e0b"
PLAN_COLOUR, ACTUAL_COLOUR, TODAY_COLOUR, GRID, AXIS_TEXT = "#6366f1", "#4f46e5", "#b45309", "#e5e7eb", "#4b5563"
PLAN_DASH, TODAY_DASH = "6 4", "3 3"


def goal_chart(
    plan: Sequence[Checkpoint], actuals: Sequence[Checkpoint], today: date, unit: str = "", title: str = "Goal"
) -> str:
    """The wide, medium and narrow drawings; empty string when there is no plan to draw."""
    wide = goal_chart_svg(plan, actuals, today, unit, title)
    if not wide:
        return ""
    return (wide + goal_chart_svg(plan, actuals, today, unit, title, width=MEDIUM_WIDTH, height=MEDIUM_HEIGHT)
            + goal_chart_svg(plan, actuals, today, unit, title, width=NARROW_WIDTH, height=NARROW_HEIGHT))


def goal_chart_svg(
    plan: Sequence[Checkpoint], actuals: Sequence[Checkpoint], today: date, unit: str = "", title: str = "Goal",
    *, width: int = WIDTH, height: int = HEIGHT,
) -> str:
    """An accessible SVG line chart ``width`` units wide; empty string when there is no plan to draw."""
    if len(plan) < 2:
        return ""
    days = [p.on for p in (*plan, *actuals)]
    # Today widens the axis only to the right: the chart is about the plan, not the past.
    first, last = min(days), max([*days, today])
    values = [drawable(p.value) for p in (*plan, *actuals)]
    ticks = nice_ticks(min(values), max(values), 6 if height >= HEIGHT else 5)
    low, high = ticks[0], ticks[-1]
    suffix = escape(unit) if unit == "%" else ""
    tick_labels = [f"{short_number(v)}{suffix}" for v in ticks]
    # The label column is as wide as the widest value label ("−1.2e+15"), never narrower than LEFT.
    left = max(LEFT, max(text_width(t) for t in tick_labels) + 14)
    span_days = max((last - first).days, 1)
    inner_w, inner_h = width - left - RIGHT, height - TOP - BOTTOM

    def x(day: date) -> float:
        return left + (day - first).days / span_days * inner_w

    def y(value: float) -> float:
        return TOP + (high - drawable(value)) / (high - low) * inner_h

    size = "wide" if width >= WIDTH else "medium" if width >= MEDIUM_WIDTH else "narrow"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}: planned path and reported actuals" class="goal-chart goal-chart-{size}">',
        f"<title>{escape(title)}</title><desc>{escape(_summary(plan, actuals, unit))}</desc>",
        _legend(width),
    ]
    for value, label in zip(ticks, tick_labels, strict=True):
        parts.append(
            f'<line x1="{left:.1f}" x2="{width - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 8:.1f}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="{MIN_FONT}" '
            f'fill="{AXIS_TEXT}">{label}</text>'
        )
    months = _ticks(first, last, inner_w)
    for day, label in zip(months, month_labels(months), strict=True):
        parts.append(
            f'<text class="goal-tick" x="{x(day):.1f}" y="{height - 12}" text-anchor="middle" font-size="{MIN_FONT}" '
            f'fill="{AXIS_TEXT}">{label}</text>'
        )
    plan_points = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in plan)
    parts.append(
        f'<polyline points="{plan_points}" fill="none" stroke="{PLAN_COLOUR}" stroke-width="2" '
        f'stroke-dasharray="{PLAN_DASH}"><title>Planned path</title></polyline>'
    )
    for point in plan[1:]:
        parts.append(
            f'<rect x="{x(point.on) - 5:.1f}" y="{y(point.value) - 5:.1f}" width="10" height="10" fill="#fff" '
            f'stroke="{PLAN_COLOUR}" stroke-width="2" transform="rotate(45 {x(point.on):.1f} {y(point.value):.1f})">'
            f"<title>Target {short_number(point.value)} {escape(unit)} by {point.on.isoformat()}</title></rect>"
        )
    if first <= today <= last:
        at = x(today)
        # "today" reads to the right of its line, or to the left when the line is at the right edge.
        side, dx = ("start", 4) if at + 4 + text_width("today") <= width - RIGHT else ("end", -4)
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{height - BOTTOM}" stroke="{TODAY_LINE}" '
            f'stroke-width="1.5" stroke-dasharray="{TODAY_DASH}"/><text x="{at + dx:.1f}" y="{height - BOTTOM - 6}" '
            f'text-anchor="{side}" font-size="{MIN_FONT}" fill="{TODAY_COLOUR}">today</text>'
        )
    if actuals:
        actual_points = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in actuals)
        parts.append(f'<polyline points="{actual_points}" fill="none" stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>')
        for point in actuals:
            parts.append(
                f'<circle cx="{x(point.on):.1f}" cy="{y(point.value):.1f}" r="4" fill="{ACTUAL_COLOUR}">'
                f"<title>Actual {short_number(point.value)} {escape(unit)} on {point.on.isoformat()}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(width: int) -> str:
    """The key in its own band above the plot, drawn with the very strokes and marks of the chart."""
    items = (
        ("plan", f'<line x1="0" x2="22" y1="0" y2="0" stroke="{PLAN_COLOUR}" stroke-width="2" '
                 f'stroke-dasharray="{PLAN_DASH}"/>'),
        ("target", f'<path d="M11,-6 L17,0 L11,6 L5,0 Z" fill="#fff" stroke="{PLAN_COLOUR}" stroke-width="2"/>'),
        ("actual", f'<line x1="0" x2="22" y1="0" y2="0" stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
                   f'<path d="M7,0 a4,4 0 1,0 8,0 a4,4 0 1,0 -8,0" fill="{ACTUAL_COLOUR}"/>'),
    )
    total = sum(28 + text_width(text) + 14 for text, _ in items) - 14
    at = max(4.0, width - RIGHT - total)
    out = [f'<g class="goal-legend" font-size="{MIN_FONT}" fill="#374151">']
    for text, mark in items:
        out.append(f'<g transform="translate({at:.1f},{LEGEND_H / 2 + 2:.1f})">{mark}<text x="28" y="4">{text}</text></g>')
        at += 28 + text_width(text) + 14
    out.append("</g>")
    return "".join(out)


def _summary(plan: Sequence[Checkpoint], actuals: Sequence[Checkpoint], unit: str) -> str:
    """What the picture shows, in words, for a screen reader."""
    words = (f"Plan from {short_number(plan[0].value)} {unit} on {date_label(plan[0].on)} to "
             f"{short_number(plan[-1].value)} {unit} on {date_label(plan[-1].on)}, "
             f"{len(plan) - 1} target{'s' if len(plan) != 2 else ''}.")
    if actuals:
        latest = max(actuals, key=lambda p: p.on)
        words += (f" {len(actuals)} actual{'s' if len(actuals) != 1 else ''} reported, the latest "
                  f"{short_number(latest.value)} {unit} on {date_label(latest.on)}.")
    else:
        words += " No actuals reported yet."
    return " ".join(words.split())


def _ticks(first: date, last: date, room: float) -> list[date]:
    """First-of-month dates spread over the axis, as many as fit their labels ("Sep 2027") side by side."""
    most = max(2, int(room / (text_width("Sep 2027") + 16)))
    return month_ticks(first, last, most) or [first]  # all within one month: its name once
