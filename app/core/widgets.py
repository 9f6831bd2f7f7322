"""The multiple choice every form draws: a list of checkboxes, usable without a mouse or a script.

A ``<select multiple>`` wants Ctrl-click, and hides what is chosen once its list scrolls. Each option
here is a real ``<input type="checkbox">`` named like the field, so the browser posts the very values
the select did (``region_ids=3&region_ids=7``) and the server validates them the same way, pages and
API alike; the page works with scripts off. What only a script can do — a filter box that hides the
options not matching, the chosen ones as removable chips, arrow keys between the options, the count
kept current — is added by ``static/js/multiselect.js`` over this markup (the box is drawn hidden
and shown by it, so no one without the script meets a box that does nothing).

The field's label is the legend of a ``<fieldset>`` drawn around this by ``render_field``
(``templates/macros/forms.html``), with the hint and the errors beside it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import html_params

#: From this many options on the list scrolls, so it gets the filter box; fewer fit at a glance.
FILTER_FROM = 8


def selected_words(count: int) -> str:
    """What the live count says: "None selected", "1 selected", "12 selected"."""
    return "None selected" if count == 0 else f"{count} selected"


class ChecklistWidget:
    """Draws a multiple-choice field as a filterable checkbox list; the chosen options come first."""

    #: render_field draws a group of inputs in a fieldset whose legend is the label, not a <label for>.
    grouped = True

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        base = kwargs.pop("id", None) or field.id
        classes = " ".join(filter(None, ("multiselect", kwargs.pop("class_", ""), kwargs.pop("class", ""))))
        choices = list(enumerate(field.iter_choices()))  # type: ignore[attr-defined]
        parts = [f"<div {html_params(id=base, class_=classes, data_multiselect=True, **kwargs)}>"]
        if not choices:
            parts.append('<p class="multiselect-empty muted small">Nothing to choose from yet.</p></div>')
            return Markup("".join(parts))
        filtered = len(choices) >= FILTER_FROM
        count = sum(1 for _, choice in choices if choice.selected)
        # The count, then (from the script) the chosen as chips, then the filter right above the options:
        # so Tab goes from the chips to the filter, and from the filter into the list.
        # Hidden like the filter: without the script it would not follow the ticks, and a stale count misleads.
        counter = html_params(id=f"{base}-count", class_="multiselect-count", aria_live="polite")
        parts.append(f'<div class="multiselect-summary" hidden><span {counter}>{selected_words(count)}</span></div>')
        if filtered:
            box = html_params(type="search", id=f"{base}-filter", class_="multiselect-filter", hidden=True,
                              autocomplete="off", placeholder="Filter…", aria_label=f"Filter {field.label.text.lower()}",
                              aria_controls=f"{base}-options")
            parts.append(f"<input {box}>")
        parts.append(f"<ul {html_params(id=f'{base}-options', class_='multiselect-options')}>")
        # Chosen first, each part in the order given, so what is picked is in view when the page opens;
        # the ids keep the order given (as WTForms' own do), whatever the order drawn.
        # Written out, not through html_params: 2,000 options take 5 ms so, 0.25 s through it (the select, 43 ms).
        prefix, name = escape(base), escape(field.name)
        for number, choice in sorted(choices, key=lambda pair: not pair[1].selected):
            checked = "checked " if choice.selected else ""
            extra = f" {html_params(**choice.render_kw)}" if choice.render_kw else ""
            parts.append(f'<li><input {checked}id="{prefix}-{number}" name="{name}" type="checkbox" '
                         f'value="{escape(choice.value)}"{extra}><label for="{prefix}-{number}">'
                         f"{escape(choice.label)}</label></li>")
        parts.append("</ul>")
        if filtered:  # said when a filter leaves nothing; a live region is there before it speaks
            parts.append(f"<p {html_params(id=f'{base}-none', class_='multiselect-none muted small', role='status')}></p>")
        parts.append("</div>")
        return Markup("".join(parts))
