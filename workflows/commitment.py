"""Commitment sign-off: nothing promised to a customer binds until a product manager countersigns.

    draft --submit--> pending_signoff --approve (product manager, not the submitter)--> approved --fulfil--> fulfilled
      ^                    |--reject (reason)--> rejected --revise--> draft
      |                    '--request_changes (note)--> changes_requested --submit--> pending_signoff
      '-- (changes_requested is edited like a draft)          approved --amend (reason)--> pending_signoff
    approved <--(its milestone slips past / back before the promised date)--> at_risk --amend--> pending_signoff
    any open state --withdraw (reason)--> withdrawn

Separation of duties is a guard, not a role check, so the refusal can say why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workflows.engine import Transition, Workflow

STATES = {
    "draft": "Draft",
    "pending_signoff": "Waiting for countersignature",
    "changes_requested": "Changes requested",
    "approved": "Countersigned",
    "at_risk": "At risk",
    "rejected": "Rejected",
    "fulfilled": "Fulfilled",
    "withdrawn": "Withdrawn",
}
#: Not yet binding, and still able to become binding: these hold a campaign's launch.
UNSIGNED_STATES = frozenset({"draft", "pending_signoff", "changes_requested"})
#: Countersigned and binding: changing the terms sends the commitment back for countersignature.
SIGNED_STATES = frozenset({"approved", "at_risk"})
#: States in which the seller may change the terms freely.
EDITABLE_STATES = frozenset({"draft", "changes_requested"})


@dataclass(frozen=True)
class CommitmentFacts:
    """What the sign-off rules need to know, for one actor and one commitment."""

    actor_is_submitter: bool = False
    #: Wrote the commitment, even if someone else submitted it.
    actor_is_author: bool = False
    blockers: tuple[str, ...] = ()
    override_justification: str = ""


def not_the_submitter(facts: CommitmentFacts) -> Iterator[str]:
    """Separation of duties: whoever wrote or submitted a promise never countersigns it."""
    if facts.actor_is_submitter:
        yield "You submitted this commitment: another product manager of the product must countersign it."
    elif facts.actor_is_author:
        yield "You wrote this commitment: another product manager of the product must countersign it."


def blockers_are_justified(facts: CommitmentFacts) -> Iterator[str]:
    if facts.blockers and not facts.override_justification.strip():
        count = len(facts.blockers)
        yield (
            f"{count} blocker{'s' if count != 1 else ''} stand{'s' if count == 1 else ''} against this commitment: "
            "countersigning it anyway needs a written justification."
        )


_SELLERS = frozenset({"seller", "admin"})
#: Steps Countersign takes itself when the roadmap moves; no person fires them.
_SYSTEM = frozenset({"system"})
_SIGNERS = frozenset({"product_signer"})
_OPEN = frozenset({"draft", "pending_signoff", "changes_requested", "approved", "at_risk", "rejected"})

COMMITMENT_WORKFLOW: Workflow[CommitmentFacts] = Workflow(
    name="commitment",
    noun="commitment",
    states=STATES,
    initial="draft",
    transitions=(
        Transition("submit", frozenset({"draft", "changes_requested"}), "pending_signoff", _SELLERS,
                   "Submit for countersignature"),
        Transition("approve", frozenset({"pending_signoff"}), "approved", _SIGNERS, "Countersign",
                   guards=(not_the_submitter, blockers_are_justified)),
        Transition("reject", frozenset({"pending_signoff"}), "rejected", _SIGNERS, "Reject",
                   guards=(not_the_submitter,), requires=("reason",)),
        Transition("request_changes", frozenset({"pending_signoff"}), "changes_requested", _SIGNERS,
                   "Request changes", guards=(not_the_submitter,), requires=("reason",)),
        Transition("revise", frozenset({"rejected"}), "draft", _SELLERS, "Revise"),
        Transition("amend", frozenset({"approved", "at_risk"}), "pending_signoff", _SELLERS, "Amend the terms",
                   requires=("reason",)),
        Transition("flag_risk", frozenset({"approved"}), "at_risk", _SYSTEM, "Flag at risk"),
        Transition("clear_risk", frozenset({"at_risk"}), "approved", _SYSTEM, "Clear the risk"),
        Transition("fulfil", frozenset({"approved"}), "fulfilled", _SELLERS | {"project_manager"}, "Mark fulfilled"),
        Transition("withdraw", _OPEN, "withdrawn", _SELLERS, "Withdraw", requires=("reason",)),
    ),
)
