"""A slot a higher feature fills at start-up: what it holds, and a named error when nobody filled it."""

from __future__ import annotations

import pytest

from app.core.slots import NotRegistered, Slot


def test_an_empty_slot_names_who_should_fill_it() -> None:
    slot: Slot[int] = Slot("the answer", "app/deep_thought.py")
    assert slot.get_or_none() is None
    with pytest.raises(NotRegistered, match=r"no feature registered the answer \(app/deep_thought.py does"):
        slot.get()


def test_filling_it_again_replaces_what_it_held() -> None:
    slot: Slot[int] = Slot("the answer", "app/deep_thought.py")
    slot.fill(41)
    slot.fill(42)
    assert (slot.get(), slot.get_or_none()) == (42, 42)
