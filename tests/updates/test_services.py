"""Product update rules: who publishes, who is told, acknowledging, and who has not yet."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.notifications.models import Notification
from app.updates import services
from app.updates.models import ProductUpdate, UpdateAcknowledgement
from tests.factories import RegionFactory, UserFactory


def _data(product, **overrides) -> services.UpdateInput:
    fields = {"product_id": product.id, "kind": "pricing", "title": "new price band", "body": "Pro from 1 July.",
              "requires_ack": True}
    fields.update(overrides)
    return services.UpdateInput(**fields)


def test_publishing_tells_every_active_seller_with_a_link(people, make_product):
    rep = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name="Rita Rep")
    UserFactory(role=Role.SALES_MANAGER, active=False)
    product = make_product()

    update = services.publish_update(people["product"], _data(product))
    db.session.commit()

    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "product_update")).all()
    assert {n.user_id for n in notes} == {people["sales"].id, people["sales2"].id, rep.id}
    assert {n.subject for n in notes} == {"Northwind Pro: new price band (please acknowledge)"}
    assert {n.link for n in notes} == {f"/updates/{update.id}"}
    assert update.published_by is people["product"] and update.kind_label == "Pricing"
    assert db.session.scalar(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "product_update.published")) \
        == update.id


def test_an_update_without_acknowledgement_says_so_in_no_subject(people, make_product):
    services.publish_update(people["product"], _data(make_product(), requires_ack=False, title="SSO in DACH"))
    subjects = db.session.scalars(sa.select(Notification.subject)).all()
    assert set(subjects) == {"Northwind Pro: SSO in DACH"}


@pytest.mark.parametrize("who", ["sales", "pm", "team", "other_pm"])
def test_only_the_products_managers_and_admins_publish(people, make_product, who):
    product = make_product()
    actor = UserFactory(role=Role.PRODUCT_MANAGER) if who == "other_pm" else people[who]
    with pytest.raises(NotAllowed):
        services.publish_update(actor, _data(product))
    assert services.publish_update(people["admin"], _data(product)).id


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "gossip"}, "kind"), ({"title": " "}, "title"), ({"region_id": 999}, "region_id"),
])
def test_bad_input_is_refused_naming_the_field(people, make_product, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        services.publish_update(people["product"], _data(make_product(), **overrides))
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductUpdate)) == 0
    with pytest.raises(InvalidInput) as refused:
        services.publish_update(people["product"], services.UpdateInput(product_id=999, kind="other", title="x"))
    assert "product_id" in refused.value.fields


def test_acknowledging_is_idempotent_and_only_when_asked(people, make_product):
    product = make_product()
    update = services.publish_update(people["product"], _data(product))
    quiet = services.publish_update(people["product"], _data(product, requires_ack=False))
    db.session.commit()

    first = services.acknowledge(people["sales"], update)
    db.session.commit()
    again = services.acknowledge(people["sales"], update)
    db.session.commit()

    assert again is first and first.acknowledged_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateAcknowledgement)) == 1
    with pytest.raises(InvalidInput, match="asks for no acknowledgement"):
        services.acknowledge(people["sales"], quiet)
    with pytest.raises(NotAllowed):
        services.acknowledge(people["pm"], update)


def test_the_status_lists_who_acknowledged_when_and_who_has_not_yet(people, make_product):
    rep = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name="Rita Rep")
    update = services.publish_update(people["product"], _data(make_product(), region_id=RegionFactory().id))
    db.session.commit()
    assert services.awaiting(people["sales"], [update.id]) == {update.id} and services.awaiting(people["pm"], [update.id]) == set()
    assert services.awaiting_count(people["sales"]) == 1 and services.awaiting_count(people["pm"]) == 0

    services.acknowledge(people["sales"], update)
    db.session.commit()
    status = services.ack_status(update)

    assert [(u.name, bool(at)) for u, at in status.acknowledged] == [("Sam Seller", True)]
    assert [u.name for u in status.pending] == ["Rita Rep", "Sue Second"]
    assert status.audience == 3 and status.percent == pytest.approx(100 / 3)
    assert services.awaiting(people["sales"], [update.id]) == set() and services.awaiting(rep, [update.id]) == {update.id}

    people["sales2"].active = False  # who leaves sales no longer counts as waiting
    db.session.commit()
    assert [u.name for u in services.ack_status(update).pending] == ["Rita Rep"]


def test_the_list_is_newest_first_and_filters_by_product(people, make_product):
    pro, nxt = make_product("Northwind Pro"), make_product("Contoso Next")
    first = services.publish_update(people["product"], _data(pro))
    second = services.publish_update(people["product"], _data(nxt))
    assert services.updates().items == [second, first]
    assert services.updates(pro.id).items == [first]
    assert services.products_with_updates() == [nxt, pro]
