"""Catalog pages: everyone reads; a product's own product managers (and admins) keep it current."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.catalog import services
from app.catalog.models import MarketCoverage, PriceBand, Product, ProductLink
from app.core import clock
from app.extensions import db
from tests.factories import RegionFactory, UserFactory


def _flashes(client) -> str:
    """The page the last POST redirected to, as text (its flash messages included)."""
    return client.get("/catalog/").get_data(as_text=True)


def _details(product: Product, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "name": product.name, "status": product.status, "summary": product.summary,
        "key_traits": product.key_traits, "differences": product.differences, "currency": product.currency,
        "owner_ids": [str(u.id) for u in product.owners], "version": str(product.version),
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "team", "pm", "product", "admin"])
def test_everyone_reads_the_catalog_with_coverage_per_region_and_price_bands(people, login, make_product, role):
    south, north, east, west = (RegionFactory(name=n) for n in ("Southern Europe", "Nordics", "Eastern Europe", "Iberia"))
    RegionFactory(name="Atlantis", active=False)
    make_product(coverage={south: "sellable", north: "not_allowed", east: "planned"}, band=("Pro", "1200.00", "950.50"))

    page = login(people[role]).get("/catalog/")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Northwind Pro" in html and "Single sign-on" in html and "Half the price of the leader" in html
    assert "1,200" in html and "950.50" in html and "per seat / month" in html
    rows = {name: html.split(f"<span>{name}</span>", 1)[1].split("</li>", 1)[0] for name in
            ("Southern Europe", "Nordics", "Eastern Europe", "Iberia")}
    assert "badge-approved" in rows["Southern Europe"] and "Sellable" in rows["Southern Europe"]
    assert "Not allowed" in rows["Nordics"] and "Not certified under local rules" in html
    assert f"From {(clock.today() + timedelta(days=90)):%d %b %Y}" in rows["Eastern Europe"]
    assert "Unknown" in rows["Iberia"]
    assert "Atlantis" not in html  # inactive regions are not offered
    assert ("/catalog/1/edit" in html) is (role in ("product", "admin"))
    assert ('href="/catalog/new"' in html) is (role in ("product", "admin"))


def test_the_catalog_filters_by_status(people, login, make_product):
    make_product("Northwind Pro", status="available")
    make_product("Contoso Next", status="planned", available_from=date(2027, 5, 1))

    html = login(people["sales"]).get("/catalog/?status=planned").get_data(as_text=True)

    assert "Contoso Next" in html and "Northwind Pro" not in html
    assert "generally available 01 May 2027" in html


# --- who may edit ----------------------------------------------------------------------------


def test_people_who_do_not_keep_a_product_get_404_on_its_pages_and_every_post(people, login, make_product):
    region = RegionFactory()
    product = make_product(coverage={region: "sellable"})
    band = product.bands[0]
    link = services.add_link(people["product"], product, "Deck", "https://example.com/deck")
    db.session.commit()
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)

    for user in (other_pm, people["sales"], people["team"], people["pm"]):
        client = login(user)
        assert client.get(f"/catalog/{product.id}/edit").status_code == 404
        assert client.post(f"/catalog/{product.id}/edit", data=_details(product, name="Taken")).status_code == 404
        for url, data in (
            (f"/catalog/{product.id}/bands", {"tier": "Team", "list_price": "10", "minimum_price": "5"}),
            (f"/catalog/{product.id}/bands/{band.id}", {"tier": "Pro", "list_price": "1", "minimum_price": "1"}),
            (f"/catalog/{product.id}/bands/{band.id}/delete", {}),
            (f"/catalog/{product.id}/links", {"title": "Deck", "url": "https://example.com"}),
            (f"/catalog/{product.id}/links/{link.id}/delete", {}),
            (f"/catalog/{product.id}/coverage", {"region_id": str(region.id), "status": ""}),
        ):
            assert client.post(url, data=data).status_code == 404, url
    for user in (people["sales"], people["team"], people["pm"]):
        assert login(user).get("/catalog/new").status_code == 404
        assert login(user).post("/catalog/new", data={"name": "X", "status": "planned"}).status_code == 404

    saved = db.session.get(Product, product.id)
    assert (saved.name, saved.version, [(b.tier, b.list_price) for b in saved.bands]) == (
        "Northwind Pro", 1, [("Pro", Decimal("100.00"))])
    assert saved.coverage_in(region.id).status == "sellable" and len(saved.links) == 1
    assert login(people["admin"]).get(f"/catalog/{product.id}/edit").status_code == 200
    assert login(people["product"]).get("/catalog/999/edit").status_code == 404


# --- adding and editing details --------------------------------------------------------------


def test_a_product_manager_adds_a_product_and_keeps_it(people, login):
    client = login(people["product"])
    page = client.get("/catalog/new")
    assert page.status_code == 200
    themselves = f'checked id="owner_ids-0" name="owner_ids" type="checkbox" value="{people["product"].id}"'
    assert themselves in page.get_data(as_text=True)  # preselected: the only product manager, so the first box

    response = client.post("/catalog/new", data={
        "name": "Fabrikam Edge", "status": "beta", "summary": "Edge analytics", "key_traits": "Fast\nSmall",
        "available_from": "2027-04-01", "currency": "usd", "owner_ids": [str(people["product"].id)],
    })

    product = db.session.scalar(sa.select(Product).where(Product.name == "Fabrikam Edge"))
    assert product is not None
    assert response.status_code == 302 and response.headers["Location"] == f"/catalog/{product.id}/edit"
    assert (product.status, product.available_from, product.currency) == ("beta", date(2027, 4, 1), "USD")
    assert product.owners == [people["product"]]
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fabrikam Edge" in edit and "Now give it price bands" in edit


def test_owners_must_be_product_managers(people, login):
    response = login(people["admin"]).post("/catalog/new", data={
        "name": "Fabrikam Edge", "status": "planned", "currency": "EUR", "owner_ids": [str(people["sales"].id)],
    })

    assert response.status_code == 200
    assert "Owners must be active product managers." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_an_admin_must_name_a_product_manager(people, login):
    response = login(people["admin"]).post("/catalog/new", data={"name": "Fabrikam Edge", "status": "planned",
                                                                  "currency": "EUR"})
    assert "Name at least one product manager" in response.get_data(as_text=True)


def test_editing_details_saves_and_a_stale_edit_is_refused(people, login, make_product):
    product = make_product()
    client = login(people["product"])
    page = client.get(f"/catalog/{product.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page

    saved = client.post(f"/catalog/{product.id}/edit", data=_details(product, summary="Now with SSO", version="1"))
    assert saved.status_code == 302 and saved.headers["Location"] == f"/catalog/{product.id}/edit"
    assert db.session.get(Product, product.id).summary == "Now with SSO"

    stale = client.post(f"/catalog/{product.id}/edit", data=_details(product, summary="Overwrite", version="1"))

    assert stale.status_code == 200
    assert "changed by someone else after you opened it" in stale.get_data(as_text=True)
    assert db.session.get(Product, product.id).summary == "Now with SSO"


def test_bad_details_are_shown_beside_their_fields(people, login, make_product):
    product = make_product()
    make_product("Contoso Suite")

    response = login(people["product"]).post(f"/catalog/{product.id}/edit", data=_details(
        product, name="contoso suite", currency="EURO"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use a three-letter code such as EUR." in html
    response = login(people["product"]).post(f"/catalog/{product.id}/edit", data=_details(product, name="contoso suite"))
    assert "Another product has this name." in response.get_data(as_text=True)
    assert db.session.get(Product, product.id).name == "Northwind Pro"


def test_handing_a_product_over_leads_back_to_the_catalog(people, login, make_product):
    product = make_product()
    other = UserFactory(role=Role.PRODUCT_MANAGER)

    response = login(people["product"]).post(f"/catalog/{product.id}/edit", data=_details(
        product, owner_ids=[str(other.id)]))

    assert response.status_code == 302 and response.headers["Location"] == f"/catalog/#product-{product.id}"
    assert db.session.get(Product, product.id).owners == [other]


# --- the edit page's cards -------------------------------------------------------------------


class _Ids(HTMLParser):
    """Collects element ids and the forms that inputs and buttons name with form="…"."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.forms: set[str] = set()
        self.owners: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"] or "")
            if tag == "form":
                self.forms.add(found["id"] or "")
        if found.get("form"):
            self.owners.add(found["form"] or "")


def test_every_row_control_names_a_form_that_exists(people, login, make_product):
    RegionFactory(), RegionFactory()
    product = make_product()
    parser = _Ids()
    parser.feed(login(people["product"]).get(f"/catalog/{product.id}/edit").get_data(as_text=True))

    assert len(parser.ids) == len(set(parser.ids))  # a form="…" would find the first element with a duplicated id
    assert parser.owners and parser.owners <= parser.forms


def test_the_edit_page_shows_bands_links_and_a_coverage_row_per_active_region(people, login, make_product):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    RegionFactory(name="Atlantis", active=False)
    product = make_product(coverage={north: "not_allowed"})

    html = login(people["product"]).get(f"/catalog/{product.id}/edit").get_data(as_text=True)

    band = product.bands[0]
    assert f'id="band-{band.id}-tier"' in html and 'value="100.00"' in html and 'value="80.00"' in html
    assert f'id="region-{south.id}"' in html and f'id="region-{north.id}"' in html and "Atlantis" not in html
    north_row = html.split(f'<tr id="region-{north.id}">', 1)[1].split("</tr>", 1)[0]
    assert '<option selected value="not_allowed">' in north_row and "Not certified under local rules" in north_row
    south_row = html.split(f'<tr id="region-{south.id}">', 1)[1].split("</tr>", 1)[0]
    assert '<option selected value="">Unknown</option>' in south_row


def test_price_bands_are_added_changed_and_removed(people, login, make_product):
    product = make_product()
    client = login(people["product"])

    added = client.post(f"/catalog/{product.id}/bands", data={
        "tier": "Enterprise", "list_price": "2500", "minimum_price": "2000.50", "unit": "per site / year"})
    assert added.status_code == 302 and added.headers["Location"] == f"/catalog/{product.id}/edit#bands"
    assert "Price band added." in _flashes(client)
    band = db.session.scalar(sa.select(PriceBand).where(PriceBand.tier == "Enterprise"))
    assert (band.list_price, band.minimum_price, band.unit) == (Decimal("2500.00"), Decimal("2000.50"), "per site / year")

    client.post(f"/catalog/{product.id}/bands/{band.id}", data={
        "tier": "Enterprise", "list_price": "2400", "minimum_price": "1900", "unit": "per site / year"})
    assert db.session.get(PriceBand, band.id).list_price == Decimal("2400.00")

    band_id = band.id
    client.post(f"/catalog/{product.id}/bands/{band_id}/delete")
    assert "The Enterprise band was removed." in _flashes(client)
    assert db.session.get(PriceBand, band_id) is None


def test_a_band_whose_minimum_exceeds_its_list_price_is_refused(people, login, make_product):
    product = make_product(band=None)
    client = login(people["product"])

    response = client.post(f"/catalog/{product.id}/bands", data={"tier": "Team", "list_price": "10", "minimum_price": "12"})

    assert response.headers["Location"] == f"/catalog/{product.id}/edit?failed=bands#bands"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    card = page.split('id="bands"', 1)[1].split("</section>", 1)[0]
    assert "The minimum cannot be above the list price." in card  # repeated in the card, where the person is looking
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceBand)) == 0


def test_a_duplicate_tier_is_refused(people, login, make_product):
    product = make_product(band=("Pro", "100.00", "80.00"))
    client = login(people["product"])

    client.post(f"/catalog/{product.id}/bands", data={"tier": "PRO", "list_price": "90", "minimum_price": "70"})

    assert "This product already has a band for that tier." in _flashes(client)
    assert [b.list_price for b in db.session.get(Product, product.id).bands] == [Decimal("100.00")]


@pytest.mark.parametrize(("data", "message"), [
    ({"tier": "", "list_price": "10", "minimum_price": "5"}, "Tier: This field is required."),
    ({"tier": "Team", "list_price": "ten", "minimum_price": "5"}, "List price: Not a valid decimal value."),
    ({"tier": "Team", "list_price": "-1", "minimum_price": "-2"}, "List price: Number must be between 0 and 999999999999.99."),
    ({"tier": "Team", "list_price": "Infinity", "minimum_price": "5"}, "List price: Enter a finite number."),
])
def test_bad_band_input_is_named_in_the_flash(people, login, make_product, data, message):
    product = make_product(band=None)
    client = login(people["product"])

    client.post(f"/catalog/{product.id}/bands", data=data)

    assert message in _flashes(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceBand)) == 0


def test_another_products_band_is_not_found(people, login, make_product):
    mine, theirs = make_product("Mine"), make_product("Theirs")
    client = login(people["product"])
    assert client.post(f"/catalog/{mine.id}/bands/{theirs.bands[0].id}/delete").status_code == 404
    assert len(db.session.get(Product, theirs.id).bands) == 1


def test_links_must_be_web_addresses(people, login, make_product):
    product = make_product()
    client = login(people["product"])

    client.post(f"/catalog/{product.id}/links", data={"title": "Deck", "url": "javascript:alert(1)"})
    assert "Use a full web address starting with https://" in _flashes(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductLink)) == 0

    response = client.post(f"/catalog/{product.id}/links", data={"title": "Deck", "url": "https://example.com/deck"})
    assert response.headers["Location"] == f"/catalog/{product.id}/edit#links"
    link = db.session.scalar(sa.select(ProductLink))
    assert (link.title, link.url) == ("Deck", "https://example.com/deck")
    assert 'href="https://example.com/deck"' in client.get("/catalog/").get_data(as_text=True)

    client.post(f"/catalog/{product.id}/links/{link.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductLink)) == 0


def test_coverage_is_set_per_region_with_the_reason_or_date_it_needs(people, login, make_product):
    region = RegionFactory(name="Nordics")
    product = make_product()
    client = login(people["product"])
    url = f"/catalog/{product.id}/coverage"

    response = client.post(url, data={"region_id": str(region.id), "status": "not_allowed", "reason": ""})
    assert response.headers["Location"] == f"/catalog/{product.id}/edit?failed=coverage#coverage"
    assert "Say why it may not be sold there" in _flashes(client)
    client.post(url, data={"region_id": str(region.id), "status": "planned", "planned_from": ""})
    assert "Give the date it becomes sellable there." in _flashes(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MarketCoverage)) == 0

    response = client.post(url, data={"region_id": str(region.id), "status": "planned", "planned_from": "2027-06-01"})
    assert response.headers["Location"] == f"/catalog/{product.id}/edit#region-{region.id}"
    assert "Northwind Pro in Nordics: planned." in _flashes(client)
    entry = db.session.get(MarketCoverage, (product.id, region.id))
    assert (entry.status, entry.planned_from) == ("planned", date(2027, 6, 1))
    assert "From 01 Jun 2027" in client.get("/catalog/").get_data(as_text=True)

    client.post(url, data={"region_id": str(region.id), "status": "not_allowed", "reason": "Not certified yet"})
    entry = db.session.get(MarketCoverage, (product.id, region.id))
    assert (entry.status, entry.reason, entry.planned_from) == ("not_allowed", "Not certified yet", None)

    client.post(url, data={"region_id": str(region.id), "status": ""})
    assert "Northwind Pro in Nordics: unknown." in _flashes(client)
    assert db.session.get(MarketCoverage, (product.id, region.id)) is None


def test_coverage_is_refused_for_an_unknown_or_inactive_region_or_status(people, login, make_product):
    inactive = RegionFactory(active=False)
    region = RegionFactory()
    product = make_product()
    client = login(people["product"])

    client.post(f"/catalog/{product.id}/coverage", data={"region_id": str(inactive.id), "status": "sellable"})
    assert "Region: Not a valid choice." in _flashes(client)
    client.post(f"/catalog/{product.id}/coverage", data={"region_id": str(region.id), "status": "maybe"})
    assert "Status: Not a valid choice." in _flashes(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MarketCoverage)) == 0
