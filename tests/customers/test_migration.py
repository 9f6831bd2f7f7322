"""The migration that turned free-text customers into records: its data conversion, both ways.

The conversion functions read and write through lightweight tables (the columns as they stand at that
revision), so they run here on a database holding only those columns: free-text rows in, records out.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.customers.names import normalise

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/20261207_746876a50367_customers_as_records.py"


@pytest.fixture(scope="module")
def migration():
    spec = importlib.util.spec_from_file_location("customers_as_records", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def connection():
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(160) NOT NULL, "
                             "name_key VARCHAR(160) NOT NULL, domain VARCHAR(253) NOT NULL, notes TEXT NOT NULL, "
                             "created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, version INTEGER NOT NULL)")
        for table in ("commitments", "feedback"):
            conn.exec_driver_sql(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, customer VARCHAR(160) NOT NULL "
                                 "DEFAULT '', customer_id INTEGER)")
        yield conn


def _rows(connection, table):
    return connection.exec_driver_sql(f"SELECT id, customer, customer_id FROM {table} ORDER BY id").all()


def test_every_spelling_of_one_customer_becomes_one_record_named_by_the_most_used(migration, connection, clock):
    commitments = ["Acme Inc", "Acme Inc", "ACME, Inc.", "acme", "Globex", "Globex UK", "  Initech  ", "—"]
    feedback = ["Acme Inc", "", "initech ltd", "Umbrella"]
    for table, names in (("commitments", commitments), ("feedback", feedback)):
        for name in names:
            connection.execute(sa.text(f"INSERT INTO {table} (customer) VALUES (:name)"), {"name": name})

    migration.convert_to_records(connection)

    records = {row.name_key: row for row in connection.exec_driver_sql("SELECT * FROM customers")}
    # Acme's four spellings are one record; "Acme Inc" is used three times, so it names it. "Globex UK" is
    # close to "Globex" but not equal: two records, for an admin to merge on the possible-duplicates page.
    assert {key: row.name for key, row in records.items()} == {
        "acme": "Acme Inc", "globex": "Globex", "globex uk": "Globex UK", "initech": "Initech",
        "umbrella": "Umbrella", "—": "—"}
    assert all(row.version == 1 and row.created_at is not None for row in records.values())
    by_id = {row.id: row.name_key for row in records.values()}
    for table in ("commitments", "feedback"):
        for _id, text, customer_id in _rows(connection, table):
            if text == "":
                assert customer_id is None  # "the market said it"
            else:
                assert by_id[customer_id] in {normalise(text), text.strip().casefold()}, (table, text)

    migration.restore_text(connection)
    # Down again: each row's customer is its record's name (the spellings merged are gone for good).
    assert [text for _id, text, _c in _rows(connection, "commitments")] == [
        "Acme Inc", "Acme Inc", "Acme Inc", "Acme Inc", "Globex", "Globex UK", "Initech", "—"]
    assert [text for _id, text, _c in _rows(connection, "feedback")] == ["Acme Inc", "", "Initech", "Umbrella"]


def test_an_empty_database_converts_to_nothing(migration, connection):
    migration.convert_to_records(connection)
    assert connection.exec_driver_sql("SELECT count(*) FROM customers").scalar() == 0
