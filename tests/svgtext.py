"""The text boxes a chart's layout assumes, read back from its SVG, to prove that no two overlap.

No browser on the server: a box is the advance ``app.core.axes.text_width`` gives (what the
renderers lay out with) by the font size's ascent and descent, placed by x, y, text-anchor, the
lines of its ``<tspan x=…>`` and the ``translate`` of the groups around it. The browser test
measures the real thing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import combinations

from app.core.axes import text_width

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Box:
    text: str
    size: float
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, slack: float = 0.5) -> bool:
        return (self.left < other.right - slack and other.left < self.right - slack
                and self.top < other.bottom - slack and other.top < self.bottom - slack)


def _own_text(element: ET.Element) -> str:
    """The words an element shows: its text and its children's, but not a ``<title>`` tooltip."""
    words = [element.text or ""]
    for child in element:
        if child.tag != f"{SVG}title":
            words.append(_own_text(child))
        words.append(child.tail or "")
    return "".join(words)


def _box(text: str, size: float, x: float, y: float, anchor: str) -> Box:
    width = text_width(text, size)
    left = x - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
    return Box(text, size, left, y - 0.8 * size, left + width, y + 0.2 * size)


def text_boxes(svg: str) -> list[Box]:
    """One box per line of text in ``svg``."""
    boxes: list[Box] = []

    def walk(element: ET.Element, dx: float, dy: float, size: float | None, anchor: str) -> None:
        move = re.match(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", element.get("transform", ""))
        if move:
            dx, dy = dx + float(move.group(1)), dy + float(move.group(2))
        size = float(element.get("font-size", size or 16))
        anchor = element.get("text-anchor", anchor)
        if element.tag != f"{SVG}text":
            for child in element:
                walk(child, dx, dy, size, anchor)
            return
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        lines = [t for t in element if t.tag == f"{SVG}tspan" and t.get("x") is not None]
        if not lines:
            text = _own_text(element)
            extra = sum(float(t.get("dx", 0)) for t in element if t.tag == f"{SVG}tspan")
            boxes.append(_box(text, size, x + dx, y + dy, anchor))
            if extra:  # spans pushed apart by dx: the line is that much wider
                b = boxes.pop()
                boxes.append(Box(b.text, size, b.left - (extra if anchor == "end" else 0), b.top,
                                 b.right + (0 if anchor == "end" else extra), b.bottom))
            return
        line_y = y
        for span in lines:
            line_y += float(span.get("dy", 0))
            boxes.append(_box(_own_text(span), float(span.get("font-size", size)), float(span.get("x")) + dx,
                              line_y + dy, anchor))

    walk(ET.fromstring(svg), 0.0, 0.0, None, "start")
    return [b for b in boxes if b.text.strip()]


def overlapping(svg: str) -> list[tuple[str, str]]:
    """Every pair of texts whose boxes overlap."""
    return [(a.text, b.text) for a, b in combinations(text_boxes(svg), 2) if a.overlaps(b)]


def outside(svg: str) -> list[str]:
    """Texts that reach beyond the drawing's viewBox."""
    _, _, width, height = (float(v) for v in ET.fromstring(svg).get("viewBox").split())
    return [b.text for b in text_boxes(svg) if b.left < -0.5 or b.right > width + 0.5 or b.top < -0.5
            or b.bottom > height + 0.5]


def font_sizes(svg: str) -> set[float]:
    """Every font size a text is drawn at (its own or the one it inherits)."""
    return {b.size for b in text_boxes(svg)}
