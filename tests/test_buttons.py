"""The button vocabulary (static/css/app.css, "Buttons"; README, "Buttons: one vocabulary"),
held by a scan of every template and by rendering the lifecycle macro.

Red means the last step of something that cannot be undone; amber, going ahead over blockers the
page has listed; at most one primary button per form; a refused step cannot be pressed and says
why once, in the element its aria-describedby names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from workflows.commitment import COMMITMENT_WORKFLOW
from workflows.engine import Decision, Transition, Workflow
from workflows.milestone import MILESTONE_WORKFLOW
from workflows.project import PROJECT_WORKFLOW

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: What a danger button may say: it destroys, revokes or ends something for good.
DESTRUCTIVE = re.compile(
    r"^(Delete|Remove|Revoke|Discard|End|Forget|Sign out everywhere|Turn off|Turn feeds off|Cancel|Withdraw)\b"
)
#: What a warning button may say: it goes ahead over the blockers the page lists.
OVERRIDE = re.compile(r"despite blockers")

_CLASS = r"""class="(?P<cls>[^"]*btn-(?:danger|warning)[^"]*)\""""
#: A literal button or link with a danger or warning class, and its label up to its closing tag.
_ELEMENT = re.compile(r"<(?P<tag>button|a|summary)\b[^>]*" + _CLASS + r"[^>]*>(?P<label>.*?)</(?P=tag)>", re.S)
_MACRO = re.compile(r"\{%-?\s*macro post_button\((?P<params>[^)]*)\)")
_STRING = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")


def _arguments(text: str, start: int) -> list[str]:
    """The top-level arguments of the call whose "(" is at ``start``."""
    args, depth, quote, current = [], 0, "", ""
    for char in text[start + 1:]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return [*args, current]
            depth -= 1
        elif char == "," and depth == 0:
            args, current = [*args, current], ""
            continue
        current += char
    raise ValueError("an unclosed call")


def _post_buttons(text: str) -> list[tuple[str, str]]:
    """Each post_button(...) call's (class, label); a template may define its own macro and default."""
    params = ["action", "label", "confirm", "class_"]
    default = "btn btn-danger"  # templates/macros/ui.html
    if own := _MACRO.search(text):
        params = [p.split("=")[0].strip() for p in _arguments(text, own.start("params") - 1)]
        default = next((p.split("=", 1)[1].strip().strip("'\"") for p in own["params"].split(",")
                        if p.strip().startswith("class_")), default)
    calls: list[tuple[str, str]] = []
    for match in re.finditer(r"post_button\(", text):
        if own and match.start() == own.start("params") - len("post_button("):
            continue
        named: dict[str, str] = {}
        for index, arg in enumerate(_arguments(text, match.end() - 1)):
            key, sep, value = arg.partition("=")
            if sep and re.fullmatch(r"\s*\w+\s*", key) and not value.startswith("="):
                named[key.strip()] = value
            elif index < len(params):
                named[params[index]] = arg
        label, cls = (_STRING.match(named.get(k, "")) for k in ("label", "class_"))
        calls.append(((cls[1] or cls[2]) if cls else default, (label[1] or label[2]) if label else named.get("label", "")))
    return calls


def _templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html") if "email" not in path.parts)


def _coloured_labels() -> list[tuple[str, str, str]]:
    """Every (template, class, label) of a danger or warning button the templates write."""
    found: list[tuple[str, str, str]] = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(TEMPLATES))
        for match in _ELEMENT.finditer(text):
            found.append((name, match["cls"], re.sub(r"\s+", " ", match["label"]).strip()))
        found.extend((name, cls, label.strip()) for cls, label in _post_buttons(text)
                     if "btn-danger" in cls or "btn-warning" in cls)
    return found


def test_the_scan_sees_the_templates_coloured_buttons() -> None:
    labels = {(name, label) for name, _, label in _coloured_labels()}
    assert ("briefings/show.html", "Delete") in labels  # a post_button with the default class
    assert ("calendars/admin.html", "Turn feeds off") in labels  # a literal button
    assert ("commitments/show.html", "Submit despite blockers") in labels


@pytest.mark.parametrize("found", _coloured_labels(), ids=lambda f: f"{f[0]}:{f[2][:30]}")
def test_a_red_button_destroys_and_an_amber_one_overrides_blockers(found: tuple[str, str, str]) -> None:
    name, cls, label = found
    if "btn-warning" in cls:
        assert OVERRIDE.search(label), f"{name}: {label!r} is amber, yet goes over no blockers"
    elif "{{" in label:
        # The lifecycle macro: red only for a workflow step marked for good (see the next test).
        assert "t.for_good" in cls, f"{name}: {label!r} is red whatever it does"
    else:
        assert DESTRUCTIVE.match(label), f"{name}: {label!r} is red, yet destroys nothing for good"


@pytest.mark.parametrize("workflow", [PROJECT_WORKFLOW, MILESTONE_WORKFLOW, COMMITMENT_WORKFLOW],
                         ids=lambda w: w.name)
def test_a_step_for_good_is_one_that_says_so_and_asks_why(workflow: Workflow[object]) -> None:
    for transition in workflow.transitions:
        if transition.for_good:
            assert DESTRUCTIVE.match(transition.label), transition
            assert "reason" in transition.requires, f"{transition.event}: its opener must ask again"


def test_only_a_campaign_cancel_and_a_withdrawn_promise_are_for_good() -> None:
    # A milestone cancelled can be reopened, a campaign put on hold resumed: neither is red.
    for_good = {(wf.name, t.event) for wf in (PROJECT_WORKFLOW, MILESTONE_WORKFLOW, COMMITMENT_WORKFLOW)
                for t in wf.transitions if t.for_good}
    assert for_good == {("project", "cancel"), ("commitment", "withdraw")}


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_a_form_has_at_most_one_primary_button(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for form in re.findall(r"<form\b.*?</form>", text, re.S):
        primaries = re.findall(r"btn-primary", form)
        assert len(primaries) <= 1, f"{path.name}: a form with {len(primaries)} primary buttons:\n{form[:300]}"


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_step_looks_refused_yet_can_be_pressed(path: Path) -> None:
    # The old way (a dimmed "blocked" button that still posted) stated a refusal twice.
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"class=\"[^\"]*\bblocked\b", text), f"{path.name}: use refused_step from macros/ui.html"
    for match in re.finditer(r"<button\b[^>]*aria-disabled[^>]*>", text):
        assert 'type="button"' in match[0] and "aria-describedby" in match[0], match[0]


# --- the lifecycle macro, rendered ----------------------------------------------------------------

def _option(event: str, label: str, reasons: tuple[str, ...] = (), **kwargs: object) -> tuple[object, object]:
    transition: Transition[object] = Transition(event, frozenset({"a"}), "b", frozenset({"owner"}), label, **kwargs)
    return transition, Decision(event, transition, reasons)


def _render(app: Flask, options: list[tuple[object, object]], compact: bool) -> str:
    source = ('{% from "projects/_transitions.html" import transition_buttons %}'
              "{{ transition_buttons(options, '/campaigns/7/transition', compact=compact, noun='campaign') }}")
    with app.test_request_context():
        return render_template_string(source, options=options, compact=compact)


def _labels(html: str, css_class: str) -> list[str]:
    return re.findall(r'<(?:button|summary)\b[^>]*class="[^"]*\b' + css_class + r'\b[^"]*"[^>]*>([^<]*)<', html)


OPTIONS = [
    _option("submit", "Submit for planning", ("Add at least one milestone.",)),
    _option("hold", "Put on hold", requires=("reason",)),
    _option("revise", "Return to draft"),
    _option("complete", "Complete"),
    _option("cancel", "Cancel", requires=("reason",), for_good=True),
]


def test_the_lifecycle_row_has_one_primary_and_red_only_inside_the_step_for_good(app: Flask) -> None:
    html = _render(app, OPTIONS, compact=False)
    # The row's way forward, and the hold form's own confirm: each the one primary of its form.
    assert _labels(html, "btn-primary") == ["Put on hold", "Complete"]
    assert all(form.count("btn-primary") <= 1 for form in re.findall(r"<form\b.*?</form>", html, re.S))
    assert _labels(html, "btn-danger") == ["Cancel campaign"]  # a bare "Cancel" would read as "close the form"
    assert re.findall(r'<summary class="btn" data-event="\w+">([^<]*)</summary>', html) == ["Put on hold…", "Cancel…"]


def test_a_compact_row_has_no_primary(app: Flask) -> None:
    assert _labels(_render(app, OPTIONS, compact=True), "btn-primary") == ["Put on hold"]  # only inside its form


@pytest.mark.parametrize("compact", [False, True], ids=["page", "compact"])
def test_a_refused_step_cannot_be_pressed_and_says_why_once(app: Flask, compact: bool) -> None:
    html = _render(app, OPTIONS, compact=compact)
    step = re.search(r"<button\b[^>]*data-event=\"submit\"[^>]*>", html)
    assert step is not None
    assert 'type="button"' in step[0] and 'aria-disabled="true"' in step[0] and "title=" not in step[0]
    described = re.search(r'aria-describedby="([^"]+)"', step[0])
    assert described is not None
    assert html.count(f'id="{described[1]}"') == 1
    why = re.search(rf'<(\w+)[^>]*id="{described[1]}"[^>]*>(.*?)</\1>', html, re.S)
    assert why is not None and "Add at least one milestone." in why[2]
    assert html.count("Add at least one milestone.") == 1
    assert ('role="tooltip"' in why[0]) is compact
    # Nothing to post: the button is in no form.
    assert not re.search(r"<form\b(?:(?!</form>).)*data-event=\"submit\"", html, re.S)
