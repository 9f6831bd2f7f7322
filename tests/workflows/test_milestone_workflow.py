"""Milestones: open, done or cancelled; done needs its tasks finished; both ends reopen."""

from __future__ import annotations

import pytest

from workflows.milestone import MILESTONE_WORKFLOW, STATES, MilestoneFacts

EDITORS = ("owner", "project_manager", "admin")
NO_TASKS = MilestoneFacts(open_tasks=0)


def test_a_milestone_starts_open_and_no_state_is_final() -> None:
    assert MILESTONE_WORKFLOW.initial == "open"
    assert not any(MILESTONE_WORKFLOW.is_final(state) for state in STATES)


@pytest.mark.parametrize(
    ("open_tasks", "reason"),
    [
        (1, "1 task is still open: finish or remove them first."),
        (2, "2 tasks are still open: finish or remove them first."),
        (17, "17 tasks are still open: finish or remove them first."),
    ],
)
def test_complete_is_refused_while_tasks_are_open(open_tasks: int, reason: str) -> None:
    decision = MILESTONE_WORKFLOW.check("open", "complete", ["owner"], MilestoneFacts(open_tasks=open_tasks))
    assert not decision.allowed
    assert decision.reasons == (reason,)


@pytest.mark.parametrize("role", [*EDITORS, "milestone_owner"])
def test_complete_is_allowed_when_no_task_is_open(role: str) -> None:
    decision = MILESTONE_WORKFLOW.check("open", "complete", [role], NO_TASKS)
    assert decision.allowed
    assert decision.target == "done"


def test_milestone_owner_may_complete_and_reopen() -> None:
    assert MILESTONE_WORKFLOW.check("open", "complete", ["milestone_owner"], NO_TASKS).allowed
    assert MILESTONE_WORKFLOW.check("done", "reopen", ["milestone_owner"], NO_TASKS).allowed
    assert MILESTONE_WORKFLOW.check("cancelled", "reopen", ["milestone_owner"], NO_TASKS).allowed


def test_milestone_owner_may_not_cancel() -> None:
    decision = MILESTONE_WORKFLOW.check("open", "cancel", ["milestone_owner"], NO_TASKS, {"reason": "Out of scope"})
    assert not decision.allowed
    assert decision.reasons == ("Cancel: only an admin or the campaign owner or the project manager may do this.",)
    assert [t.event for t in MILESTONE_WORKFLOW.available("open", ["milestone_owner"])] == ["complete"]


@pytest.mark.parametrize("role", EDITORS)
def test_editors_may_cancel_with_a_reason(role: str) -> None:
    decision = MILESTONE_WORKFLOW.check("open", "cancel", [role], NO_TASKS, {"reason": "Out of scope"})
    assert decision.allowed
    assert decision.target == "cancelled"


@pytest.mark.parametrize("params", [None, {"reason": ""}, {"reason": "  "}])
def test_cancel_needs_a_reason(params: dict[str, str] | None) -> None:
    decision = MILESTONE_WORKFLOW.check("open", "cancel", ["owner"], NO_TASKS, params)
    assert not decision.allowed
    assert decision.reasons == ("Cancel: a reason is required.",)


def test_cancel_ignores_open_tasks() -> None:
    facts = MilestoneFacts(open_tasks=3)
    assert MILESTONE_WORKFLOW.check("open", "cancel", ["owner"], facts, {"reason": "Dropped"}).allowed


@pytest.mark.parametrize("state", ["done", "cancelled"])
@pytest.mark.parametrize("role", [*EDITORS, "milestone_owner"])
def test_reopen_from_done_and_cancelled(state: str, role: str) -> None:
    decision = MILESTONE_WORKFLOW.check(state, "reopen", [role], MilestoneFacts(open_tasks=5))
    assert decision.allowed
    assert decision.target == "open"


def test_an_open_milestone_cannot_be_reopened() -> None:
    assert MILESTONE_WORKFLOW.check("open", "reopen", ["admin"], NO_TASKS).reasons == (
        "A milestone that is open cannot be reopened.",
    )


@pytest.mark.parametrize("event", ["complete", "cancel"])
def test_a_done_milestone_must_be_reopened_before_anything_else(event: str) -> None:
    decision = MILESTONE_WORKFLOW.check("done", event, ["admin"], NO_TASKS, {"reason": "x"})
    assert not decision.allowed
    assert decision.transition is None


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_campaign_member_can_change_no_milestone(state: str) -> None:
    assert MILESTONE_WORKFLOW.available(state, ["member"]) == []
