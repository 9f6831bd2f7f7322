"""The countersignature workflow: every arrow, who may fire it, separation of duties, blockers and reasons."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from workflows.commitment import (
    COMMITMENT_WORKFLOW,
    EDITABLE_STATES,
    STATES,
    UNSIGNED_STATES,
    CommitmentFacts,
    blockers_are_justified,
    not_the_submitter,
)
from workflows.engine import ROLE_PHRASES
from workflows.project import PROJECT_WORKFLOW, ProjectFacts

W = COMMITMENT_WORKFLOW
SELLERS = frozenset({"seller", "admin"})
SIGNERS = frozenset({"product_signer"})
ALL_ROLES = frozenset(ROLE_PHRASES)
OPEN = ("draft", "pending_signoff", "changes_requested", "approved", "at_risk", "rejected")
REASON = {"reason": "The customer asked for it"}

#: The workflow as the specification states it: (event, source, target, roles that may fire it).
TRANSITIONS = [
    ("submit", "draft", "pending_signoff", SELLERS),
    ("submit", "changes_requested", "pending_signoff", SELLERS),
    ("approve", "pending_signoff", "approved", SIGNERS),
    ("reject", "pending_signoff", "rejected", SIGNERS),
    ("request_changes", "pending_signoff", "changes_requested", SIGNERS),
    ("revise", "rejected", "draft", SELLERS),
    ("amend", "approved", "pending_signoff", SELLERS),
    ("amend", "at_risk", "pending_signoff", SELLERS),
    ("flag_risk", "approved", "at_risk", frozenset({"system"})),
    ("clear_risk", "at_risk", "approved", frozenset({"system"})),
    ("fulfil", "approved", "fulfilled", SELLERS | {"project_manager"}),
    *[("withdraw", source, "withdrawn", SELLERS) for source in OPEN],
]

#: Another product manager deciding on a promise nothing stands against.
CLEAR = CommitmentFacts()
SUBMITTER = CommitmentFacts(actor_is_submitter=True)
ONE_BLOCKER = CommitmentFacts(blockers=("Northwind Pro in Nordics may not be sold.",))
TWO_BLOCKERS = CommitmentFacts(blockers=("Northwind Pro is retired.", "Promised before the milestone."))

SUBMITTER_REASON = "You submitted this commitment: another product manager of the product must countersign it."
ONE_BLOCKER_REASON = (
    "1 blocker stands against this commitment: countersigning it anyway needs a written justification."
)
TWO_BLOCKERS_REASON = (
    "2 blockers stand against this commitment: countersigning it anyway needs a written justification."
)


def decide(event: str, state: str, facts: CommitmentFacts = CLEAR, roles: frozenset[str] = SIGNERS,
           params: dict[str, str] | None = None):
    return W.check(state, event, roles, facts, REASON if params is None else params)


# --- the shape of the workflow -------------------------------------------------------------------


def test_the_workflow_has_exactly_the_specified_transitions() -> None:
    actual = {(t.event, source, t.target, t.roles) for t in W.transitions for source in t.sources}
    assert actual == {(e, s, t, r) for e, s, t, r in TRANSITIONS}


def test_a_commitment_starts_as_a_draft_and_the_states_are_labelled() -> None:
    assert W.initial == "draft"
    assert set(STATES) == {"draft", "pending_signoff", "changes_requested", "approved", "at_risk", "rejected",
                           "fulfilled", "withdrawn"}
    assert W.label("approved") == "Countersigned"
    assert W.label("pending_signoff") == "Waiting for countersignature"


@pytest.mark.parametrize(("state", "final"), [(s, s in {"withdrawn", "fulfilled"}) for s in STATES])
def test_only_withdrawn_and_fulfilled_are_final(state: str, final: bool) -> None:
    assert W.is_final(state) is final


@pytest.mark.parametrize("state", ["withdrawn", "fulfilled"])
def test_nothing_leaves_a_final_state_not_even_for_an_admin(state: str) -> None:
    assert W.available(state, ALL_ROLES) == []
    for event in W.events:
        decision = W.check(state, event, ALL_ROLES, CLEAR, REASON)
        assert not decision.allowed and decision.transition is None


def test_unsigned_states_are_those_that_hold_a_launch() -> None:
    assert frozenset({"draft", "pending_signoff", "changes_requested"}) == UNSIGNED_STATES


def test_editable_states_are_draft_and_changes_requested() -> None:
    assert frozenset({"draft", "changes_requested"}) == EDITABLE_STATES
    assert EDITABLE_STATES < UNSIGNED_STATES
    # Countersigned terms are changed only through amend, which sends them back for sign-off.
    assert "approved" not in EDITABLE_STATES
    assert W.transition("amend", "approved").target == "pending_signoff"


def test_every_unsigned_state_leads_to_a_countersignature() -> None:
    # From each unsigned state the sellers can submit (or it already waits), and a signer can approve.
    for state in UNSIGNED_STATES:
        waiting = state if state == "pending_signoff" else W.check(state, "submit", SELLERS, CLEAR).target
        assert waiting == "pending_signoff"
        assert decide("approve", waiting).target == "approved"


# --- every transition, with every role ----------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "source", "target", "role"),
    [(e, s, t, r) for e, s, t, roles in TRANSITIONS for r in sorted(roles)],
)
def test_an_allowed_role_moves_the_commitment_to_the_target(event: str, source: str, target: str, role: str) -> None:
    decision = W.check(source, event, [role], CLEAR, REASON)
    assert decision.reasons == ()
    assert decision.allowed
    assert decision.target == target


@pytest.mark.parametrize(
    ("event", "source", "role"),
    [(e, s, r) for e, s, _, roles in TRANSITIONS for r in sorted(ALL_ROLES - roles)],
)
def test_any_other_role_is_refused_with_who_may(event: str, source: str, role: str) -> None:
    decision = W.check(source, event, [role], CLEAR, REASON)
    assert not decision.allowed
    (reason,) = decision.reasons
    transition = W.transition(event, source)
    assert reason.startswith(f"{transition.label}: only ")
    for allowed in transition.roles:
        assert ROLE_PHRASES[allowed] in reason


@pytest.mark.parametrize("event", ["approve", "reject", "request_changes"])
def test_only_a_product_manager_of_the_product_decides_not_even_an_admin(event: str) -> None:
    decision = W.check("pending_signoff", event, ALL_ROLES - SIGNERS, CLEAR, REASON)
    assert not decision.allowed
    label = W.transition(event, "pending_signoff").label
    assert decision.reasons == (f"{label}: only a product manager of the product may do this.",)


def test_the_role_refusals_read_as_sentences() -> None:
    assert decide("approve", "pending_signoff", roles=frozenset({"seller"})).reasons == (
        "Countersign: only a product manager of the product may do this.",
    )
    assert decide("submit", "draft", roles=SIGNERS).reasons == (
        "Submit for countersignature: only an admin or the commitment's author or the campaign owner may do this.",
    )
    assert decide("fulfil", "approved", roles=frozenset({"member"})).reasons == (
        "Mark fulfilled: only an admin or the project manager or the commitment's author or the campaign owner "
        "may do this.",
    )


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_campaign_member_can_fire_nothing(state: str) -> None:
    assert W.available(state, ["member"]) == []
    for event in W.events:
        assert not W.check(state, event, ["member"], CLEAR, REASON).allowed


@pytest.mark.parametrize(
    ("state", "seller_events", "signer_events"),
    [
        ("draft", ["submit", "withdraw"], []),
        ("pending_signoff", ["withdraw"], ["approve", "reject", "request_changes"]),
        ("changes_requested", ["submit", "withdraw"], []),
        ("approved", ["amend", "fulfil", "withdraw"], []),
        ("rejected", ["revise", "withdraw"], []),
        ("fulfilled", [], []),
        ("withdrawn", [], []),
    ],
)
def test_what_each_side_is_offered_in_each_state(state: str, seller_events: list[str], signer_events: list[str]) -> None:
    assert [t.event for t in W.available(state, SELLERS)] == seller_events
    assert [t.event for t in W.available(state, SIGNERS)] == signer_events
    assert [t.event for t in W.available(state, ["project_manager"])] == (["fulfil"] if state == "approved" else [])


# --- wrong state --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "state", "reason"),
    [
        ("approve", "draft", "A commitment that is draft cannot be approved."),
        ("submit", "pending_signoff", "A commitment that is waiting for countersignature cannot be submitted."),
        ("approve", "approved", "A commitment that is countersigned cannot be approved."),
        ("reject", "changes_requested", "A commitment that is changes requested cannot be rejected."),
        ("revise", "draft", "A commitment that is draft cannot be revised."),
        ("amend", "pending_signoff", "A commitment that is waiting for countersignature cannot be amended."),
    ],
)
def test_wrong_state_refusal_names_the_state_and_the_action(event: str, state: str, reason: str) -> None:
    decision = W.check(state, event, ALL_ROLES, CLEAR, REASON)
    assert decision.transition is None
    assert decision.reasons == (reason,)


@pytest.mark.parametrize(
    ("event", "state", "reason"),
    [
        ("withdraw", "withdrawn", "A commitment that is withdrawn cannot be withdrawn."),
        ("fulfil", "draft", "A commitment that is draft cannot be fulfilled."),
        ("request_changes", "draft", "A commitment that is draft cannot be sent back for changes."),
    ],
)
def test_wrong_state_refusal_spells_irregular_actions(event: str, state: str, reason: str) -> None:
    assert W.check(state, event, ALL_ROLES, CLEAR, REASON).reasons == (reason,)


def test_an_unknown_event_is_refused_by_name() -> None:
    assert decide("countersign", "pending_signoff").reasons == ("There is no action called 'countersign'.",)


# --- separation of duties -------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["approve", "reject", "request_changes"])
def test_the_submitter_can_never_decide_on_their_own_commitment(event: str) -> None:
    decision = decide(event, "pending_signoff", SUBMITTER)
    assert not decision.allowed
    assert decision.reasons == (SUBMITTER_REASON,)


def test_the_submitter_guard_alone() -> None:
    assert list(not_the_submitter(SUBMITTER)) == [SUBMITTER_REASON]
    assert list(not_the_submitter(CLEAR)) == []


@pytest.mark.parametrize("event", ["submit", "withdraw"])
def test_being_the_submitter_does_not_stop_the_sellers_steps(event: str) -> None:
    assert decide(event, "draft", SUBMITTER, roles=SELLERS).allowed


def test_a_submitter_with_blockers_hears_every_reason_in_order() -> None:
    facts = dataclasses.replace(TWO_BLOCKERS, actor_is_submitter=True)
    assert decide("approve", "pending_signoff", facts).reasons == (SUBMITTER_REASON, TWO_BLOCKERS_REASON)


# --- blockers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("facts", "reason"), [(ONE_BLOCKER, ONE_BLOCKER_REASON), (TWO_BLOCKERS, TWO_BLOCKERS_REASON)],
                         ids=["one-blocker-singular", "two-blockers-plural"])
def test_countersigning_over_blockers_needs_a_written_justification(facts: CommitmentFacts, reason: str) -> None:
    assert decide("approve", "pending_signoff", facts).reasons == (reason,)
    assert list(blockers_are_justified(facts)) == [reason]


@pytest.mark.parametrize("justification", ["", " ", "\n\t "])
def test_a_blank_justification_is_no_justification(justification: str) -> None:
    facts = dataclasses.replace(ONE_BLOCKER, override_justification=justification)
    assert decide("approve", "pending_signoff", facts).reasons == (ONE_BLOCKER_REASON,)


@pytest.mark.parametrize("facts", [ONE_BLOCKER, TWO_BLOCKERS])
def test_a_written_justification_overrides_the_blockers(facts: CommitmentFacts) -> None:
    justified = dataclasses.replace(facts, override_justification="Pilot under a regulator sandbox")
    decision = decide("approve", "pending_signoff", justified)
    assert decision.allowed and decision.target == "approved"


def test_no_blocker_needs_no_justification() -> None:
    assert list(blockers_are_justified(CLEAR)) == []
    assert decide("approve", "pending_signoff", CLEAR).allowed


@pytest.mark.parametrize("event", ["reject", "request_changes"])
def test_blockers_never_stop_a_rejection_or_a_request_for_changes(event: str) -> None:
    assert decide(event, "pending_signoff", TWO_BLOCKERS).allowed


def test_blockers_guard_only_the_countersignature() -> None:
    guarded = {t.event for t in W.transitions if blockers_are_justified in t.guards}
    assert guarded == {"approve"}
    separated = {t.event for t in W.transitions if not_the_submitter in t.guards}
    assert separated == {"approve", "reject", "request_changes"}


# --- required reasons -------------------------------------------------------------------------------


def test_exactly_reject_request_changes_amend_and_withdraw_need_a_reason() -> None:
    requires = {t.event: t.requires for t in W.transitions if t.requires}
    assert requires == {"reject": ("reason",), "request_changes": ("reason",), "amend": ("reason",),
                        "withdraw": ("reason",)}


@pytest.mark.parametrize(
    ("event", "state", "roles", "label"),
    [
        ("reject", "pending_signoff", SIGNERS, "Reject"),
        ("request_changes", "pending_signoff", SIGNERS, "Request changes"),
        ("amend", "approved", SELLERS, "Amend the terms"),
        *[("withdraw", state, SELLERS, "Withdraw") for state in OPEN],
    ],
)
@pytest.mark.parametrize("params", [None, {}, {"reason": ""}, {"reason": " \t "}])
def test_a_missing_reason_is_refused(event: str, state: str, roles: frozenset[str], label: str,
                                     params: dict[str, str] | None) -> None:
    decision = W.check(state, event, roles, CLEAR, params)
    assert not decision.allowed
    assert decision.reasons == (f"{label}: a reason is required.",)


def test_a_missing_reason_and_the_submitter_guard_are_both_reported() -> None:
    assert decide("reject", "pending_signoff", SUBMITTER, params={}).reasons == (
        "Reject: a reason is required.", SUBMITTER_REASON,
    )


@pytest.mark.parametrize(
    ("event", "state", "roles"),
    [("submit", "draft", SELLERS), ("submit", "changes_requested", SELLERS), ("approve", "pending_signoff", SIGNERS),
     ("revise", "rejected", SELLERS), ("fulfil", "approved", SELLERS)],
)
def test_the_other_steps_need_no_reason(event: str, state: str, roles: frozenset[str]) -> None:
    assert W.check(state, event, roles, CLEAR, None).allowed


def test_no_transition_has_effects() -> None:
    assert all(t.effects == () for t in W.transitions)


# --- the launch gate on the campaign ----------------------------------------------------------------

READY = ProjectFacts(goal_metric="Customers on the new tier", goal_target=50.0, start_date=date(2027, 1, 4),
                     end_date=date(2029, 1, 4), open_milestones=3, has_project_manager=True, actuals_reported=1)
UNSIGNED = ("Acme GmbH: Northwind Pro in Southern Europe (draft)",
            "Globex: Northwind Pro in Southern Europe (waiting for countersignature)")


@pytest.mark.parametrize(("event", "state"), [("launch", "planned"), ("complete", "active")])
def test_a_campaign_neither_launches_nor_completes_with_unsigned_commitments(event: str, state: str) -> None:
    facts = dataclasses.replace(READY, unsigned_commitments=UNSIGNED)
    decision = PROJECT_WORKFLOW.check(state, event, ["admin"], facts)
    assert not decision.allowed
    assert decision.reasons == (
        "Commitment Acme GmbH: Northwind Pro in Southern Europe (draft) is not countersigned yet.",
        "Commitment Globex: Northwind Pro in Southern Europe (waiting for countersignature) is not countersigned yet.",
    )
    assert PROJECT_WORKFLOW.check(state, event, ["admin"], READY).allowed


@pytest.mark.parametrize(("event", "state"), [("submit", "draft"), ("plan", "proposed"), ("hold", "active"),
                                              ("resume", "on_hold"), ("cancel", "active")])
def test_unsigned_commitments_hold_nothing_else(event: str, state: str) -> None:
    facts = dataclasses.replace(READY, unsigned_commitments=UNSIGNED)
    assert PROJECT_WORKFLOW.check(state, event, ["admin"], facts, {"reason": "Budget frozen"}).allowed
