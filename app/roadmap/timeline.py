"""The roadmap as a Gantt-style timeline: one row per milestone, the chosen baseline as ghosts.

``timeline_svg`` is pure (rows in, markup out, tested without a request); ``render`` builds the
rows of a campaign, so the page and the download draw the same picture. The page also gets a
phone's drawing (``render_page``): ``NARROW_WIDTH`` wide, each title on lines of its own above its
row's marks, shown instead of the wide one when the card is narrower than it (a container query in
static/css/app.css), so a phone reads it at 12 px without scrolling sideways. Shapes, strokes and
words carry every meaning, so the picture survives greyscale printing: colour only repeats them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from app.core.axes import MIN_FONT, month_labels, month_ticks, plain_number, shift, text_width, wrap
from app.core.text import counted, date_label
from app.projects.models import Project
from app.roadmap import services
from app.roadmap.models import Baseline
from workflows.milestone import MilestoneState

WIDTH = 960
NARROW_WIDTH = 300  # narrower than a 360 px phone's card, like the goal chart's narrow drawing
LEFT = 250  # the label column: titles wrap inside it, over up to LABEL_LINES lines
NARROW_LEFT = 12  # a phone's drawing has no label column: titles go above their marks
RIGHT = 24
HEAD = 46  # marker labels, then month labels
ROW_H = 30  # a row of one line; a wrapped title makes its row taller by LINE_H a line
LINE_H = 15
LABEL_LINES = 3
LABEL_FONT = 12.5
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

INK, MUTED, FAINT = "#111827", "#6b7280", "#9ca3af"
PLAN, DONE, LATE, EARLY, TODAY, NEW = "#4f46e5", "#047857", "#b91c1c", "#047857", "#b45309", "#1d4ed8"
MINUS = "\u2212"
TODAY_DASH, GHOST_END_DASH = "5 3", "1.5 3"  # dashes for today, dots for the baseline's end
HALO = ' stroke="#fff" stroke-width="3" paint-order="stroke"'  # keeps text readable over grid lines


@dataclass(frozen=True)
class Row:
    title: str
    due: date | None  # None: removed since the baseline
    baseline_due: date | None  # None: no baseline, or added since
    target: float | None
    state: str  # open, done, cancelled, removed, added
    overdue: bool = False
    slip_days: int | None = None


def timeline_svg(
    rows: Sequence[Row], start: date | None, end: date | None, today: date, baseline_label: str | None,
    baseline_start: date | None, baseline_end: date | None, unit: str = "", title: str = "Timeline",
    *, width: int = WIDTH,
) -> str:
    """An accessible SVG timeline, ``width`` wide and as tall as its rows need.

    Below ``WIDTH`` it is a phone's drawing: no label column, each title wrapped on the whole
    width above its row's marks, so the dates keep the picture's width.
    """
    narrow = width < WIDTH
    left = NARROW_LEFT if narrow else LEFT
    first, last = _domain(rows, (start, end, baseline_start, baseline_end), today)
    span = (last - first).days
    labels = [wrap(row.title, (width if narrow else LEFT) - 24, LABEL_FONT, LABEL_LINES) for row in rows]
    # A row: its marks' line, and the title's lines beside it (wide) or above it (narrow).
    heights = [ROW_H + (len(lines) * LINE_H + 4 if narrow else (len(lines) - 1) * LINE_H) for lines in labels]
    tops = [HEAD + sum(heights[:i]) for i in range(len(rows))]
    plot_bottom = HEAD + (sum(heights) if rows else ROW_H)

    def x(day: date) -> float:
        return left + (day - first).days / span * (width - left - RIGHT)

    show_today = first <= today <= last
    legend_top = plot_bottom + (30 if show_today else 14)  # room for the "today" label
    legend, legend_h = _legend(baseline_label, show_today, legend_top, width)
    height = legend_top + legend_h
    compared = f", compared with baseline {baseline_label}" if baseline_label else ""
    size = " roadmap-timeline-narrow" if narrow else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}: {len(rows)} milestone{"s" if len(rows) != 1 else ""}'
        f'{escape(compared)}" class="roadmap-timeline{size}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for i in range(1, len(rows), 2):  # zebra stripes, light enough for any printer
        parts.append(f'<rect x="0" y="{tops[i]}" width="{width}" height="{heights[i]}" fill="#f5f6f8"/>')
    parts.append(f'<line x1="{left}" x2="{width - RIGHT}" y1="{HEAD}" y2="{HEAD}" stroke="#d1d5db"/>')
    months = _months(first, last, width - left - RIGHT)
    for day, label in zip(months, month_labels(months), strict=True):
        parts.append(
            f'<g class="tl-tick"><line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{HEAD - 5}" y2="{plot_bottom}" '
            f'stroke="#e5e7eb"/><text x="{_inside(x(day), label, width):.1f}" y="{HEAD - 10}" '
            f'text-anchor="middle" font-size="{MIN_FONT}" fill="{MUTED}"{HALO}>{label}</text></g>'
        )
    parts += _markers(x, start, end, baseline_label, baseline_end, plot_bottom, width)
    if show_today:
        parts.append(
            f'<g class="tl-today"><title>Today, {date_label(today)}</title>'
            f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{HEAD}" y2="{plot_bottom + 4}" stroke="{TODAY}" '
            f'stroke-width="1.5" stroke-dasharray="{TODAY_DASH}"/><text x="{_inside(x(today), "today", width):.1f}" '
            f'y="{plot_bottom + 16}" '
            f'text-anchor="middle" font-size="{MIN_FONT}" font-weight="600" fill="{TODAY}">today</text></g>'
        )
    if not rows:
        parts.append(f'<text x="{left + 12}" y="{HEAD + ROW_H / 2 + 4}" font-size="12" fill="{MUTED}">'
                     "No milestones yet</text>")
    for row, top, lines in zip(rows, tops, labels, strict=True):
        parts.append(_row(row, top, lines, x, unit, baseline_label, width))
    parts += legend
    parts.append("</svg>")
    return "".join(parts)


def render(project: Project, baseline: Baseline | None, today: date, width: int = WIDTH) -> str:
    """The timeline of a campaign, compared with ``baseline`` when given.

    The end markers are the plans' ends as the comparison sees them (the end date, or a
    milestone pushed past it), so the picture's "End (+N d)" agrees with the card's summary.
    """
    milestones = {str(m.uuid): m for m in project.milestones}
    rows: list[Row] = []
    end, baseline_end = project.end_date, None
    if baseline is None:
        for m in sorted(project.milestones, key=lambda m: (m.due_date, m.title)):
            rows.append(Row(m.title, m.due_date, None, m.target_value, m.state, m.is_overdue(today)))
    else:
        compared = services.comparison(project, baseline)
        end, baseline_end = compared.current_end, compared.baseline_end
        for item in compared.items:
            m = milestones.get(item.key)
            if m is None:  # removed since the baseline
                rows.append(Row(item.title, None, item.baseline_due, item.baseline_target, "removed"))
                continue
            state = "added" if item.kind == "added" and m.state == MilestoneState.OPEN else m.state
            rows.append(Row(m.title, m.due_date, item.baseline_due, m.target_value, state, m.is_overdue(today),
                            item.slip_days))
    return timeline_svg(
        rows, project.start_date, end, today, baseline.label if baseline else None,
        baseline.start_date if baseline else None, baseline_end,
        project.goal_unit or "", f"Timeline of {project.title}", width=width,
    )


def render_page(project: Project, baseline: Baseline | None, today: date) -> str:
    """The campaign page's timeline: the wide drawing and the phone's; the page shows the one its card holds."""
    return render(project, baseline, today) + render(project, baseline, today, width=NARROW_WIDTH)


# --- pieces ----------------------------------------------------------------------------------


def _row(row: Row, top: float, lines: list[str], x: Callable[[date], float], unit: str,
         baseline_label: str | None, width: int = WIDTH) -> str:
    """A milestone's row: its title wrapped in the label column and its marks at the middle of the row,
    or, in a phone's drawing, the title above and the marks below."""
    narrow = width < WIDTH
    label_h = len(lines) * LINE_H + 4 if narrow else 0
    cy = top + label_h + ROW_H / 2 if narrow else top + (ROW_H + (len(lines) - 1) * LINE_H) / 2
    label_y = top + LINE_H if narrow else top + ROW_H / 2 + 4
    removed = row.state == "removed"
    new = row.state == "added" or (baseline_label is not None and row.baseline_due is None and not removed)
    ghost = row.baseline_due is not None and (removed or row.baseline_due != row.due)
    classes = ["tl-row", f"tl-{row.state}"] + [name for name, on in (
        ("tl-overdue", row.overdue), ("tl-moved", ghost and not removed), ("tl-new", new)) if on]
    label_fill = LATE if row.overdue else FAINT if row.state in (MilestoneState.CANCELLED, "removed") else INK
    label_style = (' font-weight="600"' if row.overdue else "") + (' text-decoration="line-through"' if removed else "")
    if narrow:  # the title lies across the plot's lines there: a halo keeps it readable
        label_style += HALO
    out = [
        f'<g class="{escape(" ".join(classes))}"><title>{escape(_describe(row, unit, baseline_label))}</title>',
        f'<text class="tl-label" x="12" y="{label_y:.1f}" font-size="{LABEL_FONT}" fill="{label_fill}"'
        f'{label_style}><title>{escape(row.title)}</title>'
        + "".join(f'<tspan x="12" dy="{LINE_H if i else 0}">{escape(line)}</tspan>' for i, line in enumerate(lines))
        + "</text>",
    ]
    xs = []
    if ghost and row.baseline_due is not None:
        gx = x(row.baseline_due)
        xs.append(gx)
        if row.due is not None:
            out.append(f'<line class="tl-link" x1="{gx:.1f}" x2="{x(row.due):.1f}" y1="{cy}" y2="{cy}" '
                       f'stroke="{FAINT}" stroke-width="1.5"/>')
        out.append(_ghost(gx, cy))
        if removed:
            out.append(f'<line class="tl-strike" x1="{gx - 10:.1f}" x2="{gx + 10:.1f}" y1="{cy}" y2="{cy}" '
                       f'stroke="{INK}" stroke-width="1.5"/>')
    if row.due is not None:
        cx = x(row.due)
        xs.append(cx)
        out.append(_mark(row, cx, cy))
    out.append(_notes(row, xs, cy, unit, new, width))
    out.append("</g>")
    return "".join(out)


def _mark(row: Row, cx: float, cy: float, cls: str = "tl-mark") -> str:
    """The current date: filled when planned, ticked when done, big with a "!" when overdue, crossed out grey
    when cancelled."""
    if row.state == MilestoneState.CANCELLED:
        return (f'<path class="{cls}" d="{_diamond(cx, cy, 7)}" fill="#e5e7eb" stroke="{FAINT}" stroke-width="1.5"/>'
                f'<path d="M{cx - 3:.1f},{cy - 3:.1f} L{cx + 3:.1f},{cy + 3:.1f} M{cx + 3:.1f},{cy - 3:.1f} '
                f'L{cx - 3:.1f},{cy + 3:.1f}" stroke="{MUTED}" stroke-width="1.3"/>')
    if row.state == MilestoneState.DONE:
        return (f'<path class="{cls}" d="{_diamond(cx, cy, 8)}" fill="{DONE}" stroke="{DONE}" stroke-width="1.5"/>'
                f'<path d="M{cx - 3.5:.1f},{cy:.1f} L{cx - 1:.1f},{cy + 2.6:.1f} L{cx + 3.5:.1f},{cy - 2.6:.1f}" '
                f'fill="none" stroke="#fff" stroke-width="1.6"/>')
    if row.overdue:  # bigger, darker, with a thick outline: still unmistakable in grey
        return (f'<path class="{cls}" d="{_diamond(cx, cy, 8.5)}" fill="{LATE}" stroke="#7f1d1d" '
                f'stroke-width="2"/><text x="{cx:.1f}" y="{cy + 3.6:.1f}" text-anchor="middle" '
                f'font-size="{MIN_FONT}" font-weight="700" fill="#fff">!</text>')
    return f'<path class="{cls}" d="{_diamond(cx, cy, 7)}" fill="{PLAN}" stroke="{PLAN}" stroke-width="1.5"/>'


def _notes(row: Row, xs: list[float], cy: float, unit: str, new: bool, width: int = WIDTH) -> str:
    """Target, slip and flags beside the marks: on the right, or on the left when there is no room."""
    notes = []
    if row.target is not None:
        notes.append(("tl-target", f"{plain_number(row.target)} {unit}".strip(), "#374151", "500"))
    if row.slip_days:
        notes.append(("tl-slip", _slip(timedelta(days=row.slip_days)), LATE if row.slip_days > 0 else EARLY, "700"))
    for cls, text, colour, on in (("tl-flag-new", "new", NEW, new), ("tl-flag-overdue", "overdue", LATE, row.overdue),
                                  ("tl-flag-cancelled", "cancelled", MUTED, row.state == MilestoneState.CANCELLED),
                                  ("tl-flag-removed", "removed", MUTED, row.state == "removed")):
        if on:
            notes.append((cls, text, colour, "600"))
    if not notes or not xs:
        return ""
    size = sum(text_width(text) + 8 for _, text, _, _ in notes)
    right = max(xs) + 12
    anchor, at = ("start", right) if right + size <= width - 4 else ("end", min(xs) - 12)
    spans = "".join(f'<tspan class="{cls}" fill="{colour}" font-weight="{weight}" dx="{8 if i else 0}">'
                    f"{escape(text)}</tspan>" for i, (cls, text, colour, weight) in enumerate(notes))
    return f'<text x="{at:.1f}" y="{cy + 4:.1f}" text-anchor="{anchor}" font-size="{MIN_FONT}">{spans}</text>'


def _markers(x: Callable[[date], float], start: date | None, end: date | None, baseline_label: str | None,
             baseline_end: date | None, plot_bottom: float, width: int = WIDTH) -> list[str]:
    """Start and end as solid labelled lines; the baseline's end, where it differs, as a dotted ghost.

    The ghost has no label of its own (it would collide with the end's): the end's label says the
    slip, the legend says what the dotted line is, and its title gives the date.
    """
    ghost = baseline_end if baseline_label and baseline_end and baseline_end != end else None
    marks = [("tl-start", start, "Start", INK, ""),
             ("tl-end", end, f"End ({_slip(end - ghost)})" if end and ghost else "End", INK, ""),
             ("tl-baseline-end", ghost, "", MUTED, f' stroke-dasharray="{GHOST_END_DASH}"')]
    out, taken = [], []  # the spans of the labels placed so far, so that none is drawn over another
    for cls, day, label, colour, dash in marks:
        if day is None:
            continue
        at = x(day)
        full = f"{label}: {date_label(day)}" if label else f"End in {baseline_label}: {date_label(day)}"
        out.append(f'<g class="{cls}"><title>{escape(full)}</title><line x1="{at:.1f}" x2="{at:.1f}" '
                   f'y1="{8 if label else HEAD}" y2="{plot_bottom}" stroke="{colour}" stroke-width="1.5"{dash}/>')
        if label:
            # Right of the line, else left of it; with no room either side (a start and an end days
            # apart) the label is left out: the line's title and the legend still say what it is.
            size = text_width(label)
            for side, left in (("start", at + 4), ("end", at - 4 - size)):
                span = (left, left + size)
                if span[0] >= 0 and span[1] <= width and all(span[1] <= a or span[0] >= b for a, b in taken):
                    taken.append(span)
                    out.append(f'<text x="{at + (4 if side == "start" else -4):.1f}" y="17" text-anchor="{side}" '
                               f'font-size="{MIN_FONT}" font-weight="600" fill="{colour}"{HALO}>{escape(label)}</text>')
                    break
        out.append("</g>")
    return out


def _legend(baseline_label: str | None, show_today: bool, top: float, room: int = WIDTH) -> tuple[list[str], int]:
    """The key, drawn with the very marks of the rows, wrapped onto as many lines as it needs."""
    day = date.min

    def line(colour: str, dash: str = "") -> str:
        return f'<line x1="8" x2="8" y1="-8" y2="8" stroke="{colour}" stroke-width="1.5"{dash}/>'

    items = [("current date", _mark(Row("", day, None, None, MilestoneState.OPEN), 8, 0, "tl-key")),
             ("done", _mark(Row("", day, None, None, MilestoneState.DONE), 8, 0, "tl-key")),
             ("overdue", _mark(Row("", day, None, None, MilestoneState.OPEN, overdue=True), 8, 0, "tl-key")),
             ("cancelled", _mark(Row("", day, None, None, MilestoneState.CANCELLED), 8, 0, "tl-key"))]
    if baseline_label:
        items.append((f"date in {_truncate(baseline_label, 28)}", _ghost(8, 0, "tl-key")))
    items.append(("start / end", line(INK)))
    if show_today:
        items.append(("today", line(TODAY, f' stroke-dasharray="{TODAY_DASH}"')))
    if baseline_label:
        items.append(("baseline end", line(MUTED, f' stroke-dasharray="{GHOST_END_DASH}"')))
    out = [f'<g class="tl-legend" font-size="{MIN_FONT}" fill="#374151">']
    left, row = 12.0, 0
    for text, symbol in items:
        width = 22 + text_width(text) + 18
        if left + width > room - 12:
            left, row = 12.0, row + 1
        out.append(f'<g transform="translate({left:.1f},{top + 8 + row * 22:.1f})">{symbol}'
                   f'<text x="22" y="4">{escape(text)}</text></g>')
        left += width
    out.append("</g>")
    return out, 22 * (row + 1) + 4


def _describe(row: Row, unit: str, baseline_label: str | None) -> str:
    words = [row.title]
    if row.due is not None:
        words.append(f"due {date_label(row.due)}")
    if row.baseline_due is not None and row.baseline_due != row.due:
        words.append(f"{'was' if row.due else 'removed; was due'} {date_label(row.baseline_due)} in {baseline_label}")
    if row.slip_days:
        words.append(f"{counted(abs(row.slip_days), 'day')} "
                     f"{'later' if row.slip_days > 0 else 'earlier'}")
    if row.target is not None:
        words.append(f"target {plain_number(row.target)} {unit}".strip())
    if row.state == "added":
        words.append(f"added since {baseline_label}" if baseline_label else "added")
    words += [flag for flag, on in (("overdue", row.overdue), (row.state, row.state in (MilestoneState.DONE, MilestoneState.CANCELLED))) if on]
    return ", ".join(words)


def _domain(rows: Sequence[Row], edges: Sequence[date | None], today: date) -> tuple[date, date]:
    """From the earliest to the latest date drawn, padded so edge marks stay whole.

    Today widens nothing: the picture is about the plan. It only centres a picture with no dates.
    """
    days = [d for d in (*edges, *(r.due for r in rows), *(r.baseline_due for r in rows)) if d is not None]
    first, last = (min(days), max(days)) if days else (shift(today, -30), shift(today, 30))
    pad = max(3, (last - first).days // 40)
    first, last = shift(first, -pad), shift(last, pad)
    return (first, last) if last > first else (first, shift(first, 1))  # one day at the calendar's end


def _months(first: date, last: date, room: float = WIDTH - LEFT - RIGHT) -> list[date]:
    """First-of-month dates within the axis (``room`` wide), thinned so that the widest label
    ("Sep 2027") fits between two ticks."""
    return month_ticks(first, last, max(2, int(room / (text_width("Sep 2027") + 16))))


def _inside(at: float, label: str, width: int) -> float:
    """Where a label centred on ``at`` goes: there, or moved in just enough to stay whole in the
    picture (a tick or today at the edge of a phone's drawing, which has no label column)."""
    half = text_width(label, MIN_FONT + 1) / 2  # today's is bold: a little wider
    return min(max(at, half + 2), width - half - 2)


def _slip(delta: timedelta) -> str:
    """+12 d, or −5 d with a real minus sign."""
    return f"{'+' if delta.days > 0 else MINUS if delta.days < 0 else ''}{abs(delta.days)} d"


def _ghost(cx: float, cy: float, cls: str = "tl-ghost") -> str:
    """A date in the baseline: a hollow, dashed diamond."""
    return (f'<path class="{cls}" d="{_diamond(cx, cy, 6)}" fill="#fff" stroke="{MUTED}" stroke-width="1.5" '
            'stroke-dasharray="2.5 1.5"/>')


def _truncate(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _diamond(cx: float, cy: float, r: float) -> str:
    return f"M{cx:.1f},{cy - r:.1f} L{cx + r:.1f},{cy:.1f} L{cx:.1f},{cy + r:.1f} L{cx - r:.1f},{cy:.1f} Z"

