"""Feedback triage: what product decided about something sales heard from the market.

    new --now (a milestone or campaign)----------> now --done--> done
     |  --later (a revisit date)-----------------> later
     |  --decline (a reason)---------------------> declined
     |  --duplicate (of another item; weights merge)--> duplicate
     '  --done-----------------------------------> done
    now / later / declined can be decided again (plans change); done and duplicate are final.

Every decision carries an answer for the person who filed the feedback: the loop closes
visibly. The guards below say exactly what a decision still needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workflows.engine import Transition, Workflow


class FeedbackState(StrEnum):
    """Where a feedback item stands in triage, as stored."""

    NEW = "new"
    NOW = "now"
    LATER = "later"
    DECLINED = "declined"
    DUPLICATE = "duplicate"
    DONE = "done"


S = FeedbackState
STATES: dict[str, str] = {
    S.NEW: "New",
    S.NOW: "Now",
    S.LATER: "Later",
    S.DECLINED: "Declined",
    S.DUPLICATE: "Duplicate",
    S.DONE: "Done",
}
#: Still waiting for product to act on it (the triage queue shows these, new ones first).
OPEN_STATES = frozenset({S.NEW, S.NOW, S.LATER})

KINDS = {
    "feature_request": "Feature request",
    "problem": "Problem",
    "market_appetite": "Market appetite",
    "competitor_intel": "Competitor intelligence",
    "pricing": "Pricing",
}
CHANNELS = {
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "lost_deal": "Lost deal",
    "event": "Event or trade fair",
    "support": "Support ticket",
    "other": "Other",
}


@dataclass(frozen=True)
class TriageFacts:
    """What a triage decision names, for the guards."""

    answer: str = ""
    linked: bool = False  # "now": a milestone or campaign that delivers it
    revisit_on: date | None = None
    today: date | None = None
    duplicate_of_ok: bool = False  # another, non-duplicate feedback item
    reason: str = ""


def has_answer(facts: TriageFacts) -> Iterator[str]:
    if not facts.answer.strip():
        yield "Write an answer for the person who filed it: they are told what became of their feedback."


def has_link(facts: TriageFacts) -> Iterator[str]:
    if not facts.linked:
        yield "Say which milestone or campaign will deliver it."


def has_future_revisit(facts: TriageFacts) -> Iterator[str]:
    if facts.revisit_on is None:
        yield "Give the date on which product will look at it again."
    elif facts.today is not None and facts.revisit_on <= facts.today:
        yield "The revisit date must be in the future."


def has_reason(facts: TriageFacts) -> Iterator[str]:
    if not facts.reason.strip():
        yield "Say why it is declined."


def names_an_original(facts: TriageFacts) -> Iterator[str]:
    if not facts.duplicate_of_ok:
        yield "Name the feedback item this one repeats (another item that is not itself a duplicate)."


_TRIAGERS = frozenset({"product_owner", "admin"})
_DECIDABLE = frozenset({S.NEW, S.NOW, S.LATER, S.DECLINED})

FEEDBACK_WORKFLOW: Workflow[TriageFacts] = Workflow(
    name="feedback",
    noun="feedback item",
    states=STATES,
    initial=S.NEW,
    transitions=(
        Transition("now", _DECIDABLE - {S.NOW}, S.NOW, _TRIAGERS, "Plan it now", guards=(has_link, has_answer)),
        Transition("later", _DECIDABLE - {S.LATER}, S.LATER, _TRIAGERS, "Later",
                   guards=(has_future_revisit, has_answer)),
        Transition("decline", _DECIDABLE - {S.DECLINED}, S.DECLINED, _TRIAGERS, "Decline",
                   guards=(has_reason, has_answer)),
        Transition("duplicate", _DECIDABLE, S.DUPLICATE, _TRIAGERS, "Duplicate",
                   guards=(names_an_original,), effects=("merge_weight",)),
        Transition("done", _DECIDABLE, S.DONE, _TRIAGERS, "Done", guards=(has_answer,)),
    ),
)

#: The events in the order the triage form offers them.
DECISIONS = {"now": "Now", "later": "Later", "decline": "Decline", "duplicate": "Duplicate", "done": "Done"}
