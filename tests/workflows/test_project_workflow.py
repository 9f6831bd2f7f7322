"""The campaign lifecycle: every arrow, who may fire it, and every rule that can refuse it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import pytest

from workflows.engine import ROLE_PHRASES, Workflow
from workflows.project import OPEN_STATES, PROJECT_WORKFLOW, STATES, ProjectFacts

LEADS = frozenset({"owner", "project_manager", "admin"})
MANAGERS = frozenset({"project_manager", "admin"})
ALL_ROLES = frozenset(ROLE_PHRASES)
REASON = {"reason": "Budget frozen until Q3"}

#: The lifecycle as the specification states it: (event, source, target, roles that may fire it).
TRANSITIONS = [
    ("submit", "draft", "proposed", frozenset({"owner", "admin"})),
    ("revise", "proposed", "draft", LEADS),
    ("plan", "proposed", "planned", MANAGERS),
    ("launch", "planned", "active", MANAGERS),
    ("hold", "active", "on_hold", MANAGERS),
    ("resume", "on_hold", "active", MANAGERS),
    ("complete", "active", "completed", LEADS),
    *[("cancel", source, "cancelled", LEADS) for source in sorted(OPEN_STATES)],
]

#: A campaign every guard is happy with.
READY = ProjectFacts(
    goal_metric="Current customers on the new tier",
    goal_target=50.0,
    start_date=date(2027, 1, 4),
    end_date=date(2029, 1, 4),
    open_milestones=3,
    has_project_manager=True,
    actuals_reported=2,
)

GOAL_REASON = "Name the goal metric (for example “Customers on the new tier”)."
TARGET_REASON = "Set a goal target value."
DATES_REASON = "Set both a start date and an end date."
ORDER_REASON = "The end date must be after the start date."
MILESTONE_REASON = "Add at least one milestone."
MANAGER_REASON = "Assign a project manager."
ACTUALS_REASON = "Report at least one actual value of the goal, so the outcome can be measured."


def with_(**changes: object) -> ProjectFacts:
    return dataclasses.replace(READY, **changes)


def reasons(event: str, state: str, facts: ProjectFacts, roles: frozenset[str] = LEADS) -> tuple[str, ...]:
    return PROJECT_WORKFLOW.check(state, event, roles, facts, REASON).reasons


# --- the shape of the lifecycle --------------------------------------------------------------------


def test_the_lifecycle_has_exactly_the_specified_transitions() -> None:
    actual = {
        (t.event, source, t.target, t.roles) for t in PROJECT_WORKFLOW.transitions for source in t.sources
    }
    assert actual == set(TRANSITIONS)


def test_a_campaign_starts_as_a_draft() -> None:
    assert PROJECT_WORKFLOW.initial == "draft"
    assert PROJECT_WORKFLOW.label("on_hold") == "On hold"


@pytest.mark.parametrize(("state", "final"), [(s, s in {"completed", "cancelled"}) for s in STATES])
def test_only_completed_and_cancelled_are_final(state: str, final: bool) -> None:
    assert PROJECT_WORKFLOW.is_final(state) is final
    assert (state in OPEN_STATES) is not final


# --- every transition, with every role ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "source", "target", "role"),
    [(e, s, t, r) for e, s, t, roles in TRANSITIONS for r in sorted(roles)],
)
def test_an_allowed_role_moves_the_campaign_to_the_target(event: str, source: str, target: str, role: str) -> None:
    decision = PROJECT_WORKFLOW.check(source, event, [role], READY, REASON)
    assert decision.reasons == ()
    assert decision.allowed
    assert decision.target == target


@pytest.mark.parametrize(
    ("event", "source", "role"),
    [(e, s, r) for e, s, _, roles in TRANSITIONS for r in sorted(ALL_ROLES - roles)],
)
def test_any_other_role_is_refused_with_who_may(event: str, source: str, role: str) -> None:
    decision = PROJECT_WORKFLOW.check(source, event, [role], READY, REASON)
    assert not decision.allowed
    (reason,) = decision.reasons
    transition = PROJECT_WORKFLOW.transition(event, source)
    assert reason.startswith(f"{transition.label}: only ")
    for allowed in transition.roles:
        assert ROLE_PHRASES[allowed] in reason


def test_the_role_refusal_reads_as_a_sentence() -> None:
    assert reasons("plan", "proposed", READY, frozenset({"owner"})) == (
        "Plan: only an admin or the project manager may do this.",
    )


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_team_member_can_fire_nothing(state: str) -> None:
    assert PROJECT_WORKFLOW.available(state, ["member"]) == []
    for event in PROJECT_WORKFLOW.events:
        assert not PROJECT_WORKFLOW.check(state, event, ["member"], READY, REASON).allowed


@pytest.mark.parametrize("state", sorted(STATES))
def test_an_admin_can_fire_everything_any_role_can(state: str) -> None:
    assert PROJECT_WORKFLOW.available(state, ["admin"]) == PROJECT_WORKFLOW.available(state, ALL_ROLES)
    for transition in PROJECT_WORKFLOW.available(state, ALL_ROLES):
        assert PROJECT_WORKFLOW.check(state, transition.event, ["admin"], READY, REASON).allowed


# --- wrong state ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_cancel_is_possible_from_every_open_state(state: str) -> None:
    decision = PROJECT_WORKFLOW.check(state, "cancel", ["owner"], ProjectFacts(), REASON)
    assert decision.allowed
    assert decision.target == "cancelled"


@pytest.mark.parametrize("state", ["completed", "cancelled"])
def test_cancel_is_impossible_once_closed(state: str) -> None:
    decision = PROJECT_WORKFLOW.check(state, "cancel", ["admin"], READY, REASON)
    assert not decision.allowed
    assert decision.transition is None
    (reason,) = decision.reasons
    assert reason.startswith(f"A campaign that is {state} cannot be ")


@pytest.mark.parametrize(
    ("event", "past"),
    [
        ("submit", "submitted"),
        ("revise", "revised"),
        ("plan", "planned"),
        ("launch", "launched"),
        ("hold", "put on hold"),
        ("resume", "resumed"),
        ("complete", "completed"),
        ("cancel", "cancelled"),  # the house spelling, as in the state and its label
    ],
)
def test_wrong_state_refusal_names_the_state_and_the_action_in_the_past_tense(event: str, past: str) -> None:
    decision = PROJECT_WORKFLOW.check("completed", event, ["admin"], READY, REASON)
    assert decision.reasons == (f"A campaign that is completed cannot be {past}.",)


def test_wrong_state_refusal_lower_cases_a_two_word_label() -> None:
    assert reasons("launch", "on_hold", READY) == ("A campaign that is on hold cannot be launched.",)


# --- submit ---------------------------------------------------------------------------------------------


def test_submit_refuses_an_empty_draft_with_every_reason() -> None:
    assert reasons("submit", "draft", ProjectFacts(), frozenset({"owner"})) == (
        GOAL_REASON, TARGET_REASON, DATES_REASON, MILESTONE_REASON,
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"goal_metric": ""}, GOAL_REASON),
        ({"goal_metric": "   "}, GOAL_REASON),
        ({"goal_target": None}, TARGET_REASON),
        ({"start_date": None}, DATES_REASON),
        ({"end_date": None}, DATES_REASON),
        ({"start_date": None, "end_date": None}, DATES_REASON),
        ({"end_date": READY.start_date}, ORDER_REASON),
        ({"end_date": date(2026, 12, 31)}, ORDER_REASON),
        ({"open_milestones": 0}, MILESTONE_REASON),
    ],
    ids=["no-metric", "blank-metric", "no-target", "no-start", "no-end", "no-dates", "end-on-start",
         "end-before-start", "no-milestone"],
)
def test_submit_guard(change: dict[str, object], expected: str) -> None:
    assert reasons("submit", "draft", with_(**change)) == (expected,)


def test_submit_accepts_a_zero_target_and_a_one_day_campaign() -> None:
    facts = with_(goal_target=0.0, end_date=date(2027, 1, 5), open_milestones=1)
    assert PROJECT_WORKFLOW.check("draft", "submit", ["owner"], facts).allowed


def test_submit_does_not_need_a_project_manager_or_actuals() -> None:
    facts = with_(has_project_manager=False, actuals_reported=0)
    assert PROJECT_WORKFLOW.check("draft", "submit", ["owner"], facts).allowed


# --- plan, launch, hold, complete, cancel ---------------------------------------------------------------


def test_plan_needs_a_project_manager() -> None:
    assert reasons("plan", "proposed", with_(has_project_manager=False)) == (MANAGER_REASON,)


def test_plan_also_needs_dates_and_a_milestone() -> None:
    facts = with_(has_project_manager=False, end_date=None, open_milestones=0)
    assert reasons("plan", "proposed", facts) == (MANAGER_REASON, DATES_REASON, MILESTONE_REASON)


def test_plan_does_not_recheck_the_goal() -> None:
    assert PROJECT_WORKFLOW.check("proposed", "plan", ["project_manager"], with_(goal_metric="")).allowed


@pytest.mark.parametrize(
    ("change", "expected"),
    [({"start_date": None}, DATES_REASON), ({"end_date": date(2027, 1, 4)}, ORDER_REASON)],
)
def test_launch_needs_valid_dates(change: dict[str, object], expected: str) -> None:
    assert reasons("launch", "planned", with_(**change)) == (expected,)


def test_launch_needs_nothing_else() -> None:
    facts = ProjectFacts(start_date=date(2027, 1, 4), end_date=date(2027, 7, 4))
    assert PROJECT_WORKFLOW.check("planned", "launch", ["project_manager"], facts).allowed


@pytest.mark.parametrize(("event", "state", "label"), [("hold", "active", "Put on hold"), ("cancel", "draft", "Cancel")])
@pytest.mark.parametrize("params", [None, {"reason": ""}, {"reason": " \t "}])
def test_hold_and_cancel_need_a_reason(event: str, state: str, label: str, params: dict[str, str] | None) -> None:
    decision = PROJECT_WORKFLOW.check(state, event, ["admin"], READY, params)
    assert not decision.allowed
    assert decision.reasons == (f"{label}: a reason is required.",)


@pytest.mark.parametrize(("event", "state"), [("revise", "proposed"), ("resume", "on_hold")])
def test_revise_and_resume_have_no_preconditions(event: str, state: str) -> None:
    assert PROJECT_WORKFLOW.check(state, event, ["admin"], ProjectFacts()).allowed


def test_complete_needs_a_reported_actual() -> None:
    assert reasons("complete", "active", with_(actuals_reported=0)) == (ACTUALS_REASON,)
    assert PROJECT_WORKFLOW.check("active", "complete", ["owner"], with_(actuals_reported=1)).allowed


def test_the_effects_complete_cancel_and_plan_ask_for_and_no_others() -> None:
    effects = {t.event: t.effects for t in PROJECT_WORKFLOW.transitions}
    assert effects.pop("complete") == ("record_outcome",)
    assert effects.pop("cancel") == ("withdraw_unsigned_commitments",)
    assert effects.pop("plan") == ("take_baseline",)
    assert all(e == () for e in effects.values())


def test_only_hold_and_cancel_ask_for_a_parameter() -> None:
    requires = {t.event: t.requires for t in PROJECT_WORKFLOW.transitions if t.requires}
    assert requires == {"hold": ("reason",), "cancel": ("reason",)}


# --- extending the rules -------------------------------------------------------------------------------


def test_adding_a_guard_is_one_more_function_in_the_tuple() -> None:
    def budget_approved(facts: ProjectFacts) -> Iterator[str]:
        yield "Have the budget approved by finance."

    transitions = tuple(
        dataclasses.replace(t, guards=(*t.guards, budget_approved)) if t.event == "launch" else t
        for t in PROJECT_WORKFLOW.transitions
    )
    stricter = Workflow("project", "campaign", STATES, "draft", transitions)

    assert not stricter.check("planned", "launch", ["admin"], READY).allowed
    assert stricter.check("planned", "launch", ["admin"], READY).reasons == ("Have the budget approved by finance.",)
    assert stricter.check("planned", "launch", ["admin"], with_(end_date=None)).reasons == (
        DATES_REASON, "Have the budget approved by finance.",
    )
    # The original is untouched and the other transitions behave as before.
    assert PROJECT_WORKFLOW.check("planned", "launch", ["admin"], READY).allowed
    assert stricter.check("active", "complete", ["admin"], READY).allowed
