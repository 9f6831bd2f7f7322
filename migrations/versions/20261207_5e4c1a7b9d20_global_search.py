"""global search: a full-text index per searched kind (campaigns, customers, commitments, feedback, briefings)

SQLite: an FTS5 table per kind over the record's own table (external content), filled from the
rows there are, and triggers that keep it current in the transaction of every insert, update and
delete. PostgreSQL: a GIN index on each kind's ``to_tsvector`` expression (built from the rows
there are; nothing to keep current). The downgrade removes them.

Revision ID: 5e4c1a7b9d20
Revises: 0332df69ec83
Create Date: 2026-12-07 11:25:00.000000

"""
from alembic import op

# The app's own documents, not a copy: a search repeats the indexed expression word for word, or
# PostgreSQL would not use the index.
from app.search.engines import DOCUMENTS

# revision identifiers, used by Alembic.
revision = '5e4c1a7b9d20'
down_revision = '0332df69ec83'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for document in DOCUMENTS.values():
            op.execute(f"CREATE INDEX {document.index_name} ON {document.table} USING gin (({document.tsvector}))")
        return
    for document in DOCUMENTS.values():
        fts, table = document.fts_table, document.table
        columns = ", ".join(document.columns)
        new = ", ".join(f"new.{column}" for column in document.columns)
        old = ", ".join(f"old.{column}" for column in document.columns)
        # remove_diacritics 2: "Société" is found by "societe" and by "société".
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{table}', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new}); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for document in DOCUMENTS.values():
            op.execute(f"DROP INDEX IF EXISTS {document.index_name}")
        return
    for document in DOCUMENTS.values():
        fts = document.fts_table
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
