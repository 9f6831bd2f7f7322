"""One thing a feature hands a lower layer at start-up, so that the lower one imports nothing above it.

The features stand in layers (README, "Layers"); where a lower one needs something a higher one
owns — the email outbox, the campaigns one may mute, the catalog's promise counts — it keeps a
:class:`Slot` that the higher feature fills from the app factory. Filling it again replaces it
(the tests build several apps, each setting its features up).
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class NotRegistered(LookupError):
    """Asked for something no feature registered: the app factory did not set the feature up."""


class Slot(Generic[T]):
    def __init__(self, what: str, filled_by: str) -> None:
        self._what, self._filled_by = what, filled_by
        self._value: T | None = None

    def fill(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        """What was handed over; :class:`NotRegistered` (naming who should have) if nothing was."""
        if self._value is None:
            raise NotRegistered(f"no feature registered {self._what} ({self._filled_by} does, in the factory)")
        return self._value

    def get_or_none(self) -> T | None:
        """What was handed over, or None where the lower layer does without it."""
        return self._value
