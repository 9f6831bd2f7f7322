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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from workflows.engine import Transition, Workflow
from workflows.project import OPEN_STATES as OPEN_CAMPAIGN_STATES


class CommitmentState(StrEnum):
    """Where a promise stands in its sign-off, as stored."""

    DRAFT = "draft"
    PENDING_SIGNOFF = "pending_signoff"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    AT_RISK = "at_risk"
    REJECTED = "rejected"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


S = CommitmentState
STATES: dict[str, str] = {
    S.DRAFT: "Draft",
    S.PENDING_SIGNOFF: "Waiting for countersignature",
    S.CHANGES_REQUESTED: "Changes requested",
    S.APPROVED: "Countersigned",
    S.AT_RISK: "At risk",
    S.REJECTED: "Rejected",
    S.FULFILLED: "Fulfilled",
    S.WITHDRAWN: "Withdrawn",
}
#: Not yet binding, and still able to become binding: these hold a campaign's launch.
UNSIGNED_STATES = frozenset({S.DRAFT, S.PENDING_SIGNOFF, S.CHANGES_REQUESTED})
#: Countersigned and binding: changing the terms sends the commitment back for countersignature.
SIGNED_STATES = frozenset({S.APPROVED, S.AT_RISK})
#: Countersigned at some point and kept: binding now, or kept already.
COUNTERSIGNED_STATES = SIGNED_STATES | {S.FULFILLED}
#: States in which the seller may change the terms freely.
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
#: Finished with: kept, refused or taken back. Nothing about them changes any more.
CLOSED_STATES = frozenset({S.FULFILLED, S.REJECTED, S.WITHDRAWN})
#: Promises that will never bind: a calendar shows their dates struck out.
VOID_STATES = frozenset({S.REJECTED, S.WITHDRAWN})
#: Still in play: everything except what was kept or taken back (rejected ones can be revised).
OPEN_STATES = frozenset(STATES) - {S.FULFILLED, S.WITHDRAWN}


@dataclass(frozen=True)
class CommitmentFacts:
    """What the sign-off rules need to know, for one actor and one commitment."""

    actor_is_submitter: bool = False
    #: Wrote the commitment, even if someone else submitted it.
    actor_is_author: bool = False
    blockers: tuple[str, ...] = ()
    override_justification: str = ""


@dataclass(frozen=True)
class Party:
    """Someone tied to a promise by name; the application says which record field names them."""

    name: str
    is_actor: Callable[[CommitmentFacts], bool]
    refusal: str


@dataclass(frozen=True)
class Countersigning:
    """Who may countersign a commitment, said once.

    The engine's guard reads it for one commitment, and the application turns the same
    parts into query criteria for the sign-off queue, so the two can never disagree.
    """

    #: The states in which a commitment waits for a countersignature.
    waiting: frozenset[CommitmentState]
    #: The engine role that countersigns; the application says who holds it for a commitment.
    role: str
    #: Campaigns in these states take decisions; a closed one's promises wait for nobody.
    campaign_states: frozenset[str]
    #: Separation of duties: whoever is one of these parties never countersigns, in this order of refusal.
    excluded: tuple[Party, ...]

    def refusals(self, facts: CommitmentFacts) -> Iterator[str]:
        """The first party the actor is, said as a refusal (nothing when they are none)."""
        for party in self.excluded:
            if party.is_actor(facts):
                yield party.refusal
                return


_SUBMITTER = Party(
    "submitter", lambda f: f.actor_is_submitter,
    "You submitted this commitment: another product manager of the product must countersign it.",
)
_AUTHOR = Party(
    "author", lambda f: f.actor_is_author,
    "You wrote this commitment: another product manager of the product must countersign it.",
)
_SIGNER = "product_signer"

COUNTERSIGNING = Countersigning(
    waiting=frozenset({S.PENDING_SIGNOFF}), role=_SIGNER, campaign_states=OPEN_CAMPAIGN_STATES,
    excluded=(_SUBMITTER, _AUTHOR),
)


def not_the_submitter(facts: CommitmentFacts) -> Iterator[str]:
    """Separation of duties: whoever wrote or submitted a promise never countersigns it."""
    yield from COUNTERSIGNING.refusals(facts)


def blockers_are_justified(facts: CommitmentFacts) -> Iterator[str]:
    if facts.blockers and not facts.override_justification.strip():
        count = len(facts.blockers)
        yield (
            f"{count} blocker{'s' if count != 1 else ''} stand{'s' if count == 1 else ''} against this commitment: "
            "countersigning it anyway needs a written justification."
        )


def blockers_are_explained(facts: CommitmentFacts) -> Iterator[str]:
    """A seller may submit a promise the checks block, but only saying why: the product manager who
    countersigns reads it beside the blockers (and must still justify countersigning over them)."""
    if facts.blockers and not facts.override_justification.strip():
        count = len(facts.blockers)
        yield (
            f"{count} blocker{'s' if count != 1 else ''} stand{'s' if count == 1 else ''} against this commitment: "
            "change the terms, or say why it should be submitted anyway."
        )


_SELLERS = frozenset({"seller", "admin"})
#: Steps Countersign takes itself when the roadmap moves; no person fires them.
_SYSTEM = frozenset({"system"})
_SIGNERS = frozenset({COUNTERSIGNING.role})

COMMITMENT_WORKFLOW: Workflow[CommitmentFacts] = Workflow(
    name="commitment",
    noun="commitment",
    states=STATES,
    initial=S.DRAFT,
    transitions=(
        Transition("submit", EDITABLE_STATES, S.PENDING_SIGNOFF, _SELLERS,
                   "Submit for countersignature", guards=(blockers_are_explained,)),
        Transition("approve", COUNTERSIGNING.waiting, S.APPROVED, _SIGNERS, "Countersign",
                   guards=(not_the_submitter, blockers_are_justified)),
        Transition("reject", COUNTERSIGNING.waiting, S.REJECTED, _SIGNERS, "Reject",
                   guards=(not_the_submitter,), requires=("reason",)),
        Transition("request_changes", COUNTERSIGNING.waiting, S.CHANGES_REQUESTED, _SIGNERS,
                   "Request changes", guards=(not_the_submitter,), requires=("reason",)),
        Transition("revise", frozenset({S.REJECTED}), S.DRAFT, _SELLERS, "Revise"),
        Transition("amend", SIGNED_STATES, S.PENDING_SIGNOFF, _SELLERS, "Amend the terms",
                   requires=("reason",)),
        Transition("flag_risk", frozenset({S.APPROVED}), S.AT_RISK, _SYSTEM, "Flag at risk"),
        Transition("clear_risk", frozenset({S.AT_RISK}), S.APPROVED, _SYSTEM, "Clear the risk"),
        Transition("fulfil", frozenset({S.APPROVED}), S.FULFILLED, _SELLERS | {"project_manager"}, "Mark fulfilled"),
        Transition("withdraw", OPEN_STATES, S.WITHDRAWN, _SELLERS, "Withdraw", requires=("reason",),
                   for_good=True),
    ),
)
