"""The printable sales sheet: one template for people signed in and for an intranet with a publishing
token; whatever the database holds, it draws; an ETag and 304; constant queries; no token in a log."""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from app.catalog import services as catalog
from app.catalog.models import MarketCoverage, PriceBand, Product
from app.core import clock
from app.extensions import db
from app.logs import redact
from tests.factories import RegionFactory
from tests.publishing.helpers import bearer, publishing_token
from tests.queries import counting


@pytest.fixture
def token(people) -> str:
    return publishing_token(people["admin"])


def _sheet_url(product: Product) -> str:
    return f"/published/products/{product.id}/sheet"


def test_people_signed_in_open_it_from_the_catalog(login, people, make_product):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "not_allowed"}, band=("Pro", "1200.00", "950.50"))
    catalog.add_link(people["product"], product, "Sales deck", "https://example.com/deck.pdf")
    db.session.commit()
    seller = login(people["sales"])
    assert f'href="/catalog/{product.id}/sales-sheet"' in seller.get("/catalog/").get_data(as_text=True)

    page = seller.get(f"/catalog/{product.id}/sales-sheet")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for fact in ("Northwind Pro", "Single sign-on", "Audit log", "Half the price of the leader", "1,200", "950.50",
                 "per seat / month", "Southern Europe", "Sellable", "Nordics", "Not allowed",
                 "Not certified under local rules", "Sales deck", "https://example.com/deck.pdf"):
        assert fact in html, fact
    assert 'class="topbar"' not in html and "Inbox" not in html  # no navigation: a page to print
    assert f'href="/catalog/#product-{product.id}"' in html
    assert "css/sheet.css" in html and "js/print.js" in html


def test_an_intranet_reads_the_same_sheet_with_a_token_in_the_header_or_the_query(client, login, people,
                                                                                    make_product, token):
    product = make_product()
    by_header = client.get(_sheet_url(product), headers=bearer(token))
    by_query = client.get(_sheet_url(product) + f"?token={token}")
    signed_in = login(people["sales"]).get(f"/catalog/{product.id}/sales-sheet").get_data(as_text=True)

    assert by_header.status_code == by_query.status_code == 200
    assert by_header.get_data() == by_query.get_data()
    assert by_query.headers["Referrer-Policy"] == "no-referrer"  # the token must not follow a material link
    body = by_header.get_data(as_text=True)
    assert "← Catalog" not in body and "Countersign catalog" in body
    # The same template: apart from the way back to the catalog, the same page.
    assert body.split('<main class="sheet">')[1] == signed_in.split('<main class="sheet">')[1]


@pytest.mark.parametrize("query", ["", "?token=", "?token=cspub_" + "q" * 59, "?token=nonsense"])
def test_without_a_working_token_the_sheet_is_a_401_page_naming_nothing(client, make_product, query):
    product = make_product()
    page = client.get(_sheet_url(product) + query)
    assert page.status_code == 401
    assert "Northwind" not in page.get_data(as_text=True)


def test_an_unknown_product_is_not_found(client, login, people, token):
    assert client.get("/published/products/999999/sheet", headers=bearer(token)).status_code == 404
    assert login(people["sales"]).get("/catalog/999999/sales-sheet").status_code == 404


def test_the_sheet_answers_304_until_the_product_changes(client, people, make_product, token):
    region = RegionFactory(name="Nordics")
    product = make_product()
    first = client.get(_sheet_url(product), headers=bearer(token))
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, max-age=60" and first.headers["Last-Modified"]

    unchanged = client.get(_sheet_url(product), headers={**bearer(token), "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    catalog.set_coverage(people["product"], product, region, "not_allowed", "Export rules")
    db.session.commit()
    changed = client.get(_sheet_url(product), headers={**bearer(token), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Export rules" in changed.get_data(as_text=True)


def test_the_sheet_draws_whatever_the_database_holds(client, people, make_product, token):
    """Empty traits, no bands, no material, no regions, a retired product, very long and odd text,
    written past every check: the sheet draws them all."""
    bare = make_product(name="Bare", band=None)
    db.session.execute(sa.update(Product).where(Product.id == bare.id).values(key_traits="", differences="", summary=""))
    long_word = "Ü" * 300
    odd = make_product(name="Ödd ✓ 製品 \u202eevil", status="retired")
    region = RegionFactory(name="Région ✓ " + "x" * 60)
    db.session.execute(sa.update(Product).where(Product.id == odd.id).values(
        summary="Control \x07\x1b characters " + "Ü" * 270,  # the column's 300 at most; PostgreSQL stores no NUL
        key_traits="\n".join([long_word, *(f"Trait {i} " + "long " * 80 for i in range(30))]),
        differences="• bullet\n- dash\n\n   \n<script>alert(1)</script>"))
    db.session.add(MarketCoverage(product_id=odd.id, region_id=region.id, status="not_allowed", reason="Ω" * 300))
    db.session.add(PriceBand(product_id=odd.id, tier="Tier " + "9" * 40, list_price=Decimal("999999999999.99"),
                             minimum_price=Decimal("0.00"), unit="per ∞"))
    db.session.commit()
    db.session.expire_all()

    empty = client.get(_sheet_url(bare), headers=bearer(token)).get_data(as_text=True)
    assert "None recorded yet." in empty and "No price bands yet" in empty and "No material yet." in empty
    page = client.get(_sheet_url(odd), headers=bearer(token))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Retired: no longer sold" in html and long_word in html and "Trait 29" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "999,999,999,999.99" in html
    assert client.get(f"/api/v1/published/products/{odd.id}", headers=bearer(token)).status_code == 200


def test_the_sheets_queries_do_not_grow_with_regions_bands_and_material(client, people, make_product, token):
    product = make_product()

    def queries() -> int:
        db.session.expire_all()
        with counting() as statements:
            assert client.get(_sheet_url(product), headers=bearer(token)).status_code == 200
        return len(statements)

    client.get(_sheet_url(product), headers=bearer(token))  # notes the token's use: not again within the minute
    few = queries()
    for i in range(20):
        region = RegionFactory(name=f"Region {i:02}")
        catalog.set_coverage(people["product"], product, region, "planned", planned_from=clock.today() + timedelta(days=9))
        catalog.save_band(people["product"], product, None, f"Tier {i}", Decimal(100 + i), Decimal(50), "per seat")
        catalog.add_link(people["product"], product, f"Deck {i}", f"https://example.com/{i}")
    db.session.commit()
    assert queries() == few


# --- the token never reaches a log ----------------------------------------------------------------

@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="sheet-log-server", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.mark.parametrize("query", ["?token=SECRET", "?print=1&token=SECRET", "?tok%65n=SECRET", "?Token=SECRET"])
def test_a_token_in_the_query_is_not_logged(make_product, token, served, caplog, query):
    product = make_product()
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    with caplog.at_level(logging.INFO):
        connection.request("GET", _sheet_url(product) + query.replace("SECRET", token))
        response = connection.getresponse()
        response.read()
        connection.close()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "[redacted]" in logged, logged
    assert token[10:30] not in logged, logged


def test_redact_leaves_other_query_strings_alone():
    for text in ("/catalog/?status=planned", "/commitments?customer=token", "/x?tokens=3"):
        assert redact(text) == text


def test_tokens_in_the_query_are_throttled_like_bearer_tokens(client, configure, make_product, token):
    configure(THROTTLE_ADDRESS_FAILURES=3)
    product = make_product()
    for _ in range(3):
        assert client.get(_sheet_url(product) + "?token=cspub_" + "w" * 59).status_code == 401
    locked = client.get(_sheet_url(product) + f"?token={token}")  # even the right one, while locked
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
