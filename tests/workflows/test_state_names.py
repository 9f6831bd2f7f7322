"""State names are spelled in `workflows/` only: the application imports the enums and named sets.

A state written by hand elsewhere (``project.state == "cancelled"``) is a copy of a rule that
silently goes stale when the workflow changes. This test reads the application's code and
templates and names every place a workflow's state is compared, tested for membership,
assigned or passed as a state by its literal spelling.

It looks at *state contexts* (an operand, target or keyword whose name contains "state"), not at
every string: "planned" is also a product status, "done" a task's flag and "active" a user's —
those are other vocabularies and stay literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from workflows import commitment, feedback, milestone, project

ROOT = Path(__file__).resolve().parents[2]
STATE_NAMES = frozenset(
    str(state) for module in (project, milestone, commitment, feedback) for state in module.STATES
)

#: (file, literal) pairs where the word is not a workflow state, with the reason. Keep this short.
ALLOWED: dict[tuple[str, str], str] = {
    ("app/accounts/cli.py", "active"): "a user account's active flag, printed by the CLI: not a campaign state",
}


def _names_a_state(node: ast.AST) -> bool:
    """`state`, `m_state`, `commitment.state`, `Project.state`, `to_state`, `row["state"]`…"""
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and isinstance(key.value, str) and "state" in key.value.lower()
    if isinstance(node, ast.Name):
        return "state" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "state" in node.attr.lower()
    return False


def _literals(node: ast.AST | None) -> Iterator[ast.Constant]:
    """The string constants in an expression, through tuples, lists, sets and conditional expressions."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from _literals(element)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)


def _state_literals(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_names_a_state(o) for o in operands):
                for operand in operands:
                    yield from _literals(operand)
        elif isinstance(node, ast.Call):
            func = node.func
            # Column.state.in_([...]) / .not_in([...])
            if isinstance(func, ast.Attribute) and func.attr in {"in_", "not_in"} and _names_a_state(func.value):
                for arg in node.args:
                    yield from _literals(arg)
            # {"at_risk": "⚠ "}.get(state): a lookup keyed by state names
            if (isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Dict)
                    and node.args and _names_a_state(node.args[0])):
                for key in func.value.keys:
                    yield from _literals(key)
            for keyword in node.keywords:
                if keyword.arg and "state" in keyword.arg.lower():
                    yield from _literals(keyword.value)
        elif isinstance(node, ast.Assign):
            if any(_names_a_state(t) for t in node.targets):
                yield from _literals(node.value)
        elif isinstance(node, ast.Dict):
            # {"state": "new", ...}: a row written for the database
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and "state" in key.value.lower():
                    yield from _literals(value)
        elif isinstance(node, ast.AnnAssign) and _names_a_state(node.target):
            yield from _literals(node.value)
            # state: Mapped[str] = mapped_column(..., default="draft")
            if isinstance(node.value, ast.Call):
                for keyword in node.value.keywords:
                    if keyword.arg == "default":
                        yield from _literals(keyword.value)


def python_offences() -> list[str]:
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        for constant in _state_literals(tree):
            if constant.value in STATE_NAMES and (relative, constant.value) not in ALLOWED:
                found.append(f"{relative}:{constant.lineno}: {constant.value!r}")
    return sorted(set(found))


#: A state compared in a Jinja expression: ``c.state == 'at_risk'``, ``x.state in ('a', 'b')``,
#: ``items|selectattr('state', 'in', ['draft'])``.
_TEMPLATE_TEST = re.compile(
    r"state\s*(?:==|!=|(?:not\s+)?in)\s*(\([^)]*\)|'[^']*'|\"[^\"]*\")"
    r"|attr\(\s*['\"]state['\"]\s*,\s*['\"]\w+['\"]\s*,\s*(\[[^\]]*\]|\([^)]*\)|'[^']*'|\"[^\"]*\")"
)


def template_offences() -> list[str]:
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _TEMPLATE_TEST.finditer(line):
                for word in re.findall(r"['\"](\w+)['\"]", match.group(1) or match.group(2)):
                    if word in STATE_NAMES:
                        found.append(f"{relative}:{number}: {word!r}")
    return found


def test_the_scanner_finds_what_it_looks_for() -> None:
    tree = ast.parse(
        "if m.state == 'cancelled': pass\n"
        "q.where(Commitment.state.in_(['approved', 'at_risk']))\n"
        "audit(to_state='done')\n"
        "state = 'draft' if x else 'open'\n"
        "mark = {'fulfilled': '✓'}.get(c_state, '')\n"
        "if item['state'] != 'duplicate': pass\n"
        "row = {'state': 'new', 'kind': 'now'}\n"
        "product.status == 'planned'\n"  # another vocabulary: not a state context
    )
    assert sorted(c.value for c in _state_literals(tree)) == ["approved", "at_risk", "cancelled", "done", "draft",
                                                               "duplicate", "fulfilled", "new", "open"]
    template = ("{% if c.state in ('approved', 'at_risk') %}{{ x if m.state != 'open' }}"
                "{% set u = cs|selectattr('state', 'in', ['draft']) %}")
    assert [m.group(1) or m.group(2) for m in _TEMPLATE_TEST.finditer(template)] == [
        "('approved', 'at_risk')", "'open'", "['draft']"]


def test_no_state_name_is_spelled_in_the_application_code() -> None:
    assert python_offences() == []


def test_no_state_name_is_spelled_in_a_template_condition() -> None:
    assert template_offences() == []


# --- the named sets say what the transitions do ------------------------------------------------

def test_open_and_closed_campaign_states_split_the_lifecycle_and_open_ones_can_be_cancelled() -> None:
    assert set(project.STATES) == project.OPEN_STATES | project.CLOSED_STATES
    assert not project.OPEN_STATES & project.CLOSED_STATES
    assert project.PROJECT_WORKFLOW.transition("cancel", project.ProjectState.DRAFT).sources == project.OPEN_STATES
    assert all(project.PROJECT_WORKFLOW.is_final(s) for s in project.CLOSED_STATES)


def test_commitment_sets_follow_the_transitions() -> None:
    w, s = commitment.COMMITMENT_WORKFLOW, commitment.CommitmentState
    assert w.transition("withdraw", s.DRAFT).sources == commitment.OPEN_STATES
    assert w.transition("amend", s.APPROVED).sources == commitment.SIGNED_STATES
    assert w.transition("submit", s.DRAFT).sources == commitment.EDITABLE_STATES
    assert commitment.VOID_STATES <= commitment.CLOSED_STATES
    assert commitment.SIGNED_STATES | {s.FULFILLED} == commitment.COUNTERSIGNED_STATES


def test_the_countersigning_spec_is_what_the_decisions_are_built_from() -> None:
    w, spec = commitment.COMMITMENT_WORKFLOW, commitment.COUNTERSIGNING
    for event in ("approve", "reject", "request_changes"):
        (transition,) = {t for t in w.transitions if t.event == event}
        assert transition.sources == spec.waiting and transition.roles == {spec.role}
        assert commitment.not_the_submitter in transition.guards
    # The first party the actor is gives the refusal; one refusal, not one per party.
    both = commitment.CommitmentFacts(actor_is_submitter=True, actor_is_author=True)
    assert list(spec.refusals(both)) == [spec.excluded[0].refusal]
    assert list(spec.refusals(commitment.CommitmentFacts())) == []


def test_states_are_str_enums_equal_to_their_stored_words() -> None:
    assert project.ProjectState.ON_HOLD == "on_hold" and f"{commitment.CommitmentState.AT_RISK}" == "at_risk"
    assert milestone.MilestoneState("done") is milestone.MilestoneState.DONE
