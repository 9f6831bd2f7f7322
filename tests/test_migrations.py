"""The migration chain upgrades an empty database to head, downgrades it to nothing, and upgrades
again: every downgrade undoes its upgrade, so a release can be rolled back (docs/operations.md).

On the database of the run: SQLite, and PostgreSQL in the database phase of ``scripts/test``
(``TEST_DATABASE_URL``), where it runs in a schema of its own beside the suite's tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from app import create_app
from app.extensions import db
from config import BASE_DIR


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new schema of the run's PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'chain.db'}"
        return
    schema = f"migration_chain_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def _revision(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as connection:
        return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))


def test_the_chain_upgrades_to_head_downgrades_to_base_and_upgrades_again(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    heads = set(ScriptDirectory(str(BASE_DIR / "migrations")).get_heads())
    assert len(heads) == 1, f"the chain has several heads, merge them: {heads}"
    models = {table.name for table in db.metadata.sorted_tables}
    try:
        with app.app_context():
            flask_migrate.upgrade()
        assert models <= _tables(app) and _revision(app) == heads

        with app.app_context():
            flask_migrate.downgrade(revision="base")
        left = _tables(app) - {"alembic_version"}
        assert left == set(), f"the downgrades leave these tables behind: {sorted(left)}"
        assert _revision(app) == set()

        with app.app_context():
            flask_migrate.upgrade()
        assert models <= _tables(app) and _revision(app) == heads
    finally:
        with app.app_context():
            db.engine.dispose()
