"""Two-factor sign-in: enrolment, codes at sign-in (throttled, used once), recovery codes, trusted
browsers, the per-role requirement and what admins see and do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import services, twofactor
from app.accounts.auth import REMEMBER_COOKIE, TRUST_COOKIE
from app.accounts.models import RecoveryCode, Role, RolePolicy, TwoFactor, User
from app.accounts.sessions import EndReason, UserSession, start_session
from app.audit.models import AuditEvent
from app.core import clock as app_clock
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from tests.accounts.test_sessions import FIREFOX, browser, is_signed_in
from tests.authenticator import code
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.clients import RequestClient
from tests.queries import counting


def session_of(user: User) -> UserSession:
    """A sign-in of ``user`` in some browser, as the set-up page runs in."""
    return start_session(user, remember=False, ip="192.0.2.1", user_agent=FIREFOX).session


def enrol(user: User) -> tuple[str, list[str]]:
    """Two-factor on for ``user``, as the set-up page does it: the key and the recovery codes."""
    here = session_of(user)
    key = twofactor.begin(user, here).key
    codes = twofactor.confirm(user, here, code(key))
    db.session.commit()
    return key, codes


def require(*roles: Role) -> None:
    for role in roles:
        db.session.add(RolePolicy(role=role, two_factor_required=True))
    db.session.commit()


def password_step(client: RequestClient, user: User, *, remember: bool = False, next_url: str = "") -> str:
    """Post the right password; returns where it sends the browser."""
    url = f"/login?next={next_url}" if next_url else "/login"
    form = {"email": user.email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def code_step(client: RequestClient, typed: str, *, trust: bool = False, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = f"/login/code?next={next_url}" if next_url else "/login/code"
    return client.post(url, data={"code": typed, **({"trust": "y"} if trust else {})})


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- enrolment ------------------------------------------------------------------------------------

def test_enrolment_shows_a_qr_code_and_turns_on_with_a_code_from_the_app(people):
    user = people["sales"]
    here = session_of(user)
    enrolment = twofactor.begin(user, here)
    assert enrolment.qr.startswith("<svg") and "<title>QR code for Countersign</title>" in enrolment.qr
    assert enrolment.uri.startswith("otpauth://totp/Countersign:") and f"secret={enrolment.key}" in enrolment.uri
    assert len(enrolment.key) == 32 and not twofactor.is_on(user)

    with pytest.raises(InvalidInput) as refused:
        twofactor.confirm(user, here, "000000" if code(enrolment.key) != "000000" else "111111")
    assert "code" in refused.value.fields and not twofactor.is_on(user)

    codes = twofactor.confirm(user, here, code(enrolment.key))
    assert twofactor.is_on(user) and len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[2-9a-z]{4}(-[2-9a-z]{4}){3}", c) for c in codes)
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert all(re.fullmatch(r"[0-9a-f]{8}\$[0-9a-f]{64}", h) for h in stored)  # salted hashes only
    assert len({h.split("$")[0] for h in stored}) == 10  # a salt of each code's own
    record = db.session.get(TwoFactor, user.id)
    assert enrolment.key not in record.seed  # the key is derived, never stored
    assert [e.summary for e in events("two_factor.enabled")] == ["Turned on two-factor sign-in"]


def test_the_same_key_is_shown_for_an_hour_then_a_fresh_one(people, clock):
    user = people["sales"]
    here = session_of(user)
    first = twofactor.begin(user, here).key
    clock.advance(minutes=59)
    assert twofactor.begin(user, here).key == first
    clock.advance(minutes=2)
    assert twofactor.begin(user, here).key != first


def test_a_key_belongs_to_the_browser_that_began_it(people):
    """Another session that opens the page (the person's other browser, or someone holding only the
    password) gets a fresh key, which voids the first: nobody learns the key that gets confirmed."""
    user = people["sales"]
    mine, theirs = session_of(user), session_of(user)
    key = twofactor.begin(user, mine).key
    other = twofactor.begin(user, theirs).key
    assert other != key
    with pytest.raises(InvalidInput) as refused:
        twofactor.confirm(user, mine, code(key))
    assert "replaced" in refused.value.fields["code"][0]
    fresh = twofactor.begin(user, mine).key
    assert fresh not in (key, other)
    twofactor.confirm(user, mine, code(fresh))
    assert twofactor.is_on(user)


def test_turning_it_on_ends_every_other_sign_in(app, people):
    user = people["pm"]
    require(Role.PROJECT_MANAGER)
    intruder = browser(app)  # someone with the password alone, confined to the set-up page
    password_step(intruder, user)
    assert intruder.get("/").headers["Location"] == "/settings/security/two-factor"
    enrol(user)
    assert not is_signed_in(intruder)
    reasons = db.session.scalars(sa.select(UserSession.ended_reason).where(UserSession.ended_at.is_not(None))).all()
    assert reasons == [EndReason.TWO_FACTOR_ON]


def test_the_key_needs_the_secret_key_too(app, people, configure):
    user = people["sales"]
    here = session_of(user)
    key = twofactor.begin(user, here).key
    configure(SECRET_KEY="another-secret-key-of-enough-length")
    assert twofactor.begin(user, here).key != key


# --- codes ----------------------------------------------------------------------------------------

def test_an_app_code_is_accepted_once_and_a_slow_clock_by_one_step(people, clock):
    user = people["sales"]
    key, _codes = enrol(user)  # the enrolment used the current step
    assert twofactor.verify(user, code(key)) is None  # the same code again: a replay
    clock.advance(seconds=30)
    assert twofactor.verify(user, code(key, steps=-1)) is None  # older than one used
    assert twofactor.verify(user, code(key)) == "app"
    clock.advance(seconds=30)
    assert twofactor.verify(user, code(key, steps=1)) == "app"  # the phone runs 30 s fast
    clock.advance(seconds=90)
    assert twofactor.verify(user, code(key, steps=2)) is None  # a minute off: no
    assert twofactor.verify(user, code(key, steps=-2)) is None
    assert twofactor.verify(user, "12345") is None and twofactor.verify(user, "") is None


def test_digits_from_an_input_method_are_read_and_other_scripts_refused_cleanly(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    full_width = code(key, steps=1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert twofactor.verify(user, full_width) == "app"
    client = browser(app)
    password_step(client, user)
    for odd in ("١٢٣٤٥٦", "²³⁴⁵⁶⁷", "9" * 40):
        page = code_step(client, odd)
        assert page.status_code == 200 and twofactor.WRONG_CODE in page.get_data(as_text=True), odd
    for bad in ("x\x00y", "9" * 41):  # refused by the value rule and the length, before any check
        page = code_step(client, bad)
        assert page.status_code == 200 and 'class="field-error"' in page.get_data(as_text=True), bad


def test_a_recovery_code_works_once_however_it_is_typed(people):
    user = people["sales"]
    _key, codes = enrol(user)
    typed = "  " + codes[3].upper().replace("-", " ") + " "
    assert twofactor.verify(user, typed) == "recovery"
    assert twofactor.verify(user, codes[3]) is None
    assert twofactor.recovery_codes_left(user) == 9
    assert [e.summary for e in events("two_factor.recovery_used")] == ["Signed in with a recovery code"]


def test_new_recovery_codes_replace_the_old_ones(people):
    user = people["sales"]
    _key, old = enrol(user)
    new = twofactor.new_recovery_codes(user)
    assert twofactor.verify(user, old[0]) is None
    assert twofactor.verify(user, new[0]) == "recovery"
    assert twofactor.recovery_codes_left(user) == 9


def test_codes_of_someone_without_two_factor_are_refused(people):
    assert twofactor.verify(people["sales"], "123456") is None
    with pytest.raises(InvalidInput):
        twofactor.new_recovery_codes(people["sales"])


# --- signing in -----------------------------------------------------------------------------------

def test_with_two_factor_on_the_password_alone_signs_nobody_in(app, people):
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    assert password_step(client, user, next_url="/campaigns/").startswith("/login/code?next=")
    assert not is_signed_in(client)
    page = client.get("/login/code")
    assert page.status_code == 200 and "Enter your code" in page.get_data(as_text=True)

    response = code_step(client, code(key, steps=1), next_url="/campaigns/")
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns/"
    assert is_signed_in(client)
    assert client.get("/login/code").headers["Location"] == "/"  # signed in: nothing left to type


def test_a_wrong_code_is_refused_counted_and_audited(app, people):
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    password_step(client, user)
    wrong = "000000" if code(key, steps=1) != "000000" else "111111"
    page = code_step(client, wrong)
    assert page.status_code == 200 and twofactor.WRONG_CODE in page.get_data(as_text=True)
    assert not is_signed_in(client)
    assert [e.summary for e in events("signin.failed")] == [f"Wrong two-factor code as {user.email} from 127.0.0.1"]


def test_typing_the_password_again_does_not_forget_wrong_codes(app, people, configure):
    """Were the right password to clear the count, retyping it between wrong codes would buy
    unlimited guesses at the code."""
    configure(THROTTLE_ACCOUNT_FAILURES=3)
    user = people["sales"]
    enrol(user)
    client = browser(app)
    for attempt in range(3):
        password_step(client, user)
        status = code_step(client, "000000").status_code
        assert status == (429 if attempt == 2 else 200)
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429  # locked: not even the password is checked


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, people, configure):
    configure(THROTTLE_ACCOUNT_FAILURES=3)
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    password_step(client, user)
    for _ in range(2):
        assert code_step(client, "000000").status_code == 200
    locked = code_step(client, "000000")  # the third in the window locks
    assert locked.status_code == 429 and "Wait" in locked.get_data(as_text=True) and "Retry-After" in locked.headers
    refused = code_step(client, code(key, steps=1))  # the right code, unchecked while locked
    assert refused.status_code == 429 and not is_signed_in(client)


def test_the_code_page_waits_five_minutes_after_the_password(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    password_step(client, user)
    clock.advance(minutes=5, seconds=1)
    response = code_step(client, code(key, steps=1))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not is_signed_in(client)


def test_a_password_reset_voids_a_pending_sign_in(app, people):
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    password_step(client, user)
    user.set_password("a brand new passphrase")
    db.session.commit()
    assert code_step(client, code(key, steps=1)).headers["Location"].startswith("/login")
    assert not is_signed_in(client)


def test_the_code_page_without_a_password_first_sends_to_sign_in(app, people):
    client = browser(app)
    assert client.get("/login/code").headers["Location"].startswith("/login")
    assert client.post("/login/code", data={"code": "123456"}).headers["Location"].startswith("/login")


def test_a_recovery_code_signs_in_and_says_how_many_are_left(app, people):
    user = people["sales"]
    _key, codes = enrol(user)
    client = browser(app)
    password_step(client, user)
    response = code_step(client, codes[0])
    assert response.status_code == 302
    assert "You signed in with a recovery code; 9 left." in client.get("/").get_data(as_text=True)


# --- trusted browsers -----------------------------------------------------------------------------

def _trusted_sign_in(app: Flask, user: User, key: str) -> RequestClient:
    client = browser(app)
    password_step(client, user)
    assert code_step(client, code(key, steps=1), trust=True).status_code == 302
    assert client.get_cookie(TRUST_COOKIE) is not None
    return client


def test_a_trusted_browser_skips_the_code_and_the_trust_moves_with_it(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = _trusted_sign_in(app, user, key)
    first_cookie = client.get_cookie(TRUST_COOKIE).value
    until = db.session.scalar(sa.select(UserSession.trusted_until).where(UserSession.trust_hash.is_not(None)))
    assert until == app_clock.now() + timedelta(days=30)
    assert client.post("/logout").headers["Location"] == "/login"
    assert not is_signed_in(client)

    clock.advance(days=3)
    assert password_step(client, user) == "/"  # no code
    assert is_signed_in(client)
    second_cookie = client.get_cookie(TRUST_COOKIE).value
    assert second_cookie != first_cookie
    trusted = db.session.scalars(sa.select(UserSession).where(UserSession.trust_hash.is_not(None))).all()
    assert len(trusted) == 1 and trusted[0].trusted_until == until  # moved, not extended

    copy = browser(app, cookies={TRUST_COOKIE: first_cookie})  # the replaced cookie is worth nothing
    assert password_step(copy, user).startswith("/login/code")


def test_trust_ends_after_its_days(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = _trusted_sign_in(app, user, key)
    client.delete_cookie("session")
    clock.advance(days=30, seconds=1)
    assert password_step(client, user).startswith("/login/code")


def test_forgetting_a_browser_and_changing_the_password_bring_the_code_back(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = _trusted_sign_in(app, user, key)
    record = db.session.scalar(sa.select(UserSession).where(UserSession.trust_hash.is_not(None)))

    page = client.get("/settings/security").get_data(as_text=True)
    assert "Browsers that skip the code" in page and "This browser" in page
    assert client.post(f"/settings/security/trusted/{record.id}/forget").status_code == 302
    client.delete_cookie("session")
    assert password_step(client, user).startswith("/login/code")
    clock.advance(seconds=30)
    assert code_step(client, code(key, steps=1), trust=True).status_code == 302

    services.set_password(user, user, "a brand new passphrase")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.trust_hash.is_not(None))) == 0


def test_changing_ones_password_in_a_trusted_browser_forgets_its_trust_too(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = _trusted_sign_in(app, user, key)
    form = {"current_password": PASSWORD, "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase"}
    assert client.post("/settings/security/password", data=form).headers["Location"] == "/settings/security"
    assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.trust_hash.is_not(None))) == 0


def test_a_copied_remember_cookie_ends_the_session_and_its_trust(app, people, clock):
    user = people["sales"]
    key, _codes = enrol(user)
    client = browser(app)
    password_step(client, user, remember=True)
    assert code_step(client, code(key, steps=1), trust=True).status_code == 302
    stolen = client.get_cookie(REMEMBER_COOKIE).value
    client.delete_cookie("session")
    assert is_signed_in(client)  # the remember cookie renews: a new token
    clock.advance(minutes=5)
    thief = browser(app, cookies={REMEMBER_COOKIE: stolen})
    assert not is_signed_in(thief)
    record = db.session.scalar(sa.select(UserSession).where(UserSession.remember_selector.is_not(None)))
    assert record.ended_reason is EndReason.REMEMBER_REUSED and record.trust_hash is None


def test_another_persons_trusted_browser_is_not_found(app, people, login):
    user = people["sales"]
    key, _codes = enrol(user)
    _trusted_sign_in(app, user, key)
    record = db.session.scalar(sa.select(UserSession).where(UserSession.trust_hash.is_not(None)))
    intruder = login(people["sales2"])
    assert intruder.post(f"/settings/security/trusted/{record.id}/forget").status_code == 404
    assert db.session.get(UserSession, record.id).trust_hash is not None


def test_a_trust_cookie_of_someone_else_does_not_skip_my_code(app, people):
    sam, sue = people["sales"], people["sales2"]
    sam_key, _ = enrol(sam)
    enrol(sue)
    client = _trusted_sign_in(app, sam, sam_key)
    client.delete_cookie("session")
    assert password_step(client, sue).startswith("/login/code")


# --- the requirement per role ---------------------------------------------------------------------

def test_a_required_role_without_two_factor_reaches_only_the_set_up_page(app, people):
    require(Role.SALES_MANAGER)
    user = people["sales"]
    client = browser(app)
    assert password_step(client, user) == "/"
    assert client.get("/").headers["Location"] == "/settings/security/two-factor"
    assert client.get("/campaigns/").headers["Location"] == "/settings/security/two-factor"
    api = client.get("/api/v1/me", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "two_factor_required"
    setup = client.get("/settings/security/two-factor")
    assert setup.status_code == 200 and "Your role requires two-factor" in setup.get_data(as_text=True)
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', setup.get_data(as_text=True)).group(1).replace(" ", "")

    done = client.post("/settings/security/two-factor", data={"code": code(key)})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<li>[2-9a-z]{4}-", done.get_data(as_text=True))) == 10
    assert client.get("/").status_code == 200  # set up: free again


def test_a_role_newly_required_confines_open_sessions_and_freed_ones_go_on(app, people, login):
    admin, seller = people["admin"], people["sales"]
    seller_client = login(seller)
    assert seller_client.get("/").status_code == 200
    admin_client = login(admin)
    form = {"sales_manager": "y"}
    assert admin_client.post("/admin/users/two-factor", data=form).headers["Location"] == "/admin/users/two-factor"
    assert twofactor.required_roles() == {Role.SALES_MANAGER}
    assert seller_client.get("/").headers["Location"] == "/settings/security/two-factor"
    assert [e.summary for e in events("two_factor.policy")] == ["Two-factor sign-in required for: Sales manager"]

    admin_client.post("/admin/users/two-factor", data={})
    assert seller_client.get("/").status_code == 200


def test_someone_whose_role_requires_it_cannot_turn_it_off(app, people, login):
    user = people["sales"]
    enrol(user)
    require(Role.SALES_MANAGER)
    with pytest.raises(InvalidInput):
        twofactor.turn_off_own(user)
    client = login_with_code(app, user)
    page = client.get("/settings/security").get_data(as_text=True)
    assert "Turn off two-factor" not in page and "Your role requires it." in page


def login_with_code(app: Flask, user: User) -> RequestClient:
    key = twofactor._key(db.session.get(TwoFactor, user.id))
    client = browser(app)
    password_step(client, user)
    assert code_step(client, code(key, steps=1)).status_code == 302
    return client


def test_only_admins_set_the_policy(people, login):
    with pytest.raises(NotAllowed):
        twofactor.require_for_roles(people["sales"], {Role.SALES_MANAGER})
    assert login(people["sales"]).get("/admin/users/two-factor").status_code == 404
    page = login(people["admin"]).get("/admin/users/two-factor")
    assert page.status_code == 200 and "Project manager" in page.get_data(as_text=True)


def test_the_policy_page_counts_who_has_it_on_in_one_query(people, login):
    enrol(people["sales"])
    client = login(people["admin"])
    with counting() as few:
        client.get("/admin/users/two-factor")
    counts = twofactor.adoption()
    assert counts[Role.SALES_MANAGER] == (2, 1) and counts[Role.ADMIN] == (1, 0)
    for n in range(30):
        UserFactory(role=Role.TEAM_MEMBER, email=f"many{n}@example.com")
    db.session.commit()
    with counting() as many:
        client.get("/admin/users/two-factor")
    assert len(many) == len(few)


# --- Settings → Security --------------------------------------------------------------------------

def test_new_recovery_codes_and_turning_off_need_the_password(app, people):
    user = people["sales"]
    _key, old = enrol(user)
    client = login_with_code(app, user)
    wrong = client.post("/settings/security/two-factor/recovery-codes", data={"codes-current_password": "nope"})
    assert wrong.status_code == 200 and "That is not your current password." in wrong.get_data(as_text=True)
    assert twofactor.verify(user, old[1]) == "recovery"  # nothing changed

    fresh = client.post("/settings/security/two-factor/recovery-codes", data={"codes-current_password": PASSWORD})
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert "Your earlier recovery codes no longer work." in fresh.get_data(as_text=True)
    assert twofactor.recovery_codes_left(user) == 10

    assert client.post("/settings/security/two-factor/off", data={"off-current_password": "nope"}).status_code == 200
    assert twofactor.is_on(user)
    off = client.post("/settings/security/two-factor/off", data={"off-current_password": PASSWORD})
    assert off.headers["Location"] == "/settings/security" and not twofactor.is_on(user)
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    client.delete_cookie("session")
    assert password_step(browser(app), user) == "/"


def test_the_security_page_offers_set_up_when_off(people, login):
    page = login(people["sales"]).get("/settings/security").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page and "/settings/security/two-factor" in page


def test_the_set_up_page_is_kept_out_of_caches_and_referrers(people, login):
    response = login(people["sales"]).get("/settings/security/two-factor")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<svg" in response.get_data(as_text=True)


def test_setting_up_again_when_on_goes_back_to_security(app, people):
    user = people["sales"]
    enrol(user)
    client = login_with_code(app, user)
    assert client.get("/settings/security/two-factor").headers["Location"] == "/settings/security"


# --- admins ---------------------------------------------------------------------------------------

def test_an_admin_turns_off_a_lost_phone_and_ends_every_sign_in(app, people, login):
    user = people["sales"]
    enrol(user)
    client = login_with_code(app, user)
    admin = login(people["admin"])
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Turn off two-factor" in page
    assert admin.post(f"/admin/users/{user.id}/two-factor/off").status_code == 302
    assert not twofactor.is_on(user) and not is_signed_in(client)
    ended = db.session.scalars(sa.select(UserSession.ended_reason).where(UserSession.user_id == user.id)).all()
    assert set(ended) == {EndReason.TWO_FACTOR_RESET}
    assert [e.summary for e in events("two_factor.disabled")] == [f"Turned off two-factor sign-in for {user.email}"]
    assert login(people["sales2"]).post(f"/admin/users/{user.id}/two-factor/off").status_code == 404


def test_an_admin_turns_off_their_own_only_with_the_password(app, people):
    admin = people["admin"]
    enrol(admin)
    client = login_with_code(app, admin)
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Turn off two-factor" not in page and "Settings → Security" in page
    client.post(f"/admin/users/{admin.id}/two-factor/off")
    assert twofactor.is_on(admin)
    assert "Turn off your own two-factor sign-in under Settings" in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)


def test_an_api_token_of_someone_who_owes_the_set_up_is_refused_until_it_is_done(app, people):
    user = people["pm"]
    _token, plain = services.issue_token(user, "Script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}", "Accept": "application/json"}
    client = browser(app)
    before = client.get("/api/v1/me", headers=headers)
    assert before.status_code == 200
    assert (before.get_json()["two_factor"], before.get_json()["two_factor_required"]) == (False, False)
    require(Role.PROJECT_MANAGER)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "two_factor_required"
    enrol(user)
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 200 and (after.get_json()["two_factor"], after.get_json()["two_factor_required"]) == (True, True)


def test_the_command_line_turns_it_off_for_a_locked_out_admin(app, people):
    admin = people["admin"]
    enrol(admin)
    require(Role.ADMIN)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "two-factor-off", admin.email])
    assert result.exit_code == 0, result.output
    assert "is off and every session of theirs has ended" in result.output
    assert not twofactor.is_on(admin)
    again = runner.invoke(args=["users", "two-factor-off", admin.email])
    assert again.exit_code == 0 and "nothing to do" in again.output
    unknown = runner.invoke(args=["users", "two-factor-off", "nobody@example.com"])
    assert unknown.exit_code == 1 and "no account with email" in unknown.output
