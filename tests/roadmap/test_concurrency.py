"""Two project managers editing the same roadmap at once: the second save is a conflict, nothing is lost.

These need real concurrent transactions, so they run on PostgreSQL only (the test command runs
the database suite again there, with TEST_DATABASE_URL); on SQLite they are skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.commitments import services as commitments
from app.core.errors import StaleEdit
from app.core.views import commit
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.roadmap.models import Replan, RoadmapChange

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs two real concurrent transactions: PostgreSQL (TEST_DATABASE_URL)")


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _url(project, suffix: str) -> str:
    return f"/api/v1/projects/{project.id}/{suffix}"


def in_parallel(calls: list[Callable[[], Any]], timeout: float = 30) -> list[Any]:
    """Run each call in its own thread (its own request, app context and transaction); their results."""
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = call()
        except BaseException as error:  # reported by the test, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a request hung: the two transactions deadlocked"
    return results


def both_wait_here(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> threading.Barrier:
    """Hold each request at ``module.name`` until both got there: both have read the same version."""
    barrier = threading.Barrier(2, timeout=15)
    original = getattr(module, name)

    def wait_then_call(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wait_then_call)
    return barrier


@pytest.fixture
def roadmap(make_project, people, login):
    """An active campaign, and its project manager and owner signed in on two browsers."""
    project = make_project(state="active")
    db.session.commit()
    return {"project": project, "milestone": project.milestones[2], "due": project.milestones[2].due_date,
            "pm": login(people["pm"]), "owner": login(people["sales"])}


def test_the_second_of_two_re_plans_from_the_same_version_is_a_conflict(roadmap):
    project, pm, owner, due = roadmap["project"], roadmap["pm"], roadmap["owner"], roadmap["due"]
    # Both load the roadmap: the same milestone, at the same version.
    seen = [{m["id"]: m for m in c.get(_url(project, "milestones")).get_json()["items"]} for c in (pm, owner)]
    milestone_id = roadmap["milestone"].id
    assert seen[0][milestone_id]["version"] == seen[1][milestone_id]["version"]
    version = seen[0][milestone_id]["version"]

    def body(days: int, reason: str) -> dict[str, Any]:
        return {"reason": reason, "milestones": [
            {"id": milestone_id, "due_date": (due + timedelta(days=days)).isoformat(), "version": version}]}

    first = pm.post(_url(project, "replan"), json=body(10, "Supplier is late"))
    assert first.status_code == 200, first.get_data(as_text=True)
    second = owner.post(_url(project, "replan"), json=body(20, "Customer asked for later"))
    assert second.status_code == 409, second.get_data(as_text=True)
    error = second.get_json()["error"]
    assert error["code"] == "conflict" and "changed by someone else" in error["message"]

    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id).due_date == due + timedelta(days=10)
    assert [r.reason for r in db.session.scalars(sa.select(Replan))] == ["Supplier is late"]
    assert count(RoadmapChange) == 1


def test_two_simultaneous_re_plans_one_saves_the_other_is_a_conflict(roadmap, monkeypatch):
    project, due = roadmap["project"], roadmap["due"]
    milestone = roadmap["milestone"]
    milestone_id, version = milestone.id, milestone.version
    # Both requests pass every check on the version they read before either writes.
    both_wait_here(monkeypatch, commitments, "forecast")
    db.session.commit()

    url = _url(project, "replan")  # read here: the threads have no app context to load it in

    def replan(client, days: int, reason: str) -> Callable[[], Any]:
        return lambda: client.post(url, json={"reason": reason, "milestones": [
            {"id": milestone_id, "due_date": (due + timedelta(days=days)).isoformat(), "version": version}]})

    responses = in_parallel([replan(roadmap["pm"], 10, "PM: supplier is late"),
                             replan(roadmap["owner"], 20, "Owner: customer asked for later")])
    for response in responses:
        assert not isinstance(response, BaseException), repr(response)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.get_data(as_text=True) for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    loser = responses[1 - winner]
    assert loser.get_json()["error"]["code"] == "conflict"

    db.session.expire_all()
    saved = db.session.get(Milestone, milestone_id)
    assert saved.due_date == due + timedelta(days=(10, 20)[winner])
    assert saved.version == version + 1
    [record] = db.session.scalars(sa.select(Replan)).all()
    assert record.reason == ("PM: supplier is late", "Owner: customer asked for later")[winner]
    assert count(RoadmapChange) == 1


def test_two_transactions_on_the_same_version_the_second_commit_is_a_conflict(make_project):
    project = make_project(state="active")
    milestone_id, due = project.milestones[0].id, project.milestones[0].due_date
    db.session.commit()
    db.session.expire_all()
    mine = db.session.get(Milestone, milestone_id)  # this request's transaction reads version v
    with Session(db.engine) as theirs:
        other = theirs.get(Milestone, milestone_id)  # another transaction reads version v too
        assert other.version == mine.version
        other.due_date = due + timedelta(days=10)
        theirs.commit()
    mine.due_date = due + timedelta(days=20)  # UPDATE ... WHERE version = v: no row any more
    with pytest.raises(StaleEdit) as conflict:
        commit("roadmap")
    assert (conflict.value.status, conflict.value.code) == (409, "conflict")
    assert "roadmap was changed by someone else" in conflict.value.message
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id).due_date == due + timedelta(days=10)


def test_two_sessions_saving_the_same_milestone_raise_stale_data_instead_of_overwriting(make_project):
    project = make_project(state="active")
    milestone_id, due = project.milestones[0].id, project.milestones[0].due_date
    db.session.commit()
    with Session(db.engine) as first, Session(db.engine) as second:
        mine, theirs = first.get(Milestone, milestone_id), second.get(Milestone, milestone_id)
        mine.due_date, theirs.due_date = due + timedelta(days=3), due + timedelta(days=4)
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id).due_date == due + timedelta(days=3)


def test_two_simultaneous_milestone_form_saves_one_saves_the_other_is_a_conflict(roadmap, monkeypatch):
    """The milestone form's edit is a re-plan too: the same race must end in the same conflict."""
    project, due, milestone = roadmap["project"], roadmap["due"], roadmap["milestone"]
    milestone_id, version = milestone.id, milestone.version
    both_wait_here(monkeypatch, milestones, "_validate_milestone")
    db.session.commit()

    url = _url(project, f"milestones/{milestone_id}")  # read here: the threads have no app context

    def save(client, days: int, reason: str) -> Callable[[], Any]:
        return lambda: client.patch(url, json={
            "due_date": (due + timedelta(days=days)).isoformat(), "reason": reason, "version": version})

    responses = in_parallel([save(roadmap["pm"], 10, "PM"), save(roadmap["owner"], 20, "Owner")])
    for response in responses:
        assert not isinstance(response, BaseException), repr(response)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_data(as_text=True) for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id).due_date == due + timedelta(days=(10, 20)[winner])
    assert [r.reason for r in db.session.scalars(sa.select(Replan))] == [("PM", "Owner")[winner]]
