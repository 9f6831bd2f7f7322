"""/healthz, /readyz and ``flask doctor``: each check passing and failing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Throttle
from app.extensions import db
from tests import redisdb
from tests.ops.helpers import runs_finished
from tests.queries import counting


def test_healthz_answers_without_reading_anything(client):
    with counting() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"process": {"ok": True, "detail": "answering"}}}
    assert statements == []
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_passes_when_everything_is_in_order(client, clock, no_redis):
    runs_finished(clock.now() - timedelta(minutes=1))
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "redis", "sweep"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["redis"]["detail"] == "not configured (REDIS_URL unset)"
    assert body["checks"]["migrations"]["detail"].startswith("at head (")


def test_readyz_is_cheap(client, clock, no_redis):
    runs_finished(clock.now())
    client.get("/readyz")
    with counting() as statements:
        client.get("/readyz")
    assert len(statements) <= 3  # SELECT 1, the schema's revision, the periodic runs


def test_a_sweep_behind_fails_readiness_and_names_it(client, clock, no_redis):
    names = runs_finished(clock.now())
    clock.advance(minutes=6)  # the sweep runs every minute; five minutes late is "behind"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "fail"
    sweep = response.json["checks"]["sweep"]
    assert sweep["ok"] is False and "Reminder sweep last ran 6 minutes ago" in sweep["detail"]
    assert {k for k, v in response.json["checks"].items() if not v["ok"]} == {"sweep"}
    assert len(names) >= 4  # the sweep, the dispatch, the webhooks' sweep, the clean-ups


def test_a_sweep_that_never_ran_fails_readiness(client, no_redis):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "Reminder sweep never ran" in response.json["checks"]["sweep"]["detail"]


@contextmanager
def schema_stamped(version: str) -> Iterator[str]:
    """The database says it is at ``version`` for the block; yields the true head, stamped back after."""
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = :version"), {"version": version})
    db.session.commit()
    try:
        yield head
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()


def test_migrations_not_at_head_fail_readiness(client, clock, no_redis):
    runs_finished(clock.now())
    with schema_stamped("d1edb9b893df") as head:
        response = client.get("/readyz")
    assert response.status_code == 503
    migrations = response.json["checks"]["migrations"]
    assert migrations["ok"] is False
    assert migrations["detail"] == f"at d1edb9b893df, the code expects {head} (run flask db upgrade)"


def test_a_schema_a_newer_release_migrated_keeps_older_code_ready(client, clock, no_redis):
    runs_finished(clock.now())
    with schema_stamped("f00dfacecafe") as head:  # unknown here
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["migrations"] == {
        "ok": True, "detail": f"at f00dfacecafe, ahead of this code's {head} (a newer release migrated it)"}


def test_redis_reachable_passes_and_unreachable_fails(client, clock, configure, redis_db):
    runs_finished(clock.now())
    assert client.get("/readyz").json["checks"]["redis"] == {"ok": True, "detail": "reachable"}
    redisdb.drop_app_connection(client.application)
    configure(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == {"ok": False, "detail": "unreachable: ConnectionError"}
    redisdb.drop_app_connection(client.application)


def test_an_unreachable_database_fails_readiness_without_saying_where_it_is(tmp_path):
    missing = tmp_path / "no-such-folder" / "countersign.db"
    broken = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    with broken.app_context():
        response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["database"] == {"ok": False, "detail": "unreachable: OperationalError"}
    assert not checks["migrations"]["ok"] and not checks["sweep"]["ok"]
    assert str(tmp_path) not in response.get_data(as_text=True)
    # The process is still alive, and says so.
    assert broken.test_client().get("/healthz").status_code == 200


def test_health_routes_need_no_sign_in_and_pass_a_bad_bearer_token_by(client, clock, no_redis):
    runs_finished(clock.now())
    for path in ("/healthz", "/readyz"):
        response = client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 200, path
    # A bearer token sent to them is theirs to ignore: no failure counted against the address.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Throttle)) == 0


@pytest.mark.parametrize("stale", [False, True])
def test_doctor_prints_a_line_per_check_and_exits_by_the_result(app, clock, no_redis, stale):
    runs_finished(clock.now())
    if stale:
        clock.advance(hours=1)
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines] == ["database", "migrations", "redis", "sweep"]
    assert [line.split()[0] for line in lines] == ["ok", "ok", "ok", "FAIL" if stale else "ok"]
    assert result.exit_code == (1 if stale else 0)


def test_doctor_gives_the_full_error(app, clock, configure, no_redis):
    runs_finished(clock.now())
    configure(REDIS_URL="redis://127.0.0.1:1/0")
    result = app.test_cli_runner().invoke(args=["doctor"])
    redisdb.drop_app_connection(app)
    assert result.exit_code == 1
    redis_line = next(line for line in result.output.splitlines() if " redis " in line)
    assert redis_line.startswith("FAIL") and "127.0.0.1:1" in redis_line
