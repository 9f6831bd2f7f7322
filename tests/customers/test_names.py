"""The normalised name key and the near-miss rule: pure functions, no database."""

from __future__ import annotations

import pytest

from app.customers.names import most_frequent, near_pairs, normalise, similar


@pytest.mark.parametrize(("name", "key"), [
    ("Acme", "acme"),
    ("  ACME,   Inc. ", "acme"),
    ("Acme Inc", "acme"),
    ("acme ltd", "acme"),
    ("Acme LLC", "acme"),
    ("Bergmann GmbH", "bergmann"),
    ("Bergmann AG", "bergmann"),
    ("Ferri S.p.A.", "ferri"),
    ("Ferri SpA", "ferri"),
    ("Rossi S.r.l.", "rossi"),
    ("Nestlé S.A.", "nestlé"),
    ("Philips B.V.", "philips"),
    ("Acme Co. Ltd.", "acme"),  # several legal forms in a row
    ("AG", "ag"),  # a name that is nothing but a legal form keeps it
    ("Ａｃｍｅ", "acme"),  # full-width letters, as NFKC reads them
    ("Marks & Spencer", "marks spencer"),
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),  # casefold, not lower
    ("---", ""),
])
def test_normalise(name, key):
    assert normalise(name) == key


def test_most_frequent_wins_and_ties_are_stable():
    assert most_frequent([("ACME", 1), ("Acme", 3), ("Acme Inc", 2)]) == "Acme"
    assert most_frequent([("Zeta", 2), ("Alpha", 2)]) == "Alpha"


@pytest.mark.parametrize(("a", "b", "close"), [
    ("globex", "globex uk", True),  # one begins the other at a word
    ("globex", "globexx", True),  # a typo
    ("initech", "initech", False),  # equal keys are one customer already, no pair
    ("acme", "acme retail group", True),
    ("ace", "acme", False),
    ("northwind", "southwind", False),
])
def test_similar(a, b, close):
    assert similar(a, b) is close


def test_near_pairs_compare_neighbours_and_stop_at_the_limit():
    keyed = [(1, "globex"), (2, "umbrella"), (3, "globex uk"), (4, "contoso electronics"), (5, "contoso electronix")]
    assert near_pairs(keyed) == [(4, 5), (1, 3)]  # in key order
    assert near_pairs(keyed, limit=1) == [(4, 5)]
    many = [(n, f"customer {n:04d}") for n in range(500)]
    assert len(near_pairs(many, limit=50)) == 50
