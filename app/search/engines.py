"""The two full-text engines behind one search: what each kind's document is, and a typed query
turned into each engine's match condition.

SQLite: an FTS5 table per kind (``search_<table>``), external content over the record's own table
(nothing stored twice), kept current by triggers the migration creates, so every insert, update and
delete, bulk ones too, changes the index in its own transaction. PostgreSQL: a GIN index on the
record's ``to_tsvector`` expression; the condition below repeats that expression word for word, so
the planner uses the index and there is nothing to keep current. Both use the ``simple`` rules (no
stemming, no stop words: names and ids are searched as written) and match the last word as a prefix
("glob" finds Globex). A query is reduced to its words before it reaches either engine, so quotes,
``AND``/``OR``/``NEAR``, ``*``, ``:``, ``!`` and parentheses are text, never syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

#: Letters and digits (any script): a word as both engines' tokenizers cut text.
WORD = re.compile(r"[^\W_]+")
#: Words used of a query, at most: a pasted paragraph is not a search.
MAX_WORDS = 8
#: Characters PostgreSQL's document turns into spaces before its parser reads it (immutable, so indexable).
SEPARATORS = ".-_/@:+#"
#: The shortest query searched (in letters and digits): one letter would match half the data.
MIN_LENGTH = 2


@dataclass(frozen=True)
class Document:
    """What is searched of one kind of record: its table and the text columns, in one document."""

    table: str
    columns: tuple[str, ...]

    @property
    def fts_table(self) -> str:
        return f"search_{self.table}"

    @property
    def index_name(self) -> str:
        return f"ix_{self.table}_search"

    @property
    def tsvector(self) -> str:
        """The PostgreSQL document, as the migration indexes it and every search repeats it."""
        text = " || ' ' || ".join(f"coalesce({self.table}.{column}, '')" for column in self.columns)
        # Punctuation inside a word parts it, as FTS5 does: PostgreSQL's parser would keep "globex.example"
        # whole as a host name and read "SF-00042" as "sf" and the number "-00042".
        return f"to_tsvector('simple'::regconfig, translate({text}, '{SEPARATORS}', '{' ' * len(SEPARATORS)}'))"


#: The documents by kind, in the order the results page shows them.
DOCUMENTS: dict[str, Document] = {
    "campaigns": Document("projects", ("title", "goal_statement")),
    "customers": Document("customers", ("name", "domain", "external_id")),
    "commitments": Document("commitments", ("promise", "crm_deal_id")),
    "feedback": Document("feedback", ("title", "details", "source_name")),
    "briefings": Document("briefings", ("title", "sales_team", "key_points", "notes")),
}


def words(query: str) -> list[str]:
    """The words searched for in ``query`` (none when it is too short to search)."""
    found = WORD.findall(query)[:MAX_WORDS]
    return found if sum(len(word) for word in found) >= MIN_LENGTH else []


def fts5_query(terms: list[str]) -> str:
    """An FTS5 query: every word as a quoted string (so nothing in it is syntax), the last a prefix."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(terms: list[str]) -> str:
    """A ``to_tsquery`` text: every word a quoted lexeme, all required, the last a prefix."""
    quoted = ["'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def matches(dialect: str, document: Document, record_id: sa.ColumnElement[int],
            terms: list[str]) -> sa.ColumnElement[bool]:
    """The condition "this record's document has all ``terms``" in ``dialect``'s engine."""
    if dialect == "postgresql":
        vector = sa.literal_column(document.tsvector)
        return vector.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery(terms)))
    fts = sa.table(document.fts_table, sa.column("rowid"))
    found = sa.select(fts.c.rowid).where(sa.literal_column(document.fts_table).op("MATCH")(fts5_query(terms)))
    return record_id.in_(found)


def is_schema_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object``: the FTS5 tables (and FTS5's own shadow tables beside them) and the
    GIN expression indexes are the search's index, made by its migration, not models: a comparison
    with the models skips them."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "index":  # PostgreSQL's expression indexes
        return name not in {d.index_name for d in DOCUMENTS.values()}
    return not (type_ == "table"
                and any(name == d.fts_table or (name or "").startswith(f"{d.fts_table}_") for d in DOCUMENTS.values()))
