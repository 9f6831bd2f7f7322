"""The report's charts as inline SVG: bars per quarter (grouped or stacked) and horizontal bars.

Pure functions: figures in, markup out, tested without a request. No script and no external
resources, so they render offline and inside any page. Every text is escaped; colours come from
the Okabe–Ito palette, which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from app.core.axes import CHAR_12, MIN_FONT, nice_ticks, short_number, text_width, wrap
from app.core.text import counted
from app.reports.figures import Report

#: Okabe–Ito, without its yellow (too faint on white) and black (reads as text).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
PLAIN, WARNING = "#0072B2", "#D55E00"
GRID, AXIS_TEXT, TEXT = "#e5e7eb", "#6b7280", "#374151"
WIDTH = 720
HALF_WIDTH = 480  # for the charts of half-width cards
LEFT, RIGHT = 48, 16
PLOT_HEIGHT = 200
BOTTOM = 40  # room for two-line category labels ("Q1" over "2026")
CHAR = CHAR_12  # average width of a 12px character, for laying out labels without a browser
ROW, BAR = 26, 14


@dataclass(frozen=True)
class Series:
    """One coloured set of bars: a value per category."""

    name: str
    values: tuple[float, ...]
    colour: str = ""


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart."""

    label: str
    value: float | None  # None: nothing measured ("never"), drawn faint across the whole axis
    text: str = ""  # what the bar's end says; the value by default
    highlight: bool = False


def empty_chart(title: str, message: str, width: int = WIDTH, cls: str = "") -> str:
    """A small picture saying there is nothing to draw, so the page keeps its shape; the message
    wraps onto lines in a narrow drawing (a phone's)."""
    lines = wrap(message, width - 24, 13, 4)
    height = 60 + (len(lines) - 1) * 17
    spans = "".join(f'<tspan x="{width / 2:.0f}" dy="{17 if i else 0}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" '
        f'aria-label="{escape(title)}: {escape(message)}" class="report-chart report-chart-empty{" " + cls if cls else ""}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{width / 2:.0f}" y="34" text-anchor="middle" font-size="13" fill="{AXIS_TEXT}">{spans}</text></svg>'
    )


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = False,
    empty: str = "Nothing to show for these filters.", width: int = WIDTH, cls: str = "",
) -> str:
    """Bars per category (a quarter): side by side, or stacked to show the total and its parts.

    ``width`` below 400 is a phone's drawing (``quarters_with_phone``): the categories go down the
    page instead, a row each, their bars across, so twelve quarters fit a phone's card at 12 px.
    """
    series = _fold(list(series))
    if not categories or not any(v for s in series for v in s.values):
        return empty_chart(title, empty, width, cls)
    if width < 400:
        return _category_rows(title, categories, series, stacked=stacked, width=width, cls=cls)
    count = len(categories)
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    heights = [
        sum(s.values[i] for s in series) if stacked else max(s.values[i] for s in series) for i in range(count)
    ]
    ticks = _ticks(max(heights))
    top_value = ticks[-1]
    # The value column is as wide as its widest label ("1.2e+15"), never narrower than LEFT.
    left = max(LEFT, max(text_width(short_number(v)) for v in ticks) + 14)
    legend, legend_height = _legend([s.name for s in series], colours)
    top = legend_height + 18  # the legend, then room for the value above the tallest bar
    height = top + PLOT_HEIGHT + BOTTOM
    inner_w = WIDTH - left - RIGHT
    group_w = inner_w / count

    def y(value: float) -> float:  # beyond what an axis holds (app.core.axes.DRAWABLE): at the top edge
        return top + PLOT_HEIGHT - min(value, top_value) / top_value * PLOT_HEIGHT

    parts = [_open(title, height, f"{len(series)} series over {count} categories", WIDTH, cls), legend,
             *_y_axis(ticks, y, left)]
    for i, category in enumerate(categories):
        x0 = left + i * group_w
        if stacked:
            width = min(group_w * 0.6, 56)
            x, base = x0 + (group_w - width) / 2, 0.0
            for j, (s, colour) in enumerate(zip(series, colours, strict=True)):
                if s.values[i] > 0:
                    parts.append(_rect(x, y(base + s.values[i]), width, y(base) - y(base + s.values[i]), colour,
                                       f"{s.name}, {category}: {short_number(s.values[i])}", j))
                    base += s.values[i]
            if base > 0 and text_width(short_number(base)) <= group_w - 4:
                parts.append(_value_text(x + width / 2, y(base) - 4, short_number(base)))
        else:
            width = min(group_w * 0.8 / len(series), 36)
            x = x0 + (group_w - width * len(series)) / 2
            for j, (s, colour) in enumerate(zip(series, colours, strict=True)):
                if s.values[i] > 0:
                    bx = x + j * width
                    parts.append(_rect(bx + 1, y(s.values[i]), width - 2, y(0) - y(s.values[i]), colour,
                                       f"{s.name}, {category}: {short_number(s.values[i])}", j))
                    if text_width(short_number(s.values[i])) <= width + 2:  # only where it cannot touch a neighbour's
                        parts.append(_value_text(bx + width / 2, y(s.values[i]) - 4, short_number(s.values[i])))
        parts.extend(_category_label(x0 + group_w / 2, top + PLOT_HEIGHT + 16, category, group_w))
    parts.append(f'<line x1="{left:.1f}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{AXIS_TEXT}"/>')
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    title: str, bars: Sequence[Bar], *, unit: str = "", threshold: float | None = None, threshold_label: str = "",
    highlight_label: str = "", empty: str = "Nothing to show for these filters.", width: int = WIDTH, cls: str = "",
) -> str:
    """One horizontal bar per row (a region, a kind), highlighted ones in the warning colour.

    ``width`` is the drawing's own: a chart for a half-width card is drawn narrower, so its
    text is not shrunk below reading size; below 400 (a phone's drawing, ``with_phone``) each
    label gets its own line above its bar. ``cls`` tells the page's stylesheet which drawing it is.
    """
    # Zero is a value worth drawing (triaged the same day, briefed today): callers that mean
    # "nothing happened" pass no bars.
    if not bars:
        return empty_chart(title, empty, width, cls)
    # A phone's drawing puts each label on a line of its own above its bar: the bars keep the width.
    narrow = width < 400
    row_h = ROW + 16 if narrow else ROW
    label_w = 8.0 if narrow else min(width * 0.34, max(len(b.label) for b in bars) * CHAR + 16)
    # The right margin holds the text at a bar's end ("never", "123 days"), however long it is.
    ends = [b.text or f"{short_number(b.value or 0)}{' ' + unit if unit else ''}" for b in bars]
    left, right = label_w, max(72, max(text_width(t) for t in ends) + 14)
    ticks = _ticks(max([b.value or 0 for b in bars] + [threshold or 0]))
    top_value = ticks[-1]
    show_legend = bool(highlight_label) and any(b.highlight for b in bars)
    # Each in its own band, so neither covers the other nor the bars: the legend, then the
    # threshold's label above its line, then the plot.
    legend_band = 26 if show_legend else 0
    threshold_band = 22 if threshold is not None else 0
    top = legend_band + threshold_band + 10
    height = top + len(bars) * row_h + 28
    inner_w = width - left - right

    def x(value: float) -> float:
        return left + min(value, top_value) / top_value * inner_w

    parts = [_open(title, height, f"{len(bars)} rows", width, cls)]
    if show_legend:
        parts.append(
            f'<g class="legend" font-size="{MIN_FONT}" fill="{TEXT}"><rect x="{left:.1f}" y="7" width="12" height="12" '
            f'fill="{WARNING}" stroke="#7f2a00" stroke-dasharray="2 1.5"/>'
            f'<text x="{left + 18:.1f}" y="17">{escape(highlight_label)}</text></g>'
        )
    bottom = top + len(bars) * row_h
    labelled = ticks
    while len(labelled) > 2 and inner_w / (len(labelled) - 1) < max(text_width(short_number(v)) for v in ticks) + 10:
        labelled = labelled[::2]  # every other value, until the labels stand apart
    for value in ticks:
        parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        if value not in labelled:
            continue
        parts.append(
            f'<text x="{x(value):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="{MIN_FONT}" fill="{AXIS_TEXT}">'
            f"{short_number(value)}</text>"
        )
    for i, bar in enumerate(bars):
        row_y = top + i * row_h
        mid = row_y + row_h - ROW / 2
        colour = WARNING if bar.highlight else PLAIN
        # A highlighted bar is outlined in dashes too, as its legend swatch: not told by colour alone.
        outline = ' stroke="#7f2a00" stroke-dasharray="2 1.5"' if bar.highlight else ""
        shown = bar.text or f"{short_number(bar.value or 0)}{' ' + unit if unit else ''}"
        if narrow:
            parts.append(
                f'<text x="{left:.1f}" y="{row_y + 14:.1f}" font-size="{MIN_FONT}" fill="{TEXT}">'
                f"<title>{escape(bar.label)}</title>{escape(_clip(bar.label, width - 2 * left))}</text>"
            )
        else:
            parts.append(
                f'<text x="{left - 8:.1f}" y="{mid + 4:.1f}" text-anchor="end" font-size="{MIN_FONT}" fill="{TEXT}">'
                f"<title>{escape(bar.label)}</title>{escape(_clip(bar.label, label_w - 16))}</text>"
            )
        if bar.value is None:  # never measured: faint and outlined, across the whole axis
            end = x(top_value)
            parts.append(
                f'<rect class="bar{" bar-warning" if bar.highlight else ""}" x="{left:.1f}" y="{mid - BAR / 2:.1f}" '
                f'width="{end - left:.1f}" height="{BAR}" fill="{colour}" fill-opacity="0.25" stroke="{colour}" '
                f'stroke-dasharray="4 3"><title>{escape(bar.label)}: {escape(shown)}</title></rect>'
            )
        else:
            end = x(bar.value)
            if bar.value > 0:
                parts.append(
                    f'<rect class="bar{" bar-warning" if bar.highlight else ""}" x="{left:.1f}" '
                    f'y="{mid - BAR / 2:.1f}" width="{end - left:.1f}" height="{BAR}" fill="{colour}"{outline}>'
                    f"<title>{escape(bar.label)}: {escape(shown)}</title></rect>"
                )
        weight = ' font-weight="600"' if bar.highlight else ""
        parts.append(
            f'<text x="{end + 6:.1f}" y="{mid + 4:.1f}" font-size="{MIN_FONT}" fill="{colour if bar.highlight else TEXT}"'
            f"{weight}>{escape(shown)}</text>"
        )
    if threshold is not None:
        tx = x(threshold)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top - 4}" y2="{bottom}" stroke="{TEXT}" stroke-dasharray="3 3"/>'
            f'<text class="threshold" x="{min(max(tx, left + text_width(threshold_label) / 2), width - 4 - text_width(threshold_label) / 2):.1f}" '
            f'y="{top - 10}" text-anchor="middle" font-size="{MIN_FONT}" fill="{TEXT}">'
            f"{escape(threshold_label)}</text>"
        )
    parts.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top}" y2="{bottom}" stroke="{AXIS_TEXT}"/></svg>')
    return "".join(parts)


def _category_rows(
    title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool, width: int, cls: str,
) -> str:
    """The phone's drawing of ``bar_chart``: a row per category, its name on a line above its bars,
    the bars across (one stacked bar, or a thin bar per series), each ending in its value."""
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    count = len(categories)
    lanes = 1 if stacked else len(series)
    # A lane per series, each as tall as the 12 px value at its end, so neighbouring values never touch.
    lane_h, gap = (BAR, 0) if stacked else (13, 3)
    row_h = 20 + lanes * (lane_h + gap) + 8  # the name, the bars, a gap
    totals = [sum(s.values[i] for s in series) if stacked else max(s.values[i] for s in series) for i in range(count)]
    ticks = _ticks(max(totals))
    top_value = ticks[-1]
    left = 8.0
    # The right margin holds the value at a bar's end, however long it is.
    right = max(text_width(short_number(v)) for v in [*totals, *ticks]) + 14
    legend, legend_height = _legend([s.name for s in series], colours, width, left)
    top = legend_height + 6
    bottom = top + count * row_h
    height = bottom + 28
    inner_w = width - left - right

    def x(value: float) -> float:  # beyond what an axis holds (app.core.axes.DRAWABLE): at the right edge
        return left + min(value, top_value) / top_value * inner_w

    parts = [_open(title, height, f"{len(series)} series over {count} categories", width, cls), legend]
    labelled = list(ticks)
    while len(labelled) > 2 and inner_w / (len(labelled) - 1) < max(text_width(short_number(v)) for v in ticks) + 10:
        labelled = labelled[::2]  # every other value, until the labels stand apart
    for value in ticks:
        parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        if value in labelled:
            parts.append(f'<text x="{x(value):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="{MIN_FONT}" '
                         f'fill="{AXIS_TEXT}">{short_number(value)}</text>')
    for i, category in enumerate(categories):
        row_y = top + i * row_h
        parts.append(f'<text x="{left:.1f}" y="{row_y + 14:.1f}" font-size="{MIN_FONT}" fill="{TEXT}">'
                     f"<title>{escape(category)}</title>{escape(_clip(category, width - 2 * left))}</text>")
        lane_y = row_y + 20
        if stacked:
            base = 0.0
            for j, (s, colour) in enumerate(zip(series, colours, strict=True)):
                if s.values[i] > 0:
                    parts.append(_rect(x(base), lane_y, x(base + s.values[i]) - x(base), lane_h, colour,
                                       f"{s.name}, {category}: {short_number(s.values[i])}", j))
                    base += s.values[i]
            parts.append(_end_text(x(base) + 6, lane_y + lane_h / 2 + 4, short_number(base)))
            continue
        for j, (s, colour) in enumerate(zip(series, colours, strict=True)):
            y = lane_y + j * (lane_h + gap)
            if s.values[i] > 0:
                parts.append(_rect(x(0), y, x(s.values[i]) - x(0), lane_h, colour,
                                   f"{s.name}, {category}: {short_number(s.values[i])}", j))
            parts.append(_end_text(x(s.values[i]) + 6, y + lane_h / 2 + 4, short_number(s.values[i])))
    parts.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top}" y2="{bottom}" stroke="{AXIS_TEXT}"/></svg>')
    return "".join(parts)


# --- pieces -----------------------------------------------------------------------------------

def _open(title: str, height: float, summary: str, width: int = WIDTH, cls: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" role="img" font-family="sans-serif" '
        f'aria-label="{escape(title)}: {escape(summary)}; the table below has the figures" class="report-chart{" " + cls if cls else ""}">'
        f"<title>{escape(title)}</title>"
    )


def _fold(series: list[Series]) -> list[Series]:
    """At most one series per colour: the smallest beyond that are summed into "Other"."""
    if len(series) <= len(PALETTE):
        return series
    ranked = sorted(series, key=lambda s: -sum(s.values))
    kept, rest = ranked[: len(PALETTE) - 1], ranked[len(PALETTE) - 1:]
    other = Series("Other", tuple(sum(values) for values in zip(*(s.values for s in rest), strict=True)))
    return [s for s in series if s in kept] + [other]


def _ticks(high: float) -> list[float]:
    """Axis values from 0; whole numbers for small counts (no "0.2 briefings")."""
    ticks = nice_ticks(0.0, max(high, 1.0))
    if len(ticks) > 1 and ticks[1] - ticks[0] < 1:
        return [float(i) for i in range(math.ceil(max(high, 1.0)) + 1)]
    return ticks


def _y_axis(ticks: Sequence[float], y: Callable[[float], float], left: float) -> list[str]:
    return [
        f'<line x1="{left:.1f}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}"/>'
        f'<text x="{left - 8:.1f}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="{MIN_FONT}" fill="{AXIS_TEXT}">{short_number(v)}</text>'
        for v in ticks
    ]


def _legend(names: Sequence[str], colours: Sequence[str], room: int = WIDTH, start: float = LEFT) -> tuple[str, int]:
    """Swatches and names left to right from ``start``, wrapping onto more lines within a drawing
    ``room`` wide; returns the markup and its height."""
    parts, x, line = [f'<g class="legend" font-size="{MIN_FONT}" fill="{TEXT}">'], float(start), 0
    for index, (name, colour) in enumerate(zip(names, colours, strict=True)):
        text = _clip(name, room - start - RIGHT - 36)  # whole, unless longer than a line of its own
        width = 20 + text_width(text) + 16
        if x + width > room - RIGHT and x > start:
            x, line = float(start), line + 1
        y = 6 + line * 20
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="14" height="14" fill="{colour}"/>'
                     f'{_symbol(index, x + 7, y + 7)}'
                     f'<text x="{x + 20:.1f}" y="{y + 11}"><title>{escape(name)}</title>{escape(text)}</text>')
        x += width
    parts.append("</g>")
    return "".join(parts), 8 + (line + 1) * 20


def _rect(x: float, y: float, width: float, height: float, colour: str, tip: str, index: int) -> str:
    """A bar, marked with its series' symbol where it has room, so that colour is not the only sign."""
    mark = _symbol(index, x + width / 2, y + height / 2) if height >= 12 and width >= 12 else ""
    return (f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>{mark}')


def _symbol(index: int, cx: float, cy: float, r: float = 3.5) -> str:
    """The series' white shape (circle, square, triangle, diamond, triangle down, plus, cross), drawn on
    its bars and its legend swatch: series are told apart in greyscale and by people who do not
    see their colours."""
    shapes = (
        f"M{cx - r:.1f},{cy:.1f} a{r},{r} 0 1,0 {2 * r},0 a{r},{r} 0 1,0 {-2 * r},0 Z",
        f"M{cx - r:.1f},{cy - r:.1f} h{2 * r} v{2 * r} h{-2 * r} Z",
        f"M{cx:.1f},{cy - r:.1f} L{cx + r:.1f},{cy + r:.1f} L{cx - r:.1f},{cy + r:.1f} Z",
        f"M{cx:.1f},{cy - r - 0.5:.1f} L{cx + r + 0.5:.1f},{cy:.1f} L{cx:.1f},{cy + r + 0.5:.1f} L{cx - r - 0.5:.1f},{cy:.1f} Z",
        f"M{cx - r:.1f},{cy - r:.1f} L{cx + r:.1f},{cy - r:.1f} L{cx:.1f},{cy + r:.1f} Z",
        f"M{cx - r:.1f},{cy:.1f} H{cx + r:.1f} M{cx:.1f},{cy - r:.1f} V{cy + r:.1f}",
        f"M{cx - r:.1f},{cy - r:.1f} L{cx + r:.1f},{cy + r:.1f} M{cx + r:.1f},{cy - r:.1f} L{cx - r:.1f},{cy + r:.1f}",
    )
    shape = shapes[index % len(shapes)]
    paint = 'fill="none" stroke="#fff" stroke-width="2"' if index % len(shapes) >= 5 else 'fill="#fff"'
    return f'<path class="series-mark" d="{shape}" {paint} aria-hidden="true"/>'



def _end_text(x: float, y: float, text: str) -> str:
    """The value at a horizontal bar's end."""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{MIN_FONT}" fill="{TEXT}">{escape(text)}</text>'


def _value_text(x: float, y: float, text: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{MIN_FONT}" fill="{TEXT}">{escape(text)}</text>'


def _category_label(x: float, y: float, label: str, room: float) -> list[str]:
    """One line when it fits under its group, else two ("Q1" over "2026")."""
    if len(label) * CHAR <= room - 4 or " " not in label:
        return [f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{MIN_FONT}" fill="{AXIS_TEXT}">'
                f"{escape(_clip(label, room))}</text>"]
    head, tail = label.rsplit(" ", 1)
    return [f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{MIN_FONT}" fill="{AXIS_TEXT}">'
            f'<tspan x="{x:.1f}">{escape(tail)}</tspan><tspan x="{x:.1f}" dy="13">{escape(head)}</tspan></text>']


def _clip(text: str, room: float) -> str:
    """Cut a label to the room it has, with an ellipsis (the full text stays in the title)."""
    fits = max(int(room / CHAR), 4)
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


# --- the report page's charts -----------------------------------------------------------------

#: The phone's drawing of a bar-per-row chart: narrower than a 360 px phone's card.
NARROW_WIDTH = 300


def with_phone(bars: Sequence[Bar], title: str, *, width: int = WIDTH, **options: Any) -> str:
    """A bar-per-row chart drawn at its width and at a phone's; the page shows the one its box
    holds (a container query in static/css/app.css), so nothing to draw is said once, too."""
    return (hbar_chart(title, bars, width=width, cls="report-chart-wide", **options)
            + hbar_chart(title, bars, width=NARROW_WIDTH, cls="report-chart-narrow", **options))


def quarters_with_phone(title: str, categories: Sequence[str], series: Sequence[Series], **options: Any) -> str:
    """A per-quarter chart drawn at its width and at a phone's (a row per quarter), like ``with_phone``."""
    return bar_chart(title, categories, series, cls="report-chart-wide", **options) + bar_chart(title, categories, series, width=NARROW_WIDTH, cls="report-chart-narrow", **options)


def report_charts(report: Report) -> dict[str, str]:
    """Every section's chart, by section name."""
    quarters = report.quarters
    briefed = [r for r in report.briefings if r.briefings]
    quiet = report.quiet_regions
    days = report.quiet_days
    return {
        "briefings": quarters_with_phone(
            "Briefings per quarter, by region", quarters,
            [Series(r.region, tuple(float(r.cells[q].briefings) if q in r.cells else 0.0 for q in quarters))
             for r in briefed],
            stacked=True, empty="No briefings in this period.",
        ),
        "quiet": with_phone(
            [Bar(r.region, None if r.days_since is None else float(r.days_since),
                 "never" if r.days_since is None else counted(r.days_since, "day"),
                 r.quiet) for r in quiet],
            "Days since each region's last briefing",
            threshold=float(days), threshold_label=f"{days} days",
            highlight_label=f"No briefing in the last {days} days",
            empty="No active regions.",
        ),
        "feedback": with_phone(
            [Bar(k.label, float(k.total)) for k in report.feedback] if any(k.total for k in report.feedback) else [],
            "Feedback received, by type",
            empty="No feedback received in this period.", width=HALF_WIDTH,
        ),
        "triage": with_phone(
            [Bar(t.label, float(t.median_days), f"{t.median_days} days") for t in report.triage
             if t.median_days is not None],
            "Median days to the first triage decision, by type",
            empty="No feedback received in this period has been triaged yet.", width=HALF_WIDTH,
        ),
        "commitments": quarters_with_phone(
            "Commitments per quarter of submission", quarters,
            [Series("Requested", tuple(float(q.requested) for q in report.commitments), PALETTE[0]),
             Series("Countersigned", tuple(float(q.countersigned) for q in report.commitments), PALETTE[2]),
             Series("Rejected", tuple(float(q.rejected) for q in report.commitments), PALETTE[5])],
            empty="No commitments submitted in this period.",
        ),
        "outcomes": quarters_with_phone(
            "Campaigns completed per quarter, by outcome", quarters,
            [Series("Achieved", tuple(float(q.achieved) for q in report.outcomes), PALETTE[2]),
             Series("Partially achieved", tuple(float(q.partial) for q in report.outcomes), PALETTE[1]),
             Series("Missed", tuple(float(q.missed) for q in report.outcomes), PALETTE[5])],
            stacked=True, empty="No campaign completed in this period.",
        ),
    }
