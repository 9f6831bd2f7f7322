"""Sessions kept in the database: what ends them, what a replayed cookie gets, the Security page,
the timeouts and the remember token's rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_login.utils import encode_cookie

from app.accounts import services
from app.accounts.auth import REMEMBER_COOKIE
from app.accounts.models import ApiToken, User
from app.accounts.sessions import (
    EndReason,
    UserSession,
    describe_agent,
    end_sessions,
    restore_remembered,
    start_session,
)
from app.extensions import db
from tests.factories import PASSWORD
from tests.fixtures.clients import RequestClient
from tests.queries import counting

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Mobile/15E148 Safari/604.1")
JSON = {"Accept": "application/json"}


def browser(app: Flask, agent: str = FIREFOX, cookies: dict[str, str] | None = None) -> RequestClient:
    """A client that sends ``agent`` (and ``cookies``) with every request, as one browser would."""
    app.test_client_class = RequestClient
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    for name, value in (cookies or {}).items():
        client.set_cookie(name, value)
    return client


def sign_in(app: Flask, user: User, *, remember: bool = False, agent: str = FIREFOX) -> RequestClient:
    client = browser(app, agent)
    form = {"email": user.email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/login", data=form).status_code == 302
    return client


def cookies(client: RequestClient) -> dict[str, str]:
    """The browser's cookies, to replay them from another client later."""
    found = {}
    for name in ("session", REMEMBER_COOKIE):
        cookie = client.get_cookie(name)
        if cookie is not None:
            found[name] = cookie.value
    return found


def is_signed_in(client: RequestClient) -> bool:
    page = client.get("/")
    api = client.get("/api/v1/me", headers=JSON)
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    if page.status_code != 200:
        assert "/login" in page.headers["Location"] and api.status_code == 401
    return page.status_code == 200


def live(user: User) -> list[UserSession]:
    return list(db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id,
                                                                 UserSession.ended_at.is_(None))))


def reasons(user: User) -> set[EndReason | None]:
    return set(db.session.scalars(sa.select(UserSession.ended_reason).where(UserSession.user_id == user.id)))


# --- the record and the cookies -------------------------------------------------------------------

def test_a_sign_in_is_a_row_and_the_cookie_carries_only_its_key(app, people):
    client = sign_in(app, people["team"], remember=True)
    [record] = live(people["team"])
    with client.session_transaction() as session:
        key = session["_user_id"]
    assert key != str(people["team"].id) and len(key) >= 43
    assert record.key_hash != key and key not in record.key_hash  # only a hash is stored
    assert (record.remembered, record.user_agent, record.ip) == (True, FIREFOX, "127.0.0.1")
    token = client.get_cookie(REMEMBER_COOKIE).value
    assert token.startswith(record.remember_selector + ".") and token.split(".", 1)[1] not in record.remember_hash


def test_each_sign_in_gets_its_own_keys(app, people):
    first, second = sign_in(app, people["team"], remember=True), sign_in(app, people["team"], remember=True)
    assert cookies(first)[REMEMBER_COOKIE] != cookies(second)[REMEMBER_COOKIE]
    assert len(live(people["team"])) == 2


def test_the_remember_cookie_is_httponly_samesite_and_lasts_the_setting(app, people, configure):
    configure(REMEMBER_DAYS=7)
    response = browser(app).post("/login", data={"email": people["team"].email, "password": PASSWORD, "remember": "y"})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(REMEMBER_COOKIE)]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Max-Age={7 * 86400}" in cookie


def test_without_keep_me_signed_in_there_is_no_remember_cookie(app, people):
    client = sign_in(app, people["team"])
    assert REMEMBER_COOKIE not in cookies(client) and live(people["team"])[0].remember_selector is None


def test_the_old_user_id_remember_cookie_signs_nobody_in(app, people):
    with app.test_request_context():
        legacy = encode_cookie(str(people["team"].id))  # what Flask-Login's remember cookie held
    client = browser(app, cookies={"remember_token": legacy})
    assert not is_signed_in(client)


# --- what ends a session: a replayed cookie gets the sign-in page (the API: 401) ------------------

def test_replaying_the_cookies_after_sign_out_gets_the_sign_in_page(app, people):
    client = sign_in(app, people["team"], remember=True)
    saved = cookies(client)
    assert client.post("/logout").status_code == 302
    assert reasons(people["team"]) == {EndReason.SIGNED_OUT}
    assert not is_signed_in(browser(app, cookies=saved))
    assert not is_signed_in(browser(app, cookies={REMEMBER_COOKIE: saved[REMEMBER_COOKIE]}))
    assert not is_signed_in(browser(app, cookies={"session": saved["session"]}))


def test_sign_out_drops_the_remember_cookie(app, people):
    client = sign_in(app, people["team"], remember=True)
    response = client.post("/logout")
    assert any(c.startswith(f"{REMEMBER_COOKIE}=;") for c in response.headers.getlist("Set-Cookie"))


def _edit(admin: RequestClient, user: User, **changes: str) -> None:
    form = {"name": user.name, "email": user.email, "role": user.role.value, "active": "y", **changes}
    form = {key: value for key, value in form.items() if value is not None}
    assert admin.post(f"/admin/users/{user.id}", data=form).status_code == 302


@pytest.mark.parametrize(("change", "reason"), [
    ({"password": "a brand new password"}, EndReason.PASSWORD_RESET),
    ({"active": None}, EndReason.DEACTIVATED),
    ({"role": "sales_manager"}, EndReason.ROLE_CHANGED),
])
def test_an_admins_change_ends_every_session_of_the_person(app, people, change, reason):
    team = people["team"]
    remembered, plain = sign_in(app, team, remember=True), sign_in(app, team, agent=PHONE)
    saved = [cookies(remembered), cookies(plain), {REMEMBER_COOKIE: cookies(remembered)[REMEMBER_COOKIE]}]
    admin = sign_in(app, people["admin"])
    _edit(admin, team, **change)
    assert reasons(team) == {reason}
    for jar in saved:
        assert not is_signed_in(browser(app, cookies=jar)), jar
    assert is_signed_in(admin)


def test_an_admins_password_reset_also_revokes_the_persons_api_tokens(app, people, client):
    team = people["team"]
    _, plain = services.issue_token(team, "Script")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    _edit(sign_in(app, people["admin"]), team, password="a brand new password")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None


def test_a_role_change_keeps_the_api_tokens(app, people, client):
    _, plain = services.issue_token(people["team"], "Script")
    _edit(sign_in(app, people["admin"]), people["team"], role="sales_manager")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_the_command_line_password_reset_ends_sessions_and_tokens(app, people):
    team = people["team"]
    saved = cookies(sign_in(app, team, remember=True))
    services.issue_token(team, "Script")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "set-password", team.email, "--password-stdin"],
                                          input="another long one\n")
    assert result.exit_code == 0, result.output
    assert reasons(team) == {EndReason.PASSWORD_RESET}
    assert not is_signed_in(browser(app, cookies=saved))
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, people):
    admin = people["admin"]
    here, elsewhere = sign_in(app, admin), sign_in(app, admin, remember=True, agent=PHONE)
    elsewhere_cookies = cookies(elsewhere)
    _, plain = services.issue_token(admin, "Script")
    _edit(here, admin, password="my own new password")
    assert is_signed_in(here)
    assert not is_signed_in(browser(app, PHONE, cookies=elsewhere_cookies))
    assert reasons(admin) == {None, EndReason.PASSWORD_CHANGED}
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is None  # one's own change is no reset


def test_end_sessions_outside_a_request_ends_them_all(app, people):
    sign_in(app, people["team"])
    sign_in(app, people["team"], agent=PHONE)
    assert end_sessions(people["team"], except_current=True, reason=EndReason.PASSWORD_CHANGED) == 2
    assert live(people["team"]) == []


def test_a_deactivated_persons_session_is_refused_even_before_it_is_ended(app, people):
    client = sign_in(app, people["team"])
    people["team"].active = False  # behind the services' back: the loader checks it all the same
    assert not is_signed_in(client)


# --- Settings → Security ------------------------------------------------------------------------

def test_the_security_page_lists_this_browser_and_the_others(app, people):
    team = people["team"]
    sign_in(app, team, remember=True, agent=PHONE)
    here = sign_in(app, team)
    sign_in(app, people["pm"])  # someone else's: not listed
    page = here.get("/settings/security").get_data(as_text=True)
    assert "This browser" in page and "Firefox on Linux" in page and "Safari on iOS" in page
    assert "2 in total" in page and "Sign out everywhere else" in page and "127.0.0.1" in page
    assert page.count("This browser") == 1
    assert "/settings/security" in here.get("/settings").get_data(as_text=True)


def test_the_security_page_is_paged(app, people):
    for n in range(25):
        start_session(people["team"], remember=False, ip="192.0.2.1", user_agent=f"Agent {n}")
    client = sign_in(app, people["team"])
    page = client.get("/settings/security").get_data(as_text=True)
    assert "26 in total" in page and 'rel="next"' in page and page.count("192.0.2.1") == 19


def test_ending_another_session_signs_that_browser_out(app, people):
    team = people["team"]
    phone = sign_in(app, team, remember=True, agent=PHONE)
    phone_cookies = cookies(phone)
    here = sign_in(app, team)
    [other] = [s for s in live(team) if s.user_agent == PHONE]
    assert here.post(f"/settings/security/sessions/{other.id}/end").status_code == 302
    assert not is_signed_in(browser(app, PHONE, cookies=phone_cookies))
    assert is_signed_in(here) and reasons(team) == {None, EndReason.ENDED}
    assert here.post(f"/settings/security/sessions/{other.id}/end").status_code == 404  # ended: gone


def test_ending_this_browsers_session_signs_out(app, people):
    here = sign_in(app, people["team"])
    [mine] = live(people["team"])
    response = here.post(f"/settings/security/sessions/{mine.id}/end")
    assert "/login" in response.headers["Location"] and not is_signed_in(here)


def test_sign_out_everywhere_else(app, people):
    team = people["team"]
    others = [cookies(sign_in(app, team, agent=PHONE)), cookies(sign_in(app, team, remember=True))]
    here = sign_in(app, team)
    assert here.post("/settings/security/sessions/end-others").status_code == 302
    assert is_signed_in(here) and len(live(team)) == 1
    assert not any(is_signed_in(browser(app, agent, cookies=jar)) for agent, jar in zip((PHONE, FIREFOX), others, strict=True))


def test_someone_elses_session_is_not_found_and_stays(app, people):
    theirs = sign_in(app, people["pm"])
    [record] = live(people["pm"])
    for who in ("team", "admin"):
        client = sign_in(app, people[who])
        assert client.post(f"/settings/security/sessions/{record.id}/end").status_code == 404
    assert is_signed_in(theirs) and record.ended_at is None


# --- timeouts ---------------------------------------------------------------------------------------

def test_a_session_ends_after_the_idle_timeout(app, people, clock):
    client = sign_in(app, people["team"])
    clock.advance(hours=11, minutes=59)
    assert is_signed_in(client)  # and the use starts the idle time again
    clock.advance(hours=11, minutes=59)
    assert is_signed_in(client)
    clock.advance(hours=12, minutes=1)
    assert not is_signed_in(client)


def test_the_idle_timeout_is_a_setting(app, people, clock, configure):
    configure(SESSION_IDLE_MINUTES=30)
    client = sign_in(app, people["team"])
    clock.advance(minutes=31)
    assert not is_signed_in(client)


def test_a_remembered_session_outlives_the_idle_timeout_but_not_the_absolute_one(app, people, clock):
    client = sign_in(app, people["team"], remember=True)
    for _ in range(14):
        clock.advance(days=2)
        assert is_signed_in(client)
    token = cookies(client)[REMEMBER_COOKIE]
    clock.advance(days=2, minutes=1)  # 30 days and a minute after the sign-in, however busy
    assert not is_signed_in(client)
    assert not is_signed_in(browser(app, cookies={REMEMBER_COOKIE: token}))
    assert REMEMBER_COOKIE not in cookies(client)  # a refused token is dropped


def test_a_remembered_session_unused_for_the_remember_time_ends(app, people, clock, configure):
    configure(SESSION_MAX_DAYS=90)
    saved = cookies(sign_in(app, people["team"], remember=True))
    clock.advance(days=30, minutes=1)
    assert not is_signed_in(browser(app, cookies=saved))


def test_last_seen_is_written_at_most_once_a_minute(app, people, clock):
    client = sign_in(app, people["team"])
    [record] = live(people["team"])
    signed_in_at = record.last_seen_at
    clock.advance(seconds=50)
    client.get("/")
    assert db.session.get(UserSession, record.id).last_seen_at == signed_in_at
    clock.advance(seconds=20)
    client.get("/")
    assert db.session.get(UserSession, record.id).last_seen_at == signed_in_at + timedelta(seconds=70)


# --- remember: a token used once -----------------------------------------------------------------

def test_the_remember_cookie_signs_in_again_with_new_keys(app, people, clock):
    first = cookies(sign_in(app, people["team"], remember=True))
    restored = browser(app, cookies={REMEMBER_COOKIE: first[REMEMBER_COOKIE]})  # the browser was closed
    assert is_signed_in(restored)
    second = cookies(restored)
    assert second[REMEMBER_COOKIE] != first[REMEMBER_COOKIE]
    assert second[REMEMBER_COOKIE].split(".")[0] == first[REMEMBER_COOKIE].split(".")[0]  # the same session
    assert len(live(people["team"])) == 1
    # The session cookie of before the rotation is dead too: the row has a new key.
    assert not is_signed_in(browser(app, cookies={"session": first["session"]}))


def test_a_replayed_old_remember_token_ends_the_session(app, people, clock):
    stolen = cookies(sign_in(app, people["team"], remember=True))[REMEMBER_COOKIE]
    owner = browser(app, cookies={REMEMBER_COOKIE: stolen})
    assert is_signed_in(owner)  # the owner's browser used (and replaced) it first
    clock.advance(minutes=5)
    assert not is_signed_in(browser(app, cookies={REMEMBER_COOKIE: stolen}))
    assert reasons(people["team"]) == {EndReason.REMEMBER_REUSED}
    assert not is_signed_in(owner)  # both are out: the thief, and the owner, who signs in again


def test_a_token_replaced_a_moment_ago_is_refused_without_ending_the_session(app, people, clock):
    token = cookies(sign_in(app, people["team"], remember=True))[REMEMBER_COOKIE]
    tab = browser(app, cookies={REMEMBER_COOKIE: token})
    assert is_signed_in(tab)
    clock.advance(seconds=5)  # a second tab restored at the same time sent the same token
    assert not is_signed_in(browser(app, cookies={REMEMBER_COOKIE: token}))
    assert len(live(people["team"])) == 1 and is_signed_in(tab)


def test_of_two_requests_racing_with_one_token_one_renews_the_session_and_none_ends_it(app, people, monkeypatch):
    issued = start_session(people["team"], remember=True, ip="192.0.2.1", user_agent=FIREFOX)
    db.session.commit()
    read = db.session.scalar

    def read_then_lose_the_race(query):  # the other tab rotates the token between our read and our write
        record = read(query)
        db.session.execute(sa.update(UserSession).where(UserSession.id == record.id).values(remember_hash="0" * 64)
                           .execution_options(synchronize_session=False))
        return record

    monkeypatch.setattr(db.session, "scalar", read_then_lose_the_race)
    assert restore_remembered(issued.remember_token, ip="192.0.2.1", user_agent=FIREFOX) is None
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(UserSession, issued.session.id).ended_at is None


def test_a_made_up_remember_token_signs_nobody_in(app, people):
    real = cookies(sign_in(app, people["team"], remember=True))[REMEMBER_COOKIE]
    selector = real.split(".")[0]
    for forged in ("nonsense", f"{selector}.guess", "x.y"):
        assert not is_signed_in(browser(app, cookies={REMEMBER_COOKIE: forged}))
    # A wrong secret for a real selector is a replay: only who held the cookie knows the selector.
    assert reasons(people["team"]) == {EndReason.REMEMBER_REUSED}


# --- cost ----------------------------------------------------------------------------------------

def test_a_signed_in_request_costs_one_query_however_many_sessions_there_are(app, people):
    client = sign_in(app, people["team"])
    client.get("/api/v1/me", headers=JSON)
    with counting() as few:
        assert client.get("/api/v1/me", headers=JSON).status_code == 200
    for n in range(30):
        for who in ("team", "pm"):
            start_session(people[who], remember=n % 2 == 0, ip="192.0.2.1", user_agent="Other")
    db.session.commit()
    with counting() as many:
        assert client.get("/api/v1/me", headers=JSON).status_code == 200
    # Signing the request in is one query (the session with its user); /me's own are the other two
    # (is two-factor on, does the role require it).
    assert len(few) == len(many) == 3, many
    assert "two_factor" in many[1] and "role_policies" in many[2]


def test_a_remember_sign_in_costs_the_same_however_many_sessions_there_are(app, people):
    def restore() -> int:
        token = cookies(sign_in(app, people["team"], remember=True))[REMEMBER_COOKIE]
        with counting() as statements:
            assert browser(app, cookies={REMEMBER_COOKIE: token}).get("/api/v1/me", headers=JSON).status_code == 200
        return len(statements)

    before = restore()
    for _ in range(30):
        start_session(people["team"], remember=True, ip="192.0.2.1", user_agent="Other")
    db.session.commit()
    assert restore() == before


def test_who_is_signed_in_where_reads_as_a_person_would_say_it():
    assert describe_agent(FIREFOX) == "Firefox on Linux"
    assert describe_agent(PHONE) == "Safari on iOS"
    assert describe_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0") == "Edge on Windows"
    assert describe_agent("curl/8.5.0") == "curl/8.5.0" and describe_agent("") == "Unknown browser"

