"""The state-machine engine, on a small toy workflow so each rule is seen in isolation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from workflows.engine import ROLE_PHRASES, Decision, Transition, Workflow

STATES = {"new": "New", "sent": "Sent", "paid": "Paid", "void": "Void"}


@dataclass(frozen=True)
class Facts:
    lines: int = 1
    total: float = 10.0


def has_lines(facts: Facts) -> Iterator[str]:
    if facts.lines < 1:
        yield "Add at least one line."


def total_is_positive(facts: Facts) -> Iterator[str]:
    if facts.total <= 0:
        yield "The total must be positive."


def make_workflow(transitions: tuple[Transition[Facts], ...] | None = None, initial: str = "new") -> Workflow[Facts]:
    if transitions is None:
        transitions = (
            Transition(
                "submit", frozenset({"new"}), "sent", frozenset({"owner"}), "Send",
                guards=(has_lines, total_is_positive),
            ),
            Transition("complete", frozenset({"sent"}), "paid", frozenset({"project_manager", "admin"}), "Mark paid"),
            Transition("cancel", frozenset({"new", "sent"}), "void", frozenset({"owner", "admin"}), "Void",
                       requires=("reason",)),
        )
    return Workflow(name="invoice", noun="bill", states=STATES, initial=initial, transitions=transitions)


WF = make_workflow()


# --- construction -------------------------------------------------------------------------------


def test_construction_refuses_an_unknown_initial_state() -> None:
    with pytest.raises(ValueError, match="initial state 'limbo' is not a state"):
        make_workflow(initial="limbo")


@pytest.mark.parametrize(
    ("sources", "target"),
    [({"new"}, "archived"), ({"limbo"}, "sent"), ({"new", "limbo"}, "sent")],
    ids=["unknown-target", "unknown-source", "one-unknown-source"],
)
def test_construction_refuses_a_transition_touching_an_unknown_state(sources: set[str], target: str) -> None:
    transition = Transition("submit", frozenset(sources), target, frozenset({"owner"}), "Send")
    with pytest.raises(ValueError, match=r"invoice\.submit: unknown states"):
        make_workflow((transition,))


def test_construction_refuses_two_transitions_for_the_same_event_and_source() -> None:
    first = Transition("submit", frozenset({"new"}), "sent", frozenset({"owner"}), "Send")
    second = Transition("submit", frozenset({"sent", "new"}), "paid", frozenset({"owner"}), "Send again")
    with pytest.raises(ValueError, match="two 'submit' transitions from 'new'"):
        make_workflow((first, second))


def test_construction_refuses_a_step_for_good_into_a_state_that_is_left_again() -> None:
    # "For good" draws the confirming button red: it must not be a step the record comes back from.
    void = Transition("cancel", frozenset({"new"}), "void", frozenset({"owner"}), "Void", for_good=True)
    back = Transition("reopen", frozenset({"void"}), "new", frozenset({"owner"}), "Reopen")
    assert make_workflow((void,)).transition("cancel", "new") is void
    with pytest.raises(ValueError, match=r"invoice\.cancel: ends for good, yet 'void' is left again"):
        make_workflow((void, back))


def test_the_same_event_may_leave_different_sources_for_different_targets() -> None:
    wf = make_workflow(
        (
            Transition("submit", frozenset({"new"}), "sent", frozenset({"owner"}), "Send"),
            Transition("submit", frozenset({"sent"}), "paid", frozenset({"owner"}), "Send again"),
        )
    )
    assert wf.transition("submit", "new").target == "sent"
    assert wf.transition("submit", "sent").target == "paid"
    assert wf.events == ("submit",)


def test_events_are_listed_once_in_declaration_order() -> None:
    assert WF.events == ("submit", "complete", "cancel")


def test_label_and_transition_lookup() -> None:
    assert WF.label("sent") == "Sent"
    assert WF.transition("complete", "sent").target == "paid"
    assert WF.transition("complete", "new") is None
    assert WF.transition("nonsense", "new") is None


# --- available() ---------------------------------------------------------------------------------


def test_available_filters_by_state() -> None:
    assert [t.event for t in WF.available("new", {"owner", "admin", "project_manager"})] == ["submit", "cancel"]
    assert [t.event for t in WF.available("sent", {"owner", "admin", "project_manager"})] == ["complete", "cancel"]


def test_available_filters_by_role() -> None:
    assert [t.event for t in WF.available("sent", ["project_manager"])] == ["complete"]
    assert [t.event for t in WF.available("sent", ["owner"])] == ["cancel"]
    assert WF.available("new", ["member"]) == []
    assert WF.available("new", []) == []


def test_available_offers_nothing_from_a_final_state() -> None:
    assert WF.available("paid", ROLE_PHRASES) == []


def test_available_does_not_ask_the_guards() -> None:
    # Guards are only asked by check(): a transition that would be refused is still on offer.
    assert [t.event for t in WF.available("new", ["owner"])] == ["submit", "cancel"]
    assert not WF.check("new", "submit", ["owner"], Facts(lines=0)).allowed


# --- check() ---------------------------------------------------------------------------------------


def test_check_refuses_an_unknown_event_and_names_it() -> None:
    decision = WF.check("new", "frobnicate", ["admin"], Facts())
    assert not decision.allowed
    assert decision.transition is None
    assert decision.target is None
    assert decision.reasons == ("There is no action called 'frobnicate'.",)


def test_check_refuses_from_the_wrong_state_naming_the_state_and_the_past_tense() -> None:
    decision = WF.check("paid", "submit", ["owner"], Facts())
    assert not decision.allowed
    assert decision.transition is None
    assert decision.reasons == ("A bill that is paid cannot be submitted.",)


@pytest.mark.parametrize(
    ("event", "past"),
    [("submit", "submitted"), ("complete", "completed")],
)
def test_wrong_state_reason_uses_the_lower_cased_label(event: str, past: str) -> None:
    # "void" is left by nothing, so every event is refused there.
    (reason,) = WF.check("void", event, ["admin"], Facts()).reasons
    assert "that is void" in reason
    assert reason.endswith(f"cannot be {past}.")


def test_check_refuses_the_wrong_role_naming_who_may() -> None:
    decision = WF.check("sent", "complete", ["owner", "member"], Facts())
    assert not decision.allowed
    assert decision.transition is WF.transition("complete", "sent")
    who = f"{ROLE_PHRASES['admin']} or {ROLE_PHRASES['project_manager']}"
    assert decision.reasons == (f"Mark paid: only {who} may do this.",)


def test_role_refusal_comes_before_guards_and_parameters() -> None:
    decision = WF.check("new", "cancel", ["member"], Facts(lines=0), {})
    assert len(decision.reasons) == 1
    assert "only" in decision.reasons[0]


def test_an_unnamed_role_is_shown_by_its_key() -> None:
    wf = make_workflow((Transition("submit", frozenset({"new"}), "sent", frozenset({"auditor"}), "Send"),))
    assert wf.check("new", "submit", ["owner"], Facts()).reasons == ("Send: only auditor may do this.",)


@pytest.mark.parametrize("params", [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": None}, {"other": "x"}])
def test_check_refuses_a_missing_required_parameter(params: dict[str, object] | None) -> None:
    decision = WF.check("new", "cancel", ["owner"], Facts(), params)
    assert not decision.allowed
    assert decision.reasons == ("Void: a reason is required.",)


def test_a_supplied_required_parameter_lets_the_transition_through() -> None:
    decision = WF.check("sent", "cancel", ["owner"], Facts(), {"reason": "Customer went bankrupt"})
    assert decision.allowed
    assert decision.target == "void"


def test_check_collects_the_reasons_of_every_guard() -> None:
    decision = WF.check("new", "submit", ["owner"], Facts(lines=0, total=0))
    assert not decision.allowed
    assert decision.reasons == ("Add at least one line.", "The total must be positive.")


def test_check_collects_missing_parameters_and_guard_reasons_together() -> None:
    transition = Transition(
        "submit", frozenset({"new"}), "sent", frozenset({"owner"}), "Send",
        guards=(has_lines,), requires=("reason", "note"),
    )
    decision = make_workflow((transition,)).check("new", "submit", ["owner"], Facts(lines=0), {"note": "ok"})
    assert decision.reasons == ("Send: a reason is required.", "Add at least one line.")


def test_an_allowed_decision_has_the_transition_and_its_target() -> None:
    decision = WF.check("new", "submit", ["owner"], Facts())
    assert decision == Decision("submit", WF.transition("submit", "new"), ())
    assert decision.allowed
    assert decision.target == "sent"


def test_a_refused_decision_with_a_transition_still_knows_its_target() -> None:
    decision = WF.check("new", "submit", ["owner"], Facts(lines=0))
    assert not decision.allowed
    assert decision.target == "sent"


def test_any_one_held_role_is_enough() -> None:
    assert WF.check("sent", "complete", iter(["member", "admin"]), Facts()).allowed


# --- is_final() -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "final"), [("new", False), ("sent", False), ("paid", True), ("void", True)])
def test_is_final_when_no_transition_leaves_the_state(state: str, final: bool) -> None:
    assert WF.is_final(state) is final


def test_workflows_are_immutable() -> None:
    with pytest.raises(AttributeError):
        WF.initial = "sent"  # type: ignore[misc]
