"""How customer names compare: the normalised key that finds duplicates, and the near misses.

Pure functions, no database: the migration that turned free-text customers into records uses the
same key as :func:`app.customers.services.find_or_create`, so what it merged is what the app finds.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

#: Legal forms dropped from the end of a name ("Acme S.p.A." is "Acme"), compared without dots.
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "corp", "corporation", "co", "company",
    "gmbh", "ag", "kg", "spa", "srl", "sa", "sas", "sarl", "bv", "nv", "oy", "ab", "pty", "sl", "kk",
})
#: Two names this similar (difflib's ratio of their keys) are listed as possible duplicates.
SIMILAR_RATIO = 0.9
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise(name: str) -> str:
    """The key duplicates share: case-folded, punctuation and legal suffixes gone, spaces collapsed.

    "ACME, Inc.", "Acme Inc" and " acme " share "acme"; a name that is nothing but a legal form
    ("AG") keeps it rather than becoming empty.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace(".", "")  # "S.p.A." → "spa", "S.r.l." → "srl": one word, not three letters
    words = _PUNCTUATION.sub(" ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def most_frequent(spellings: Iterable[tuple[str, int]]) -> str:
    """The spelling used most often; ties go to the first in alphabetical order, so it is stable."""
    return sorted(spellings, key=lambda pair: (-pair[1], pair[0]))[0][0]


def similar(a: str, b: str) -> bool:
    """Whether two different keys look like one customer: one begins the other at a word, or they differ
    by a typo or two (difflib ratio at least :data:`SIMILAR_RATIO`)."""
    if a == b:
        return False
    shorter, longer = sorted((a, b), key=len)
    if longer.startswith(shorter + " "):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_RATIO


def near_pairs(keyed: Sequence[tuple[int, str]], window: int = 4, limit: int = 50) -> list[tuple[int, int]]:
    """Pairs of ids whose keys are :func:`similar`, comparing each key with the next ``window`` in key order.

    Sorted keys put a prefix right before what extends it and most typos near each other, so
    comparing neighbours finds them at a cost that grows with the list, not its square.
    """
    ordered = sorted(keyed, key=lambda pair: (pair[1], pair[0]))
    pairs: list[tuple[int, int]] = []
    for index, (first_id, first_key) in enumerate(ordered):
        for second_id, second_key in ordered[index + 1:index + 1 + window]:
            if similar(first_key, second_key):
                pairs.append((first_id, second_id))
                if len(pairs) >= limit:
                    return pairs
    return pairs
