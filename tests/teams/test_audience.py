"""A product update sent to a region's or a team's sellers: only they are told, asked, and counted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.notifications.models import Notification
from app.teams import services as teams
from app.updates import services
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def org(people):
    """Southern Europe: Milan field sales (Rita, Sam) and Rob without a team; DACH: Sue."""
    south, dach = RegionFactory(name="Southern Europe"), RegionFactory(name="DACH")
    rita = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name="Rita Rep")
    rob = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name="Rob Rep")
    milan = teams.save_team(people["admin"], None, "Milan field sales", south.id)
    teams.add_members(people["admin"], milan, [rita.id, people["sales"].id])
    teams.place(people["admin"], rob, south.id, None)
    teams.place(people["admin"], people["sales2"], dach.id, None)
    db.session.commit()
    return {"south": south, "dach": dach, "milan": milan, "rita": rita, "rob": rob}


def _publish(people, product, **audience):
    update = services.publish_update(people["product"], services.UpdateInput(
        product_id=product.id, kind="pricing", title="new price band", requires_ack=True, **audience))
    db.session.commit()
    return update


def _told(update):
    return set(db.session.scalars(sa.select(Notification.user_id).where(Notification.link == update.path)))


def test_a_team_update_tells_and_asks_only_the_team(people, make_product, org):
    update = _publish(people, make_product(), audience_team_id=org["milan"].id)

    assert _told(update) == {org["rita"].id, people["sales"].id}
    assert update.audience_label == "Milan field sales"
    assert update.audience_region == org["south"]  # kept should the team go
    assert services.awaiting_count(org["rita"]) == 1 and services.awaiting_count(org["rob"]) == 0
    assert services.awaiting(people["sales2"], [update.id]) == set()
    with pytest.raises(NotAllowed):
        services.acknowledge(org["rob"], update)

    services.acknowledge(org["rita"], update)
    status = services.ack_status(update)
    assert (status.audience, [u.name for u in status.pending], status.percent) == (2, ["Sam Seller"], 50.0)


def test_a_region_update_reaches_its_sellers_in_a_team_or_not(people, make_product, org):
    update = _publish(people, make_product(), audience_region_id=org["south"].id)
    assert _told(update) == {org["rita"].id, org["rob"].id, people["sales"].id}
    assert update.audience_label == "Southern Europe sellers"
    assert services.awaiting_count(people["sales2"]) == 0


def test_counts_follow_the_audience_as_it_stands_now(people, make_product, org):
    update = _publish(people, make_product(), audience_team_id=org["milan"].id)
    services.acknowledge(org["rita"], update)
    teams.remove_member(people["admin"], org["milan"], org["rita"])  # she left: her acknowledgement stays listed
    teams.add_members(people["admin"], org["milan"], [org["rob"].id])  # he joined: he is asked now
    db.session.commit()

    status = services.ack_status(update)
    assert [u.name for u, _at in status.acknowledged] == ["Rita Rep"]
    assert (status.audience, {u.name for u in status.pending}, status.percent) == (2, {"Rob Rep", "Sam Seller"}, 0.0)
    assert services.awaiting_count(org["rob"]) == 1


def test_an_update_to_everyone_still_reaches_every_seller(people, make_product, org):
    update = _publish(people, make_product())
    assert _told(update) == {org["rita"].id, org["rob"].id, people["sales"].id, people["sales2"].id}
    assert services.ack_status(update).audience == 4 and update.audience_label == "every seller"


def test_a_deleted_team_leaves_its_update_to_the_teams_region_not_to_everyone(people, make_product, org):
    update = _publish(people, make_product(), audience_team_id=org["milan"].id)
    teams.delete_team(people["admin"], org["milan"])
    db.session.commit()
    db.session.refresh(update)
    assert update.audience_team_id is None and update.audience_label == "Southern Europe sellers"
    assert services.awaiting_count(people["sales2"]) == 0 and services.awaiting_count(org["rob"]) == 1


@pytest.mark.parametrize(("audience", "field"), [({"audience_team_id": 999}, "audience_team_id"),
                                                 ({"audience_region_id": 999}, "audience_region_id"),
                                                 ("other region", "audience_region_id")])
def test_a_bad_audience_is_refused_naming_its_field(people, make_product, org, audience, field):
    if audience == "other region":
        audience = {"audience_team_id": org["milan"].id, "audience_region_id": org["dach"].id}
    with pytest.raises(InvalidInput) as refused:
        _publish(people, make_product(), **audience)
    assert field in refused.value.fields
