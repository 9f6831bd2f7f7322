"""A small state-machine engine: states, transitions, roles, guards and effects.

A workflow is data. Each transition names the event that fires it, the states it
leaves from, the state it reaches, the roles that may fire it, the parameters the
actor must supply (a reason, say), guards and effects. A guard is a function of a
frozen "facts" object that returns the human-readable reasons the transition is
refused (nothing when it is allowed), so adding a rule is adding one function to
a tuple. Effects are names the application maps to work of its own (taking a
baseline, recording an outcome), which keeps this package free of I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

F = TypeVar("F")

Guard = Callable[[F], Iterable[str]]

#: How roles are named in a refusal ("Only the project manager may plan this campaign.").
ROLE_PHRASES: Mapping[str, str] = {
    "admin": "an admin",
    "owner": "the campaign owner",
    "project_manager": "the project manager",
    "product_manager": "a product manager of the campaign",
    "milestone_owner": "the milestone owner",
    "member": "a campaign member",
    "seller": "the commitment's author or the campaign owner",
    "product_signer": "a product manager of the product",
    "product_owner": "a product manager of one of its products",
    "system": "Countersign itself",
}


@dataclass(frozen=True)
class Transition(Generic[F]):
    """One arrow of a workflow."""

    event: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    guards: tuple[Guard[F], ...] = ()
    requires: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    #: Whether it ends the record for good without reaching its purpose (cancel, withdraw): the
    #: pages draw its last confirming button as a danger one. It must lead to a final state.
    for_good: bool = False


@dataclass(frozen=True)
class Decision(Generic[F]):
    """The engine's answer to "may this actor fire this event now?"."""

    event: str
    transition: Transition[F] | None
    reasons: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.transition is not None and not self.reasons

    @property
    def target(self) -> str | None:
        return self.transition.target if self.transition else None


@dataclass(frozen=True)
class Workflow(Generic[F]):
    """A named set of states and the transitions between them."""

    name: str
    noun: str
    states: Mapping[str, str]
    initial: str
    transitions: tuple[Transition[F], ...]
    _index: dict[tuple[str, str], Transition[F]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: initial state {self.initial!r} is not a state")
        index: dict[tuple[str, str], Transition[F]] = {}
        for transition in self.transitions:
            unknown = (transition.sources | {transition.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{transition.event}: unknown states {sorted(unknown)}")
            for source in transition.sources:
                key = (transition.event, source)
                if key in index:
                    raise ValueError(f"{self.name}: two {transition.event!r} transitions from {source!r}")
                index[key] = transition
        object.__setattr__(self, "_index", index)
        for transition in self.transitions:
            if transition.for_good and not self.is_final(transition.target):
                raise ValueError(f"{self.name}.{transition.event}: ends for good, yet {transition.target!r} is left again")

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.event for t in self.transitions))

    def label(self, state: str) -> str:
        return self.states[state]

    def transition(self, event: str, state: str) -> Transition[F] | None:
        return self._index.get((event, state))

    def available(self, state: str, roles: Iterable[str]) -> list[Transition[F]]:
        """The transitions leaving ``state`` that one of ``roles`` may fire (guards not yet asked)."""
        held = frozenset(roles)
        return [t for t in self.transitions if state in t.sources and t.roles & held]

    def is_final(self, state: str) -> bool:
        return not any(state in t.sources for t in self.transitions)

    def check(
        self,
        state: str,
        event: str,
        roles: Iterable[str],
        facts: F,
        params: Mapping[str, object] | None = None,
    ) -> Decision[F]:
        """Decide whether ``event`` may fire from ``state``; every refusal says why."""
        if event not in self.events:
            return Decision(event, None, (f"There is no action called {event!r}.",))
        if state not in self.states:
            return Decision(event, None, (f"The {self.noun} is in an unknown state {state!r}.",))
        transition = self.transition(event, state)
        if transition is None:
            return Decision(
                event,
                None,
                (f"A {self.noun} that is {self.label(state).lower()} cannot be {_past(event)}.",),
            )
        if not transition.roles & frozenset(roles):
            who = " or ".join(ROLE_PHRASES.get(r, r) for r in sorted(transition.roles))
            return Decision(event, transition, (f"{transition.label}: only {who} may do this.",))
        supplied = params or {}
        reasons = [
            f"{transition.label}: a {name} is required."
            for name in transition.requires
            if not str(supplied.get(name) or "").strip()
        ]
        for guard in transition.guards:
            reasons.extend(guard(facts))
        return Decision(event, transition, tuple(reasons))


def _past(event: str) -> str:
    """'submit' -> 'submitted', for refusal messages."""
    irregular = {
        "submit": "submitted", "plan": "planned", "hold": "put on hold", "reopen": "reopened", "cancel": "cancelled",
        "withdraw": "withdrawn", "fulfil": "fulfilled", "request_changes": "sent back for changes",
    }
    if event in irregular:
        return irregular[event]
    return event + ("d" if event.endswith("e") else "ed")
