"""Personal API tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.extensions import db


def test_a_token_is_shown_once_stored_hashed_and_revocable(people, login):
    client = login(people["pm"])
    response = client.post("/settings", data={"name": "Reporting script"})
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # no cache keeps the page that shows it
    assert "Cache-Control" not in client.get("/settings").headers
    token = db.session.scalar(sa.select(ApiToken))
    plain = page.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert plain.startswith("cs_") and len(plain) > 40
    assert token.token_hash != plain and plain not in token.token_hash
    assert plain not in client.get("/settings").get_data(as_text=True)  # never shown again

    api = {"Authorization": f"Bearer {plain}"}
    assert client.application.test_client().get("/api/v1/me", headers=api).json["email"] == people["pm"].email
    client.post(f"/settings/tokens/{token.id}/revoke")
    assert client.application.test_client().get("/api/v1/me", headers=api).status_code == 401


def test_nobody_revokes_someone_elses_token(people, login):
    login(people["pm"]).post("/settings", data={"name": "Mine"})
    token = db.session.scalar(sa.select(ApiToken))
    # Someone else's token is not found, as their calendar links and notifications are.
    assert login(people["team"]).post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    assert login(people["admin"]).post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
