"""One search over what a reader may see: campaigns, customers, commitments, feedback and briefings.

Each kind's query is that feature's own "what may this person see" query (its ``access.py``) with the
engine's match added (:mod:`app.search.engines`), so what is not theirs is filtered in SQL: it is
never fetched, never counted, and pages stay full. The results page shows the first few of each kind
with how many there are (one query per kind, the count a window over it); one kind, or all kinds
together (the API), is paged by keyset, most recently changed first. A page costs the same number of
queries whatever the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.briefings.models import Briefing
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.core.pagination import Key, Page, PageRequest, desc, head, paginate
from app.customers.access import sees_customers
from app.customers.models import Customer
from app.extensions import db
from app.feedback.access import visible_feedback
from app.feedback.models import Feedback
from app.projects.access import visible_projects
from app.projects.models import Project
from app.search.engines import DOCUMENTS, matches, words

KINDS: tuple[str, ...] = tuple(DOCUMENTS)
LABELS = {"campaigns": "Campaigns", "customers": "Customers", "commitments": "Commitments",
          "feedback": "Feedback", "briefings": "Briefings"}
#: How many of each kind the results page shows before "all N …".
OVERVIEW_LIMIT = 5
#: Characters of text around the first match that a result shows.
SNIPPET_WIDTH = 160

_MODELS: dict[str, Any] = {"campaigns": Project, "customers": Customer, "commitments": Commitment,
                           "feedback": Feedback, "briefings": Briefing}


@dataclass(frozen=True)
class Hit:
    """One result, as pages and the API show it: ``title`` and ``snippet`` are pieces of text, each
    marked when it is a searched word (the template marks them, escaped like any text)."""

    kind: str
    id: int
    title: list[tuple[str, bool]]
    snippet: list[tuple[str, bool]]
    state: str | None
    state_label: str | None
    when: datetime | date
    path: str

    @property
    def title_text(self) -> str:
        return "".join(text for text, _ in self.title)

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)


@dataclass(frozen=True)
class Group:
    """One kind's results: the hits shown and how many match in all (None on a paged list)."""

    kind: str
    hits: list[Hit]
    total: int | None = None
    next_cursor: str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]


@dataclass(frozen=True)
class Results:
    query: str
    terms: list[str]
    groups: list[Group] = field(default_factory=list)

    @property
    def searched(self) -> bool:
        """False when the query was too short to search (nothing was asked of the database)."""
        return bool(self.terms)

    @property
    def found(self) -> int:
        return sum(group.total or len(group.hits) for group in self.groups)


def search(reader: User, query: str, kinds: tuple[str, ...] = KINDS, asked: PageRequest | None = None) -> Results:
    """What ``reader`` may see that matches ``query``: with ``asked``, one page of ``kinds`` (one kind, or
    all of them together, most recently changed first); without, the first few of each kind and their counts."""
    terms = words(query)
    if not terms:
        return Results(query, [])
    if asked is None:
        groups = []
        for kind in kinds:
            found = head(_matching(reader, kind, terms), _keys(_MODELS[kind]), OVERVIEW_LIMIT)
            groups.append(Group(kind, _hits(kind, found.items, terms), found.total))
        return Results(query, terms, groups)
    if len(kinds) == 1:
        kind = kinds[0]
        page: Page[Any] = paginate(_matching(reader, kind, terms), _keys(_MODELS[kind]), asked)
        return Results(query, terms, [Group(kind, _hits(kind, page.items, terms), None, page.next_cursor)])
    return Results(query, terms, [_together(reader, kinds, terms, asked)])


def _together(reader: User, kinds: tuple[str, ...], terms: list[str], asked: PageRequest) -> Group:
    """One page across ``kinds``: a union of each kind's matching (kind, id, date), then each kind's
    records of the page in one query."""
    parts = []
    for kind in kinds:
        model = _MODELS[kind]
        parts.append(_filtered(reader, kind, terms).with_only_columns(
            sa.literal_column(f"'{kind}'").label("kind"), model.id.label("record_id"),
            model.updated_at.label("stamp")))
    union = sa.union_all(*parts).subquery()
    ref = (union.c.kind + ":" + sa.cast(union.c.record_id, sa.String)).label("ref")
    page = paginate(sa.select(ref), [desc(union.c.stamp), desc(union.c.kind), desc(union.c.record_id)], asked)
    refs = [(kind, int(number)) for kind, _, number in (item.partition(":") for item in page.items)]
    records: dict[tuple[str, int], Any] = {}
    for kind in kinds:
        ids = [number for k, number in refs if k == kind]
        if ids:
            model = _MODELS[kind]
            query = _loaded(kind, sa.select(model).where(model.id.in_(ids)))
            records.update(((kind, record.id), record) for record in db.session.scalars(query))
    hits = [_hit(kind, records[(kind, number)], terms) for kind, number in refs if (kind, number) in records]
    return Group("all", hits, None, page.next_cursor)


def _keys(model: Any) -> list[Key]:
    return [desc(model.updated_at), desc(model.id)]


def _visible(reader: User, kind: str) -> sa.Select[Any]:
    """Each feature's own rule of what ``reader`` may see (briefings: everyone signed in reads them)."""
    if kind == "campaigns":
        return visible_projects(reader)
    if kind == "customers":
        query = sa.select(Customer)
        return query if sees_customers(reader) else query.where(sa.false())
    if kind == "commitments":
        return visible_commitments(reader)
    if kind == "feedback":
        return visible_feedback(reader)
    return sa.select(Briefing)


def _filtered(reader: User, kind: str, terms: list[str]) -> sa.Select[Any]:
    model = _MODELS[kind]
    return _visible(reader, kind).where(matches(db.engine.dialect.name, DOCUMENTS[kind], model.id, terms))


def _matching(reader: User, kind: str, terms: list[str]) -> sa.Select[Any]:
    return _loaded(kind, _filtered(reader, kind, terms))


def _loaded(kind: str, query: sa.Select[Any]) -> sa.Select[Any]:
    if kind == "commitments":  # its title names the customer and the product
        return query.options(so.joinedload(Commitment.customer), so.joinedload(Commitment.product))
    return query


def _hit(kind: str, record: Any, terms: list[str]) -> Hit:
    if kind == "campaigns":
        return Hit(kind, record.id, marked(record.title, terms), snippet(record.goal_statement, terms),
                   record.state, record.state_label, record.updated_at, f"/campaigns/{record.id}")
    if kind == "customers":
        about = " · ".join(part for part in (record.domain, record.external_id or "") if part)
        return Hit(kind, record.id, marked(record.name, terms), snippet(about, terms), None, None,
                   record.updated_at, record.path)
    if kind == "commitments":
        title = f"{record.customer.name}: {record.product.name}"
        body = " · ".join(part for part in (record.promise, record.crm_deal_id or "") if part)
        return Hit(kind, record.id, marked(title, terms), snippet(body, terms), record.state, record.state_label,
                   record.updated_at, record.path)
    if kind == "feedback":
        body = " · ".join(part for part in (record.details, record.source_name) if part)
        return Hit(kind, record.id, marked(record.title, terms), snippet(body, terms), record.state,
                   record.state_label, record.updated_at, record.path)
    body = " · ".join(part for part in (record.key_points, record.notes, record.sales_team) if part)
    return Hit(kind, record.id, marked(record.title, terms), snippet(body, terms), None, None,
               record.held_on, record.path)


def _hits(kind: str, records: list[Any], terms: list[str]) -> list[Hit]:
    return [_hit(kind, record, terms) for record in records]


# --- highlighting: pure text in, marked pieces out -----------------------------------------------------------

def _pattern(terms: list[str]) -> re.Pattern[str]:
    """A searched word at the start of a word, and the rest of that word (every word matches as a prefix)."""
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def marked(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` in pieces, each searched word (and the rest of its word) marked."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in _pattern(terms).finditer(text):
        if found.start() > at:
            pieces.append((text[at:found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def snippet(text: str, terms: list[str], width: int = SNIPPET_WIDTH) -> list[tuple[str, bool]]:
    """About ``width`` characters of ``text`` around its first searched word (its start when none is in
    it), on one line, marked; "…" where it was cut."""
    flat = " ".join(text.split())
    found = _pattern(terms).search(flat)
    start = 0
    if found and found.start() > width // 3:
        start = flat.rfind(" ", 0, found.start() - width // 3) + 1
    end = start + width
    if end < len(flat):
        end = max(flat.rfind(" ", start, end), start + width // 2)
    window = ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
    return marked(window, terms)
