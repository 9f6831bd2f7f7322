"""The factory, configuration, schema and error pages."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.extensions import db
from app.search.engines import is_schema_object
from config import ProductionConfig


def test_testing_config_is_used_for_tests(app):
    assert app.testing and not create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).debug


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("COUNTERSIGN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    production = create_app()
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["SESSION_COOKIE_HTTPONLY"]
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert ProductionConfig.SESSION_COOKIE_SECURE


def test_the_migrations_build_exactly_the_schema_the_models_describe(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": is_schema_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unknown_pages_get_a_friendly_404(people, login):
    page = login(people["team"]).get("/no/such/page")
    assert page.status_code == 404 and b"Not found" in page.data


def test_csrf_is_enforced_outside_tests(people):
    strict = create_app({"SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(hide_password=False),
                         "WTF_CSRF_ENABLED": True})
    response = strict.test_client().post("/login", data={"email": people["team"].email, "password": "x"})
    assert response.status_code == 400 and b"The form expired" in response.data

