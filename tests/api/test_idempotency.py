"""``Idempotency-Key`` on every POST (app/api/idempotency.py): a retry replays the first response and the
view runs once; another body is 422, another person's key is theirs, an expired key runs again, a 5xx
before any commit is forgotten, a bad header is 400, a key still running is 409, and the hourly
clean-up deletes what is older than a day."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.api import idempotency, jobs
from app.api.models import IdempotencyKey
from app.background import registry
from app.commitments import services as commitment_services
from app.commitments.models import Commitment
from app.core import clock as app_clock
from app.extensions import db
from app.projects.models import ProjectRole
from app.projects.services import add_member
from tests.api.helpers import assert_json_error
from tests.factories import RegionFactory, UserFactory

KEY = "9b2f0c8e-4d1a-4f7e-8a52-3c6d1e0f7b21"


@pytest.fixture
def world(make_project, make_product, people):
    south = RegionFactory(name="Southern Europe")
    product = make_product(coverage={south: "sellable"})
    project = make_project(state="planned")
    return {"project": project, "product": product, "south": south}


def url(world) -> str:
    return f"/api/v1/projects/{world['project'].id}/commitments"


def terms(world, **overrides) -> dict:
    body = {"customer": "Acme GmbH", "product_id": world["product"].id, "region_id": world["south"].id,
            "promise": "SSO for 500 seats", "promised_date": (app_clock.today() + timedelta(days=60)).isoformat(),
            "quantity": 500}
    body.update(overrides)
    return body


def keyed(key: str = KEY) -> dict[str, str]:
    return {idempotency.HEADER: key}


def commitments() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Commitment))


def keys() -> list[IdempotencyKey]:
    return list(db.session.scalars(sa.select(IdempotencyKey).order_by(IdempotencyKey.id)))


def test_a_retry_replays_the_first_response_and_the_view_runs_once(api, people, world):
    client = api(people["sales"])

    first = client.post(url(world), json=terms(world), headers=keyed())
    again = client.post(url(world), json=terms(world), headers=keyed())

    assert first.status_code == again.status_code == 201, first.get_data(as_text=True)
    assert again.get_json() == first.get_json()  # the same id: one commitment, not two
    assert commitments() == 1
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.headers["Content-Type"] == first.headers["Content-Type"] == "application/json"
    # The replay is still a response of ours: the security headers are made afresh, not stored.
    assert "Content-Security-Policy" in again.headers
    [row] = keys()
    assert (row.user_id, row.key, row.applied, row.status) == (people["sales"].id, KEY, True, 201)


def test_without_the_header_every_post_runs(api, people, world):
    client = api(people["sales"])

    assert client.post(url(world), json=terms(world)).status_code == 201
    assert client.post(url(world), json=terms(world)).status_code == 201

    assert commitments() == 2 and keys() == []


def test_the_same_key_for_another_body_or_path_is_422_naming_the_header(api, people, world):
    client = api(people["sales"])
    created = client.post(url(world), json=terms(world), headers=keyed()).get_json()

    other_body = client.post(url(world), json=terms(world, customer="Globex"), headers=keyed())
    other_path = client.post(f"/api/v1/commitments/{created['id']}/transitions", json={"event": "submit"},
                             headers=keyed())

    for response in (other_body, other_path):
        error = assert_json_error(response, 422, "idempotency_key_reused")
        assert list(error["fields"]) == ["Idempotency-Key"]
    assert commitments() == 1
    assert db.session.get(Commitment, created["id"]).state == "draft"  # the transition never ran


def test_another_persons_same_key_is_their_own(api, people, world):
    seller = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True)
    add_member(people["pm"], world["project"], seller, ProjectRole.MEMBER)
    db.session.commit()

    mine = api(people["sales"]).post(url(world), json=terms(world), headers=keyed())
    theirs = api(seller).post(url(world), json=terms(world), headers=keyed())

    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers
    assert commitments() == 2


def test_a_key_is_the_persons_whatever_token_carries_it(api, people, world):
    first = api(people["sales"]).post(url(world), json=terms(world), headers=keyed())
    through_a_new_token = api(people["sales"]).post(url(world), json=terms(world), headers=keyed())

    assert through_a_new_token.headers["Idempotent-Replayed"] == "true"
    assert through_a_new_token.get_json()["id"] == first.get_json()["id"]


def test_after_24_hours_the_same_key_runs_again(api, people, world, clock):
    client, body = api(people["sales"]), terms(world)  # the promised date is read once: the clock moves
    first = client.post(url(world), json=body, headers=keyed())

    clock.advance(hours=23, minutes=59)
    replayed = client.post(url(world), json=body, headers=keyed())
    assert replayed.headers.get("Idempotent-Replayed") == "true", replayed.get_data(as_text=True)
    clock.advance(minutes=1)
    later = client.post(url(world), json={**body, "customer": "Globex"}, headers=keyed())

    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert later.get_json()["id"] != first.get_json()["id"]
    assert commitments() == 2
    [row] = keys()
    assert row.created_at == app_clock.now()


def test_a_refusal_is_kept_too(api, people, world):
    client = api(people["sales"])

    first = client.post(url(world), json=terms(world, customer=""), headers=keyed())
    again = client.post(url(world), json=terms(world, customer=""), headers=keyed())

    assert_json_error(first, 400, "invalid")
    assert again.status_code == 400 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert [(row.status, row.applied) for row in keys()] == [(400, False)]


def test_a_server_error_before_any_commit_is_forgotten_and_the_retry_runs(api, people, world, monkeypatch):
    client = api(people["sales"])

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(commitment_services, "create_commitment", broken)
        failed = client.post(url(world), json=terms(world), headers=keyed())
    assert_json_error(failed, 500, "server_error")
    assert keys() == []

    retried = client.post(url(world), json=terms(world), headers=keyed())

    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert commitments() == 1


def test_a_server_error_after_the_change_committed_is_kept_so_it_never_runs_twice(api, people, world, monkeypatch):
    client = api(people["sales"])
    from app.commitments import api as commitments_api

    def broken(*_args, **_kwargs):
        raise RuntimeError("the serializer broke")

    with monkeypatch.context() as patched:
        patched.setattr(commitments_api, "commitment_detail_json", broken)  # runs after the view's commit
        failed = client.post(url(world), json=terms(world), headers=keyed())
    assert failed.status_code == 500
    retried = client.post(url(world), json=terms(world), headers=keyed())

    assert retried.status_code == 500 and retried.headers["Idempotent-Replayed"] == "true"
    assert commitments() == 1
    assert [(row.status, row.applied) for row in keys()] == [(500, True)]


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_an_invalid_key_is_400_naming_the_header(api, people, world, key):
    response = api(people["sales"]).post(url(world), json=terms(world), headers={idempotency.HEADER: key})

    error = assert_json_error(response, 400, "invalid")
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert commitments() == 0 and keys() == []


def test_the_longest_key_and_a_quoted_one_are_fine(api, people, world):
    client = api(people["sales"])
    for key in ("x" * 255, '"8e03978e-40d5-43e8-bc93-6894a57f9324"'):
        assert client.post(url(world), json=terms(world), headers=keyed(key)).status_code == 201
    assert commitments() == 2


def test_a_retry_while_the_first_still_runs_is_409(api, people, world, monkeypatch):
    """Two requests at once, on two threads: the second finds the first's claim and answers 409."""
    client, other = api(people["sales"]), api(people["sales"])
    entered, release = threading.Event(), threading.Event()
    original = commitment_services.create_commitment
    results = {}

    def slow(*args, **kwargs):
        entered.set()
        assert release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(commitment_services, "create_commitment", slow)
    db.session.commit()
    target, body, headers = url(world), terms(world), client.headers(keyed())  # read here: the thread has no app context
    first = threading.Thread(target=lambda: results.setdefault(
        "first", client.client.post(target, json=body, headers=headers)))
    first.start()
    try:
        assert entered.wait(10)
        second = other.post(url(world), json=terms(world), headers=keyed())
    finally:
        release.set()
        first.join(10)

    error = assert_json_error(second, 409, "idempotency_in_progress")
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert results["first"].status_code == 201
    assert commitments() == 1


def test_a_claim_left_by_a_request_that_died_is_taken_over_once_stale(api, people, world, clock):
    """A claim row already there (inserted first) decides: 409 while it may still run, taken over after."""
    db.session.add(IdempotencyKey(user_id=people["sales"].id, key=KEY, created_at=app_clock.now(),
                                  fingerprint=idempotency.fingerprint(
                                      "POST", url(world), _body(world))))
    db.session.commit()
    client = api(people["sales"])

    assert_json_error(client.post(url(world), data=_body(world), content_type="application/json",
                                  headers=keyed()), 409, "idempotency_in_progress")
    clock.advance(minutes=5)
    taken_over = client.post(url(world), data=_body(world), content_type="application/json", headers=keyed())

    assert taken_over.status_code == 201 and commitments() == 1


def test_a_claim_whose_change_committed_without_its_response_is_never_run_again(api, people, world, clock):
    db.session.add(IdempotencyKey(user_id=people["sales"].id, key=KEY, created_at=app_clock.now(), applied=True,
                                  fingerprint=idempotency.fingerprint("POST", url(world), _body(world))))
    db.session.commit()
    clock.advance(hours=1)

    response = api(people["sales"]).post(url(world), data=_body(world), content_type="application/json",
                                          headers=keyed())

    assert_json_error(response, 409, "idempotency_response_lost")
    assert commitments() == 0


def _body(world) -> bytes:
    import json

    return json.dumps(terms(world)).encode()


def test_the_fingerprint_takes_method_path_query_and_body():
    base = idempotency.fingerprint("POST", "/api/v1/x", b"{}")
    assert len(base) == 64
    assert base == idempotency.fingerprint("POST", "/api/v1/x", b"{}")
    assert base != idempotency.fingerprint("POST", "/api/v1/x?a=1", b"{}")
    assert base != idempotency.fingerprint("POST", "/api/v1/y", b"{}")
    assert base != idempotency.fingerprint("POST", "/api/v1/x", b"{ }")
    assert idempotency.fingerprint("POST", "/a", b"b") != idempotency.fingerprint("POST", "/ab", b"")


def test_other_methods_ignore_the_header(api, people, world):
    client = api(people["sales"])
    created = client.post(url(world), json=terms(world)).get_json()

    for _ in range(2):
        response = client.patch(f"/api/v1/commitments/{created['id']}", headers=keyed(),
                                json={"version": client.get(f"/api/v1/commitments/{created['id']}").get_json()["version"],
                                      "quantity": 10})
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    assert keys() == []


def test_the_hourly_clean_up_deletes_keys_older_than_a_day(app, api, people, world, clock):
    assert any(job.func is jobs.clean_up for job in registry.periodic_jobs())
    client = api(people["sales"])
    client.post(url(world), json=terms(world), headers=keyed("old"))
    clock.advance(hours=20)
    client.post(url(world), json=terms(world), headers=keyed("recent"))
    clock.advance(hours=4)

    assert jobs.clean_up() == "1 idempotency key deleted"
    assert [row.key for row in keys()] == ["recent"]
    clock.advance(minutes=59)
    assert jobs.clean_up() == "not due"
    clock.advance(minutes=2)
    assert jobs.clean_up() == "0 idempotency keys deleted"
    clock.advance(hours=19)
    assert jobs.clean_up() == "1 idempotency key deleted"
    assert keys() == []


def test_every_post_of_the_document_declares_the_header_and_its_answers(app):
    from app.api.openapi import document

    posts = [(path, item["post"]) for path, item in document(app)["paths"].items() if "post" in item]
    assert len(posts) >= 20
    for path, operation in posts:
        [header] = [p for p in operation["parameters"] if p["in"] == "header"]
        assert (header["name"], header["required"]) == ("Idempotency-Key", False), path
        assert {"400", "409", "422"} <= set(operation["responses"]), path
        success = next(status for status in operation["responses"] if status.startswith("2"))
        assert "Idempotent-Replayed" in operation["responses"][success]["headers"], path
    others = [op for item in document(app)["paths"].values() for method, op in item.items() if method != "post"]
    assert not any(p["in"] == "header" for op in others for p in op["parameters"])
