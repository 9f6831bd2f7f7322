"""Catalog rules: who keeps a product current, price bands, links, coverage, optimistic locking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.catalog import access, services
from app.catalog.models import MarketCoverage, PriceBand, Product, ProductLink
from app.core import clock
from app.core.errors import Conflict, InvalidInput, NotAllowed, StaleEdit
from app.core.views import commit
from app.extensions import db
from tests.factories import RegionFactory, UserFactory


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions(product: Product) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity == "product", AuditEvent.entity_id == product.id)
        .order_by(AuditEvent.id)
    ))


def _input(**overrides) -> services.ProductInput:
    fields = {"name": "Northwind Pro", "status": "available"}
    fields.update(overrides)
    return services.ProductInput(**fields)


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "pm", "team"])
def test_only_product_managers_and_admins_add_products(people, role):
    with pytest.raises(NotAllowed):
        services.create_product(people[role], _input(owner_ids=[people["product"].id]))
    assert _count(Product) == 0


def test_a_product_manager_who_names_no_owner_keeps_the_product_themselves(people):
    product = services.create_product(people["product"], _input(key_traits="  SSO\nAudit log  "))

    assert [u.id for u in product.owners] == [people["product"].id]
    assert product.key_traits == "SSO\nAudit log"
    assert _actions(product) == ["product.created"]


def test_an_admin_must_name_a_product_manager(people):
    with pytest.raises(InvalidInput) as error:
        services.create_product(people["admin"], _input())
    assert list(error.value.fields) == ["owner_ids"]

    product = services.create_product(people["admin"], _input(owner_ids=[people["product"].id]))
    assert product.owners == [people["product"]]


@pytest.mark.parametrize("role", ["sales", "admin", "team"])
def test_owners_must_be_product_managers(people, role):
    with pytest.raises(InvalidInput) as error:
        services.create_product(people["product"], _input(owner_ids=[people["product"].id, people[role].id]))
    assert error.value.fields == {"owner_ids": ["Owners must be product managers."]}
    assert _count(Product) == 0


def test_names_are_unique_whatever_the_case(people, make_product):
    make_product("Northwind Pro")
    with pytest.raises(InvalidInput) as error:
        services.create_product(people["product"], _input(name="  northwind PRO "))
    assert error.value.fields == {"name": ["Another product has this name."]}


def test_only_its_own_product_managers_and_admins_edit_a_product(people, make_product):
    product = make_product()
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)

    assert access.can_edit(people["product"], product)
    assert access.can_edit(people["admin"], product)
    for user in (other_pm, people["sales"], people["pm"], people["team"]):
        assert not access.can_edit(user, product)
        with pytest.raises(NotAllowed):
            services.update_product(user, product, _input(owner_ids=[other_pm.id]), product.version)
        with pytest.raises(NotAllowed):
            services.save_band(user, product, None, "Team", Decimal("10"), Decimal("5"), "per seat")
        with pytest.raises(NotAllowed):
            services.add_link(user, product, "Deck", "https://example.com/deck")
        with pytest.raises(NotAllowed):
            services.set_coverage(user, product, RegionFactory(), "sellable")
    db.session.rollback()
    assert [b.tier for b in db.session.get(Product, product.id).bands] == ["Pro"]


# --- editing ---------------------------------------------------------------------------------


def test_an_edit_saves_records_what_changed_and_bumps_the_version(people, make_product):
    product = make_product()
    second = UserFactory(role=Role.PRODUCT_MANAGER, name="Mei Lin")

    services.update_product(people["product"], product, _input(
        status="beta", available_from=date(2027, 3, 1), currency="usd", key_traits=product.key_traits,
        differences=product.differences, owner_ids=[people["product"].id, second.id],
    ), expected_version=1)
    db.session.commit()

    assert (product.status, product.available_from, product.currency, product.version) == (
        "beta", date(2027, 3, 1), "USD", 2)
    assert {u.id for u in product.owners} == {people["product"].id, second.id}
    assert access.can_edit(second, product)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "product.updated"))
    assert set(event.details["changes"]) == {"status", "available_from", "currency", "owners"}


def test_an_owners_only_change_still_bumps_the_version(people, make_product):
    product = make_product()
    second = UserFactory(role=Role.PRODUCT_MANAGER)

    services.update_product(people["product"], product, _input(
        key_traits=product.key_traits, differences=product.differences, owner_ids=[second.id]), 1)
    db.session.commit()

    assert product.version == 2 and product.owners == [second]


def test_an_available_product_has_no_availability_date(people):
    product = services.create_product(people["product"], _input(status="available", available_from=date(2027, 1, 1)))
    assert product.available_from is None


def test_a_stale_edit_is_refused_and_changes_nothing(people, make_product):
    product = make_product()
    mine = [people["product"].id]
    services.update_product(people["product"], product, _input(summary="First", owner_ids=mine), 1)
    db.session.commit()

    with pytest.raises(StaleEdit):
        services.update_product(people["product"], product, _input(summary="Second", owner_ids=mine), 1)
    db.session.rollback()
    assert db.session.get(Product, product.id).summary == "First"


def test_a_bad_edit_names_each_field_and_changes_nothing(people, make_product):
    product = make_product()
    with pytest.raises(InvalidInput) as error:
        services.update_product(people["product"], product, _input(name=" ", status="gone", owner_ids=[]), 1)
    assert set(error.value.fields) == {"name", "status", "owner_ids"}
    db.session.rollback()
    assert (db.session.get(Product, product.id).name, product.version) == ("Northwind Pro", 1)


# --- price bands -----------------------------------------------------------------------------


def test_a_band_minimum_may_not_exceed_its_list_price(people, make_product):
    product = make_product(band=None)

    with pytest.raises(InvalidInput) as error:
        services.save_band(people["product"], product, None, "Team", Decimal("10.00"), Decimal("10.01"), "per seat")
    assert error.value.fields == {"minimum_price": ["The minimum cannot be above the list price."]}
    assert _count(PriceBand) == 0

    band = services.save_band(people["product"], product, None, " Team ", Decimal("10.00"), Decimal("10.00"), " seat ")
    assert (band.tier, band.unit) == ("Team", "seat")


def test_a_tier_appears_once_per_product(people, make_product):
    product = make_product(band=("Pro", "100.00", "80.00"))
    other = make_product("Contoso Suite", band=("Pro", "50.00", "40.00"))  # the same tier on another product is fine

    with pytest.raises(InvalidInput) as error:
        services.save_band(people["product"], product, None, "pro", Decimal("90"), Decimal("70"), "per seat")
    assert error.value.fields == {"tier": ["This product already has a band for that tier."]}

    band = product.bands[0]
    services.save_band(people["product"], product, band, "Pro", Decimal("120"), Decimal("90"), "per seat")  # itself
    second = services.save_band(people["product"], product, None, "Team", Decimal("20"), Decimal("15"), "per seat")
    with pytest.raises(InvalidInput):
        services.save_band(people["product"], product, second, "PRO", Decimal("20"), Decimal("15"), "per seat")
    db.session.commit()
    assert [(b.tier, b.list_price) for b in product.bands] == [("Team", Decimal("20.00")), ("Pro", Decimal("120.00"))]
    assert len(other.bands) == 1


def test_saving_a_band_unchanged_writes_no_audit_event(people, make_product):
    product = make_product(band=("Pro", "100.00", "80.00"))
    band = product.bands[0]
    before = _actions(product)

    services.save_band(people["product"], product, band, "Pro", Decimal("100.00"), Decimal("80.00"), band.unit)
    db.session.commit()

    assert _actions(product) == before


def test_removing_a_band_is_recorded(people, make_product):
    product = make_product()
    services.delete_band(people["product"], product, product.bands[0])
    db.session.commit()

    assert _count(PriceBand) == 0
    assert _actions(product)[-1] == "product.band_deleted"


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.com/deck.pdf", "javascript:alert(1)", "example.com/deck",
                                 "https://", "mailto:sales@example.com"])
def test_a_link_must_be_a_web_address(people, make_product, url):
    product = make_product()
    with pytest.raises(InvalidInput) as error:
        services.add_link(people["product"], product, "Deck", url)
    assert list(error.value.fields) == ["url"]
    assert _count(ProductLink) == 0


def test_links_are_added_and_removed(people, make_product):
    product = make_product()
    link = services.add_link(people["product"], product, " Sales deck ", " https://example.com/deck ")
    services.add_link(people["product"], product, "Datasheet", "http://example.com/sheet.pdf")
    db.session.commit()
    assert (link.title, link.url) == ("Sales deck", "https://example.com/deck")

    services.delete_link(people["product"], product, link)
    db.session.commit()
    assert [k.title for k in product.links] == ["Datasheet"]


# --- coverage --------------------------------------------------------------------------------


def test_not_allowed_needs_a_reason_and_planned_needs_a_date(people, make_product):
    product = make_product()
    region = RegionFactory()

    with pytest.raises(InvalidInput) as error:
        services.set_coverage(people["product"], product, region, "not_allowed", "  ")
    assert list(error.value.fields) == ["reason"]
    with pytest.raises(InvalidInput) as error:
        services.set_coverage(people["product"], product, region, "planned")
    assert list(error.value.fields) == ["planned_from"]
    with pytest.raises(InvalidInput) as error:
        services.set_coverage(people["product"], product, region, "maybe")
    assert list(error.value.fields) == ["status"]
    assert _count(MarketCoverage) == 0


def test_coverage_keeps_only_what_its_status_needs_and_can_be_removed(people, make_product):
    product = make_product()
    region = RegionFactory(name="Nordics")

    services.set_coverage(people["product"], product, region, "not_allowed", " Not certified ")
    db.session.commit()
    assert (product.coverage_in(region.id).status, product.coverage_in(region.id).reason) == ("not_allowed", "Not certified")

    services.set_coverage(people["product"], product, region, "planned", "stale reason", date(2027, 6, 1))
    db.session.commit()
    entry = product.coverage_in(region.id)
    assert (entry.status, entry.reason, entry.planned_from) == ("planned", "", date(2027, 6, 1))

    services.set_coverage(people["product"], product, region, "sellable", "", date(2027, 6, 1))
    db.session.commit()
    entry = product.coverage_in(region.id)
    assert (entry.status, entry.reason, entry.planned_from) == ("sellable", "", None)
    assert _count(MarketCoverage) == 1

    assert services.set_coverage(people["product"], product, region, "") is None
    db.session.commit()
    assert _count(MarketCoverage) == 0
    assert services.set_coverage(people["product"], product, region, "") is None  # removing nothing is fine


def test_every_change_is_audited_and_moves_the_catalogs_updated_date(people, make_product):
    product = make_product(band=None)
    region = RegionFactory()
    services.set_coverage(people["product"], product, region, "sellable")
    link = services.add_link(people["product"], product, "Deck", "https://example.com/deck")
    services.delete_link(people["product"], product, link)
    services.set_coverage(people["product"], product, region, "")
    actions = db.session.scalars(sa.select(AuditEvent.summary).where(AuditEvent.entity == "product")).all()
    assert any("no longer recorded" in a for a in actions) and any("Removed material" in a for a in actions)
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.at)).where(AuditEvent.entity == "product"))
    assert services.last_changed([product.id]) == {product.id: newest}
    assert product.version == 1  # bands, links and coverage leave the details' version alone


def test_the_service_itself_refuses_empty_names_and_planned_dates_that_have_come(people, make_product):
    product = make_product(band=None)
    with pytest.raises(InvalidInput) as error:
        services.save_band(people["product"], product, None, "  ", Decimal("10"), Decimal("5"), "per seat")
    assert "tier" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.add_link(people["product"], product, " ", "https://example.com")
    assert "title" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.set_coverage(people["product"], product, RegionFactory(), "planned", planned_from=clock.today())
    assert error.value.fields["planned_from"] == ["That date has come: mark it sellable instead."]


def test_two_people_saving_the_same_name_at_once_get_a_conflict_not_an_error(people):
    # The duplicate check passes for both (neither sees the other's unsaved row); the database decides.
    db.session.add_all([Product(name="Twin", status="available"), Product(name="Twin", status="available")])
    with pytest.raises(Conflict):
        commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
