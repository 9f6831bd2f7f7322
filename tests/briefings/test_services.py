"""Briefing rules: who logs and keeps them, what is checked, who is told, and the list's filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.briefings import services
from app.briefings.models import Briefing
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed, StaleEdit
from app.extensions import db
from app.notifications.models import Notification
from tests.briefings import briefing_input, log
from tests.clock import DEFAULT_NOW  # parameters are built before any test sets its clock
from tests.factories import RegionFactory, UserFactory


def _notes(kind: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind)))


def test_a_product_manager_logs_a_briefing_and_its_attendees_are_told(people, make_product):
    region, product = RegionFactory(name="Southern Europe"), make_product()
    attendees = [people["sales"], people["team"], people["product"]]

    briefing = services.log_briefing(people["product"], briefing_input(
        region, [product], people["product"], attendee_ids=[u.id for u in attendees]))
    db.session.commit()

    assert briefing.created_by is people["product"] and briefing.version == 1
    assert briefing.guests == ["Marco Rossi (partner)", "Giulia Bianchi"]
    assert briefing.guest_names == "Marco Rossi (partner)\nGiulia Bianchi"
    assert briefing.attendee_count == 5 and briefing.hours == 1.5
    assert briefing.key_point_lines == ["New Pro band from 1 July", "SSO sellable in DACH"]
    notes = _notes("briefing_logged")
    assert {n.user_id for n in notes} == {people["sales"].id, people["team"].id}  # not the one who logged it
    assert all(n.link == f"/briefings/{briefing.id}" for n in notes)
    assert notes[0].subject == f"Briefing: Northwind Pro pricing for Q3 — {briefing.held_on:%d %b %Y}"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "briefing.logged"))
    assert event.entity == "briefing" and event.entity_id == briefing.id and "Milan field sales" in event.summary


@pytest.mark.parametrize("role", ["sales", "pm", "team"])
def test_only_product_managers_and_admins_log_briefings(people, make_product, role):
    with pytest.raises(NotAllowed):
        services.log_briefing(people[role], briefing_input(RegionFactory(), [make_product()], people[role]))
    assert services.can_log(people["admin"]) and services.can_log(people["product"])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"sales_team": ""}, "sales_team"),
    ({"region_id": 999}, "region_id"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": 1441}, "duration_minutes"),
    ({"presenter_id": 999}, "presenter_id"),
    ({"product_ids": []}, "product_ids"),
    ({"product_ids": [999]}, "product_ids"),
    ({"attendee_ids": [999]}, "attendee_ids"),
    ({"held_on": DEFAULT_NOW.date() + timedelta(days=366)}, "held_on"),
    ({"held_on": DEFAULT_NOW.date() - timedelta(days=3651)}, "held_on"),
    ({"material_url": "javascript:alert(1)"}, "material_url"),
    ({"guest_names": "x" * 121}, "guest_names"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(people, make_product, overrides, field):
    region, product = RegionFactory(), make_product()
    with pytest.raises(InvalidInput) as refused:
        services.log_briefing(people["product"], briefing_input(region, [product], people["product"], **overrides))
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Briefing)) == 0


def test_inactive_regions_presenters_and_attendees_are_refused_but_stay_on_a_briefing_that_names_them(people,
                                                                                                      make_product):
    region, product = RegionFactory(), make_product()
    gone = UserFactory(role=Role.TEAM_MEMBER, active=False)
    closed = RegionFactory(active=False)
    for overrides, field in (({"region_id": closed.id}, "region_id"), ({"presenter_id": gone.id}, "presenter_id"),
                             ({"attendee_ids": [gone.id]}, "attendee_ids")):
        with pytest.raises(InvalidInput) as refused:
            services.log_briefing(people["product"], briefing_input(region, [product], people["product"], **overrides))
        assert field in refused.value.fields

    briefing = log(people["product"], region, [product], attendee_ids=[people["team"].id])
    people["team"].active, region.active = False, False
    db.session.commit()
    services.update_briefing(people["product"], briefing, briefing_input(
        region, [product], people["product"], attendee_ids=[people["team"].id], title="Renamed"), briefing.version)
    db.session.commit()
    assert briefing.title == "Renamed" and briefing.attendees == [people["team"]]


def test_a_planned_briefing_may_be_logged_up_to_a_year_ahead(people, make_product):
    briefing = log(people["product"], RegionFactory(), [make_product()], held_on=clock.today() + timedelta(days=365))
    assert briefing.held_on == clock.today() + timedelta(days=365)


def test_the_creator_the_products_managers_and_admins_edit_and_nobody_else(people, make_product):
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    mine = make_product("Northwind Pro")
    theirs = make_product("Contoso Next", owners=[other_pm])
    briefing = log(other_pm, RegionFactory(), [theirs])

    assert services.can_edit(other_pm, briefing) and services.can_edit(people["admin"], briefing)
    assert not services.can_edit(people["product"], briefing)  # a product manager, not of its products
    assert not services.can_edit(people["sales"], briefing)
    with pytest.raises(NotAllowed):
        services.delete_briefing(people["product"], briefing)

    services.update_briefing(other_pm, briefing, briefing_input(briefing.region, [theirs, mine], other_pm),
                             briefing.version)
    db.session.commit()
    assert services.can_edit(people["product"], briefing)  # now one of its products is theirs


def test_an_edit_on_an_old_version_is_refused_and_new_attendees_are_told(people, make_product):
    region, product = RegionFactory(), make_product()
    briefing = log(people["product"], region, [product], attendee_ids=[people["sales"].id])
    data = briefing_input(region, [product], people["product"], attendee_ids=[people["sales"].id, people["team"].id],
                          duration_minutes=120)

    with pytest.raises(StaleEdit):
        services.update_briefing(people["product"], briefing, data, briefing.version - 1)
    db.session.rollback()
    services.update_briefing(people["product"], briefing, data, briefing.version)
    db.session.commit()

    assert briefing.version == 2 and briefing.duration_minutes == 120
    told = [n.user_id for n in _notes("briefing_logged")]
    assert sorted(told) == sorted([people["sales"].id, people["team"].id])  # the seller once, the newcomer once
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "briefing.updated"))
    assert "duration minutes: 90 → 120" in event.summary


def test_deleting_a_briefing_is_audited(people, make_product):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    briefing_id = briefing.id
    services.delete_briefing(people["admin"], briefing)
    db.session.commit()
    assert db.session.get(Briefing, briefing_id) is None
    assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "briefing.deleted"))


def test_the_list_filters_by_region_product_and_dates_newest_first(people, make_product):
    south, north = RegionFactory(), RegionFactory()
    pro, nxt = make_product("Northwind Pro"), make_product("Contoso Next")
    today = clock.today()
    old = log(people["product"], south, [pro], held_on=today - timedelta(days=40), title="Old")
    new = log(people["product"], south, [pro, nxt], held_on=today - timedelta(days=1), title="New")
    other = log(people["product"], north, [nxt], held_on=today - timedelta(days=10), title="Other")

    def listed(**filters):
        return services.briefings(services.BriefingFilters(**filters)).items

    assert listed() == [new, other, old]
    assert listed(region_id=south.id) == [new, old]
    assert listed(product_id=nxt.id) == [new, other]
    assert listed(date_from=today - timedelta(days=20)) == [new, other]
    assert listed(date_to=today - timedelta(days=20)) == [old]
    assert listed(region_id=north.id, product_id=pro.id) == []
    assert services.totals(services.BriefingFilters(region_id=south.id)).count == 2
