"""Publishing tokens: admins make them (shown once, stored hashed), list and revoke them; nobody else sees the page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core.errors import InvalidInput, NotAllowed
from app.core.tokens import digest
from app.extensions import db
from app.publishing import services
from app.publishing.models import PublishingToken
from tests.publishing.helpers import bearer

TOKEN = re.compile(r'value="(cspub_[A-Za-z0-9_-]{59})"')


def test_a_token_is_shown_once_and_only_its_secrets_hash_is_stored(people):
    row, token = services.create_token(people["admin"], "  Salesforce   widget ")
    db.session.commit()

    assert row.name == "Salesforce widget" and row.created_by == people["admin"]
    assert token.startswith(services.PREFIX) and len(token) == services.TOKEN_LENGTH
    secret = token[len(services.PREFIX) + services.SELECTOR_LENGTH:]
    assert row.secret_hash == digest(secret)
    stored = " ".join(str(v) for v in db.session.execute(sa.select(PublishingToken.__table__)).one())
    assert secret not in stored and token not in stored
    assert services.token_for(token, "10.0.0.1") is row


@pytest.mark.parametrize("role", ["sales", "pm", "product", "team"])
def test_only_admins_make_and_revoke_tokens(people, role):
    row, _token = services.create_token(people["admin"], "Intranet")
    with pytest.raises(NotAllowed):
        services.create_token(people[role], "Mine")
    with pytest.raises(NotAllowed):
        services.revoke_token(people[role], row)
    assert row.revoked_at is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_token_needs_a_name(people, name):
    with pytest.raises(InvalidInput) as refused:
        services.create_token(people["admin"], name)
    assert "name" in refused.value.fields


def test_the_admin_page_makes_lists_and_revokes_tokens(client, login, people, make_product):
    product = make_product()
    admin = login(people["admin"])
    page = admin.get("/admin/publishing")
    assert page.status_code == 200 and "No system reads the catalog yet" in page.get_data(as_text=True)

    made = admin.post("/admin/publishing", data={"name": "Intranet"})
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert made.headers["Referrer-Policy"] == "no-referrer"
    token = TOKEN.search(html).group(1)
    assert f"/published/products/ID/sheet?token={token}" in html
    assert "shown only this once" in html
    assert client.get("/api/v1/published/catalog", headers=bearer(token)).status_code == 200

    listed = admin.get("/admin/publishing").get_data(as_text=True)
    assert "Intranet" in listed and token not in listed and "Ada Admin" in listed
    row = db.session.scalar(sa.select(PublishingToken))
    assert row.last_used_at is not None

    revoked = admin.post(f"/admin/publishing/{row.id}/revoke", follow_redirects=True)
    assert "is revoked" in revoked.get_data(as_text=True)
    db.session.refresh(row)
    assert row.revoked_at is not None and row.revoked_by == people["admin"]
    assert client.get(f"/api/v1/published/products/{product.id}", headers=bearer(token)).status_code == 401
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "publishing_token")).all()
    assert sorted(actions) == ["publishing.token_created", "publishing.token_revoked"]


def test_a_bad_name_is_shown_beside_the_field_and_nothing_is_made(login, people):
    page = login(people["admin"]).post("/admin/publishing", data={"name": "bad\x00name"})
    assert page.status_code == 200
    assert "cspub_" not in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublishingToken)) == 0


@pytest.mark.parametrize("role", ["sales", "pm", "product", "team"])
def test_to_everyone_else_the_page_and_its_revoke_are_not_found(login, people, role):
    row, _token = services.create_token(people["admin"], "Intranet")
    db.session.commit()
    client = login(people[role])
    assert client.get("/admin/publishing").status_code == 404
    assert client.post("/admin/publishing", data={"name": "Mine"}).status_code == 404
    assert client.post(f"/admin/publishing/{row.id}/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PublishingToken)) == 1


def test_the_admin_menu_links_the_page(login, people):
    html = login(people["admin"]).get("/").get_data(as_text=True)
    assert 'href="/admin/publishing"' in html
    assert 'href="/admin/publishing"' not in login(people["sales"]).get("/").get_data(as_text=True)
