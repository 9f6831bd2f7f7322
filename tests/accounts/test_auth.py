"""Signing in and out, and what a signed-out visitor may see."""

from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from tests.factories import PASSWORD, UserFactory


def test_pages_need_a_sign_in(client):
    response = client.get("/campaigns/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_with_the_right_password_and_follow_next(client):
    user = UserFactory(email="sam@example.com")
    response = client.post("/login?next=/campaigns/", data={"email": "SAM@example.com ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns/"
    assert db.session.get(User, user.id).last_login_at is not None
    assert client.get("/").status_code == 200


def test_wrong_password_unknown_email_and_deactivated_account_get_the_same_answer(client):
    UserFactory(email="sam@example.com")
    UserFactory(email="gone@example.com", active=False)
    for email, password in (("sam@example.com", "wrong"), ("nobody@example.com", PASSWORD), ("gone@example.com", PASSWORD)):
        page = client.post("/login", data={"email": email, "password": password})
        assert page.status_code == 200
        assert "do not match an active account" in page.get_data(as_text=True)


def test_next_never_leads_off_site(client):
    UserFactory(email="sam@example.com")
    response = client.post("/login?next=//evil.example/", data={"email": "sam@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session(people, login):
    client = login(people["team"])
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(people, login):
    client = login(people["team"])
    people["team"].active = False
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client):
    UserFactory(email="sam@example.com")
    response = client.post("/login", data={"email": "sam@example.com", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_as_salted_scrypt_hashes(app):
    one, two = UserFactory(), UserFactory()
    one.set_password("correct horse battery staple")
    two.set_password("correct horse battery staple")

    assert one.password_hash.startswith("scrypt:") and two.password_hash.startswith("scrypt:")
    assert one.password_hash != two.password_hash  # salted: the same password hashes apart
    assert "correct horse" not in one.password_hash and one.check_password("correct horse battery staple")
