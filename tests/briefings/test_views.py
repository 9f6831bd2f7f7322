"""Briefing pages: the list and its filters, logging one with a deck, reading, keeping, downloading."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.accounts.models import Role
from app.briefings import services
from app.briefings.models import Briefing, BriefingMaterial
from app.core import clock
from app.core.views import CONFLICT_MESSAGE
from app.extensions import db
from app.regions.models import Region
from tests.briefings import PDF, PNG, log, pptx
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def upload_dir(tmp_path, configure):
    configure(UPLOAD_DIR=str(tmp_path / "uploads"))
    return tmp_path / "uploads" / "briefings"


def _stored(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _form(region: Region, product_ids: list[int], presenter_id: int, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Northwind Pro pricing for Q3", "region_id": str(region.id), "sales_team": "Milan field sales",
        "held_on": (clock.today() - timedelta(days=1)).isoformat(), "duration_minutes": "90",
        "presenter_id": str(presenter_id), "product_ids": [str(i) for i in product_ids], "attendee_ids": [],
        "guest_names": "Marco Rossi (partner)", "key_points": "New Pro band\nSSO in DACH", "notes": "",
        "material_url": "",
    }
    data.update(overrides)
    return data


# --- the list --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["sales", "team", "pm", "product", "admin"])
def test_everyone_reads_the_list_with_its_columns(people, login, make_product, role):
    region = RegionFactory(name="Southern Europe")
    log(people["product"], region, [make_product()], attendee_ids=[people["sales"].id, people["team"].id])

    html = login(people[role]).get("/briefings/").get_data(as_text=True)

    assert "Northwind Pro pricing for Q3" in html and "Southern Europe" in html and "Milan field sales" in html
    assert "Pat Product" in html and ">1.5</td>" in html and ">4</td>" in html  # 2 users and 2 guests
    assert ('href="/briefings/new"' in html) is (role in ("product", "admin"))


def test_a_long_list_pages_and_its_totals_count_every_briefing_that_matches(people, login, make_product):
    region, product = RegionFactory(name="Southern Europe"), make_product()
    for n in range(3):  # 1.5 hours each; two registered attendees and two guests each
        log(people["product"], region, [product], title=f"Briefing {n}", attendee_ids=[people["sales"].id],
            guest_names="Marco Rossi (partner)\nAnna Bianchi")
    client = login(people["sales"])

    html = client.get("/briefings/?limit=2").get_data(as_text=True)
    assert html.count('id="briefing-') == 2 and 'rel="next"' in html
    assert "3 briefings" in html and "4.5 hours · 9 attendees in all" in html


def test_the_list_filters_and_says_when_nothing_matches(people, login, make_product):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product()
    log(people["product"], south, [product], title="Southern session")
    log(people["product"], north, [product], title="Northern session", held_on=clock.today() - timedelta(days=30))
    client = login(people["sales"])

    html = client.get(f"/briefings/?region={north.id}").get_data(as_text=True)
    assert "Northern session" in html and "Southern session" not in html
    since = (clock.today() - timedelta(days=7)).isoformat()
    html = client.get(f"/briefings/?date_from={since}&product={product.id}").get_data(as_text=True)
    assert "Southern session" in html and "Northern session" not in html
    response = client.get(f"/briefings/?region={10**30}&product={10**30}")  # no key holds such ids
    assert response.status_code == 200 and "Southern session" in response.get_data(as_text=True)
    html = client.get("/briefings/?date_from=2027-13-45&date_to=nope").get_data(as_text=True)
    assert "Not a valid date value." in html and "Southern session" in html  # a bad filter is ignored, said
    html = client.get(f"/briefings/?date_from={since}&date_to=2000-01-01").get_data(as_text=True)
    assert "The end of the range is before its start." in html
    html = client.get("/briefings/?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    assert "No briefing matches these filters." in html


def test_the_empty_list_invites_product_managers_to_log_one(people, login):
    assert "No briefings logged yet. Log the first one" in login(people["product"]).get("/briefings/").get_data(
        as_text=True)


# --- logging with a deck ---------------------------------------------------------------------------

def test_a_product_manager_logs_a_briefing_with_its_deck(people, login, make_product, upload_dir):
    region, product = RegionFactory(), make_product()
    client = login(people["product"])
    page = client.get("/briefings/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept=".pdf,.pptx,.ppt,.odp,.key"' in page

    response = client.post("/briefings/new", data={
        **_form(region, [product.id], people["product"].id, attendee_ids=[str(people["sales"].id)]),
        "material": (io.BytesIO(PDF), "Q3 pricing.pdf"),
    }, content_type="multipart/form-data")

    assert response.status_code == 302, response.get_data(as_text=True)
    briefing = db.session.scalar(sa.select(Briefing))
    assert response.headers["Location"] == f"/briefings/{briefing.id}"
    [material] = briefing.materials
    assert material.filename == "Q3 pricing.pdf" and _stored(upload_dir) == [material.stored_name]
    html = client.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    assert "<li>New Pro band</li>" in html and "<li>SSO in DACH</li>" in html
    assert "Sam Seller" in html and "Marco Rossi (partner)" in html
    assert f'href="/briefings/{briefing.id}/materials/{material.id}"' in html


def test_a_deck_of_the_wrong_kind_is_refused_beside_its_field_and_nothing_is_saved(people, login, make_product,
                                                                                   upload_dir):
    region, product = RegionFactory(), make_product()
    response = login(people["product"]).post("/briefings/new", data={
        **_form(region, [product.id], people["product"].id), "material": (io.BytesIO(PNG), "deck.pdf"),
    }, content_type="multipart/form-data")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("Upload a PDF or a PowerPoint/Keynote/OpenDocument deck (this file is a PNG image).") == 1
    assert 'value="Northwind Pro pricing for Q3"' in html  # what was typed is kept
    assert _count(Briefing) == 0 and _count(BriefingMaterial) == 0 and _stored(upload_dir) == []


def test_an_oversized_deck_is_refused_with_its_size_and_nothing_is_stored(people, login, make_product, upload_dir,
                                                                          configure):
    configure(MAX_UPLOAD_BYTES=1024 * 1024)
    region, product = RegionFactory(), make_product()
    deck = PDF + b"0" * (int(1.1 * 1024 * 1024) - len(PDF))  # over the limit, within the room for the form

    response = login(people["product"]).post("/briefings/new", data={
        **_form(region, [product.id], people["product"].id), "material": (io.BytesIO(deck), "deck.pdf"),
    }, content_type="multipart/form-data")

    assert response.status_code == 200
    assert "The deck is 1.1 MB; the limit is 1 MB." in response.get_data(as_text=True)
    assert _count(Briefing) == 0 and _stored(upload_dir) == []


def test_a_body_far_over_the_limit_gets_a_clear_413(people, login, make_product, upload_dir, configure):
    configure(MAX_UPLOAD_BYTES=100 * 1024)
    briefing = log(people["product"], RegionFactory(), [make_product()])

    response = login(people["product"]).post(f"/briefings/{briefing.id}/materials", data={
        "material": (io.BytesIO(PDF + b"0" * 2 * 1024 * 1024), "deck.pdf")}, content_type="multipart/form-data")

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The deck is too large" in html and "Nothing was saved" in html
    assert "This upload is 2 MB; the limit for a deck is 100 KB." in html
    assert _count(BriefingMaterial) == 0 and _stored(upload_dir) == []


def test_a_large_body_where_no_deck_goes_gets_the_app_wide_413(people, login, make_product, upload_dir, configure):
    """Only the deck pages take large bodies and speak of decks; elsewhere the usual limit and words apply."""
    configure(MAX_CONTENT_LENGTH=64 * 1024)
    briefing = log(people["product"], RegionFactory(), [make_product()])

    response = login(people["product"]).post(f"/briefings/{briefing.id}/delete", data={"pad": "0" * 128 * 1024})

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "What you sent is larger than the server accepts." in html and "deck" not in html
    assert _count(Briefing) == 1


def test_a_deck_larger_than_the_app_wide_body_limit_but_within_the_upload_limit_is_accepted(
        people, login, make_product, upload_dir, configure):
    configure(MAX_CONTENT_LENGTH=64 * 1024, MAX_UPLOAD_BYTES=1024 * 1024)
    briefing = log(people["product"], RegionFactory(), [make_product()])
    deck = PDF + b"0" * (200 * 1024)

    response = login(people["product"]).post(f"/briefings/{briefing.id}/materials", data={
        "material": (io.BytesIO(deck), "big.pdf")}, content_type="multipart/form-data")

    assert response.status_code == 302
    assert [m.size_bytes for m in db.session.get(Briefing, briefing.id).materials] == [len(deck)]


def test_another_deck_is_added_downloaded_with_safe_headers_and_removed(people, login, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    client = login(people["product"])

    response = client.post(f"/briefings/{briefing.id}/materials", data={
        "material": (io.BytesIO(pptx()), "Pro deck (final).pptx")}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("#materials")
    [material] = db.session.get(Briefing, briefing.id).materials
    url = f"/briefings/{briefing.id}/materials/{material.id}"

    download = login(people["team"]).get(url)
    assert download.status_code == 200 and download.data[:4] == b"PK\x03\x04" and len(download.data) == len(pptx())
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Pro deck (final).pptx" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    response = client.post(f"{url}/delete")
    assert response.status_code == 302
    assert _count(BriefingMaterial) == 0 and _stored(upload_dir) == []
    assert client.get(url).status_code == 404


def test_a_deck_of_the_wrong_kind_added_to_a_briefing_is_refused_once(people, login, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    client = login(people["product"])
    response = client.post(f"/briefings/{briefing.id}/materials", data={"material": (io.BytesIO(PNG), "deck.pdf")},
                           content_type="multipart/form-data")
    # The page again, the refusal said once, beside the upload field it is about (not also in a flash).
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    message = "Upload a PDF or a PowerPoint/Keynote/OpenDocument deck (this file is a PNG image)."
    assert html.count(message) == 1
    assert f'<div class="field-error" id="material-error" role="alert">{message}</div>' in html
    assert 'aria-describedby="material-error"' in html
    assert _count(BriefingMaterial) == 0 and _stored(upload_dir) == []
    assert message not in client.get(f"/briefings/{briefing.id}").get_data(as_text=True)  # nothing flashed for later


def test_an_upload_without_a_file_says_so(people, login, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    client = login(people["product"])
    html = client.post(f"/briefings/{briefing.id}/materials", data={},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert html.count("Choose the deck to upload.") == 1 and 'id="material-error"' in html


def test_a_failed_commit_after_the_deck_was_written_removes_it(people, login, make_product, upload_dir, monkeypatch):
    briefing = log(people["product"], RegionFactory(code="SE"), [make_product()])
    real_record = services.audit.record

    def record_and_clash(*args, **kwargs):
        db.session.add(Region(code="SE", name="A clash"))  # fails the commit, after the file was written
        return real_record(*args, **kwargs)

    monkeypatch.setattr(services.audit, "record", record_and_clash)
    response = login(people["product"]).post(f"/briefings/{briefing.id}/materials", data={
        "material": (io.BytesIO(PDF), "deck.pdf")}, content_type="multipart/form-data")

    assert response.status_code == 200  # the page again, the conflict said beside the upload
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)
    assert _count(BriefingMaterial) == 0 and _stored(upload_dir) == []


def test_downloads_are_for_people_signed_in(people, client, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    material = services.add_material(people["product"], briefing, _storage(PDF, "deck.pdf"))
    db.session.commit()
    response = client.get(f"/briefings/{briefing.id}/materials/{material.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _storage(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


# --- editing and who may -----------------------------------------------------------------------------

def test_the_creator_edits_with_the_version_and_an_old_version_is_refused(people, login, make_product, upload_dir):
    region, product = RegionFactory(), make_product()
    briefing = log(people["product"], region, [product])
    client = login(people["product"])
    assert 'value="Northwind Pro pricing for Q3"' in client.get(f"/briefings/{briefing.id}/edit").get_data(as_text=True)

    response = client.post(f"/briefings/{briefing.id}/edit", data={
        **_form(region, [product.id], people["product"].id, title="Renamed", version="1")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    stale = client.post(f"/briefings/{briefing.id}/edit", data={
        **_form(region, [product.id], people["product"].id, title="Again", version="1")},
        content_type="multipart/form-data")
    assert stale.status_code == 200 and "changed by someone else" in stale.get_data(as_text=True)
    assert db.session.get(Briefing, briefing.id).title == "Renamed"


def test_people_who_do_not_keep_a_briefing_read_it_but_get_404_on_every_change(people, login, make_product,
                                                                                upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    material = services.add_material(people["product"], briefing, _storage(PDF, "deck.pdf"))
    db.session.commit()
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)

    for person in (people["sales"], other_pm):
        client = login(person)
        page = client.get(f"/briefings/{briefing.id}")
        assert page.status_code == 200 and f"/briefings/{briefing.id}/edit" not in page.get_data(as_text=True)
        assert client.get(f"/briefings/{briefing.id}/materials/{material.id}").status_code == 200
        assert client.get(f"/briefings/{briefing.id}/edit").status_code == 404
        for url in (f"/briefings/{briefing.id}/edit", f"/briefings/{briefing.id}/materials",
                    f"/briefings/{briefing.id}/materials/{material.id}/delete", f"/briefings/{briefing.id}/delete"):
            assert client.post(url, data={}, content_type="multipart/form-data").status_code == 404, url
    assert login(people["sales"]).get("/briefings/new").status_code == 404
    assert _count(Briefing) == 1 and _count(BriefingMaterial) == 1


def test_unknown_briefings_and_materials_are_not_found(people, login, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    other = log(people["product"], RegionFactory(), [make_product("Contoso Next")])
    material = services.add_material(people["product"], other, _storage(PDF, "deck.pdf"))
    db.session.commit()
    client = login(people["admin"])
    assert client.get("/briefings/999").status_code == 404
    assert client.get(f"/briefings/{briefing.id}/materials/{material.id}").status_code == 404  # not this briefing's
    assert client.post(f"/briefings/{briefing.id}/materials/{material.id}/delete").status_code == 404


def test_an_admin_deletes_a_briefing_and_its_decks(people, login, make_product, upload_dir):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    services.add_material(people["product"], briefing, _storage(PDF, "deck.pdf"))
    db.session.commit()
    response = login(people["admin"]).post(f"/briefings/{briefing.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/briefings/"
    assert _count(Briefing) == 0 and _stored(upload_dir) == []


def test_upload_forms_still_need_their_csrf_token(people, login, make_product, upload_dir, configure):
    """The upload views skip the app-wide CSRF check (it would read the body under the smaller limit) and run it
    themselves once the limit is raised."""
    briefing = log(people["product"], RegionFactory(), [make_product()])
    client = login(people["product"])
    configure(WTF_CSRF_ENABLED=True)
    url = f"/briefings/{briefing.id}/materials"

    forged = client.post(url, data={"material": (io.BytesIO(PDF), "deck.pdf")}, content_type="multipart/form-data")
    assert forged.status_code == 400 and _count(BriefingMaterial) == 0 and _stored(upload_dir) == []

    page = client.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    sent = client.post(url, data={"csrf_token": token, "material": (io.BytesIO(PDF), "deck.pdf")},
                       content_type="multipart/form-data")
    assert sent.status_code == 302 and _count(BriefingMaterial) == 1
