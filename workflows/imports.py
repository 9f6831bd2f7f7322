"""The states of a CRM import run: what it needs next, and which moves are allowed.

    uploaded ──map──▶ mapped ──preview──▶ previewed ──start──▶ importing ──▶ done
                        ▲  ▲                 │                    │
                        │  └─────map─────────┘                    └──▶ failed ──map/preview──┘

A run is mapped again (or previewed again) as often as needed before it starts; a failed run
wrote nothing and goes back to mapping or preview. ``done`` is final: importing the same file
again is a new run, which finds every deal unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class ImportState(StrEnum):
    UPLOADED = "uploaded"
    MAPPED = "mapped"
    PREVIEWED = "previewed"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


S = ImportState
STATES: dict[str, str] = {S.UPLOADED.value: "Uploaded", S.MAPPED.value: "Columns mapped",
                          S.PREVIEWED.value: "Previewed", S.IMPORTING.value: "Importing", S.DONE.value: "Imported",
                          S.FAILED.value: "Failed"}
#: Runs whose file is still needed (and kept): everything before the end.
OPEN_STATES = frozenset({S.UPLOADED, S.MAPPED, S.PREVIEWED, S.IMPORTING, S.FAILED})
#: Runs that may still be mapped, previewed and started.
EDITABLE_STATES = frozenset({S.UPLOADED, S.MAPPED, S.PREVIEWED, S.FAILED})

_MOVES: dict[str, frozenset[str]] = {
    S.MAPPED: frozenset({S.UPLOADED, S.MAPPED, S.PREVIEWED, S.FAILED}),
    S.PREVIEWED: frozenset({S.MAPPED, S.PREVIEWED, S.FAILED}),
    S.IMPORTING: frozenset({S.PREVIEWED}),
    S.DONE: frozenset({S.IMPORTING}),
    S.FAILED: frozenset({S.IMPORTING}),
}

_WHY = {
    S.MAPPED: "This import has already run: upload the file again to import it once more.",
    S.PREVIEWED: "Map the columns first.",
    S.IMPORTING: "Preview the rows first: the import starts from a preview without errors.",
}


def refusal(current: str, target: str) -> str | None:
    """Why a run in ``current`` cannot move to ``target``, or None when it can."""
    if current in _MOVES.get(target, frozenset()):
        return None
    if current == S.IMPORTING:
        return "The import is running: wait until it ends."
    if current == S.DONE:
        return "This import has already run: upload the file again to import it once more."
    return _WHY.get(target, "This step is not open now.")
