"""What every chart and picture shares: round axis values, month ticks, numbers short enough to
label, and dates moved without leaving the calendar.

Renderers draw whatever the database holds, including values written before the value rule
(app/core/values.py) bounded them: a value beyond ``DRAWABLE`` is drawn at the edge, labelled
in scientific notation, and a date near year 1 or 9999 still gets an axis.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

#: The smallest text any chart draws, in its own units. Each chart is laid out so that a unit is at
#: least a CSS pixel where it is shown (phones get a narrower drawing, or scroll a full-size one).
MIN_FONT = 12
#: The average advance of a character at ``MIN_FONT`` in the sans-serif fonts pages use, a little
#: generous so that wide letters and non-Latin scripts still fit the room the layout gives them.
CHAR_12 = 7.2

#: The largest magnitude drawn to scale: far beyond any goal the value rule admits (1e12).
DRAWABLE = 1e15


def drawable(value: float) -> float:
    """``value`` clamped into what an axis can hold (NaN becomes 0)."""
    if math.isnan(value):
        return 0.0
    return max(-DRAWABLE, min(DRAWABLE, value))


def nice_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Round axis values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    low, high = drawable(low), drawable(high)
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):  # flat, or narrower than floats can label
        high = low + max(1.0, abs(low) * 1e-6)
    raw = (high - low) / (target - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    count = math.ceil((high - start) / step - 1e-9)
    digits = max(0, 1 - math.floor(math.log10(step)))  # enough to tell neighbouring ticks apart
    return [round(start + i * step, digits) for i in range(count + 1)]


# (from, divide by, suffix): thousands only from 10,000 on, where "12k" reads faster than "12,000".
_SCALES = ((1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k"))


def short_number(value: float) -> str:
    """A chart label: 1.5, 12k, 3.4M, 2B; beyond trillions 1.2e+15; never hundreds of digits."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞" if value < 0 else "—"
    size = abs(value)
    if size >= 1e15:
        return f"{value:.2g}"
    for at_least, unit, suffix in _SCALES:
        if size >= at_least:
            scaled = value / unit
            text = f"{scaled:,.0f}" if abs(scaled) >= 10 else f"{scaled:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def plain_number(value: float, digits: int = 1) -> str:
    """A number as people write it (12,500.5), in scientific notation when it is too long for a page."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞" if value < 0 else "—"
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, stopping at the calendar's first or last day instead of failing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def month_ticks(first: date, last: date, most: int) -> list[date]:
    """First-of-month dates within first..last, evenly thinned to at most ``most``."""
    def index(day: date) -> int:
        return day.year * 12 + day.month - 1

    begin = index(first) + (0 if first.day == 1 else 1)
    count = index(last) - begin + 1
    if count <= 0:
        return []
    step = -(-count // most)
    return [date(i // 12, i % 12 + 1, 1) for i in range(begin, begin + count, step)]


def month_labels(ticks: list[date]) -> list[str]:
    """A label per month tick: the year on the first tick and on the first tick of each year.

    Thinned ticks may skip January ("Dec, Feb, Apr…"), so the year goes where it changes from the
    tick before, not on January: a reader of any tick finds its year at most one label back.
    """
    labels, year = [], None
    for day in ticks:
        labels.append(day.strftime("%b") if day.year == year else f"{day.strftime('%b')} {day.year}")
        year = day.year
    return labels


def text_width(text: str, size: float = MIN_FONT) -> float:
    """The width a layout gives ``text`` at font ``size`` (no browser to measure it on the server)."""
    return len(text) * CHAR_12 * size / MIN_FONT


def wrap(text: str, room: float, size: float = MIN_FONT, most: int = 3) -> list[str]:
    """``text`` broken at spaces into lines of at most ``room`` wide, at most ``most`` lines.

    A word longer than a line is cut; only what still does not fit after ``most`` lines ends in
    an ellipsis (callers keep the whole text in a ``<title>``).
    """
    fits = max(int(room / text_width("x", size)), 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > fits:  # a long word (a URL, a product code) is cut where the line ends
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:fits])
            word = word[fits:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= fits:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    if len(lines) > most:
        last = " ".join(lines[most - 1:])
        lines = lines[: most - 1] + [last[: fits - 1].rstrip() + "…"]
    return lines
