"""The one-click link in every email: no sign-in, no CSRF token (RFC 8058), and a forged link finds nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from app.extensions import db
from app.notifications import services
from app.notifications.emails import notification_email, preferences_token
from app.notifications.models import NotificationPreference


def _prefs(user) -> NotificationPreference:
    db.session.expire_all()
    return services.preferences_of(user.id)


def test_the_link_asks_first_then_one_click_stops_that_category_only(people, client):
    token = preferences_token(people["team"].id, "reminders")
    page = client.get(f"/email/preferences/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop emails of reminders for Tara Teammate?" in html
    assert f'<form method="post" action="/email/preferences/{token}">' in html
    assert 'href="/settings/notifications"' in html
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert _prefs(people["team"]).reminders_email is True  # a GET (a mail scanner's prefetch) changes nothing

    done = client.post(f"/email/preferences/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "No more emails of reminders" in done.get_data(as_text=True)
    prefs = _prefs(people["team"])
    assert prefs.reminders_email is False
    assert (prefs.reminders_in_app, prefs.updates_email, prefs.updates_in_app) == (True, True, True)

    # Again, and then the page says it is already off.
    assert client.post(f"/email/preferences/{token}").status_code == 200
    assert "Emails of reminders are off" in client.get(f"/email/preferences/{token}").get_data(as_text=True)


def test_the_updates_link_keeps_the_other_settings(people, client):
    services.save_preferences(people["team"], time_zone="Europe/Rome", lead_days=(14, 2), email_digest=True)
    db.session.commit()
    client.post(f"/email/preferences/{preferences_token(people['team'].id, 'updates')}")
    prefs = _prefs(people["team"])
    assert (prefs.updates_email, prefs.reminders_email) == (False, True)
    assert (prefs.time_zone, prefs.lead_days, prefs.email_digest) == ("Europe/Rome", "14, 2", True)


def test_the_link_in_the_emails_headers_works(people, client):
    [note] = services.notify([people["team"]], "reminder", "Launch is due tomorrow", link="/campaigns/1")
    db.session.commit()
    message = notification_email(note)
    url = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _prefs(people["team"]).reminders_email is False


def test_a_forged_or_foreign_token_is_not_found(app, people, client):
    real = preferences_token(people["team"].id, "reminders")
    forged = [
        real[:-2] + ("AA" if not real.endswith("AA") else "BB"),  # tampered signature
        URLSafeSerializer("not-our-secret", salt="countersign-email-preferences").dumps([people["team"].id, "reminders"]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="another-salt").dumps([people["team"].id, "reminders"]),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="countersign-email-preferences").dumps([people["team"].id, "all"]),
        preferences_token(999_999, "reminders"),  # nobody
        "nonsense",
    ]
    for token in forged:
        assert client.get(f"/email/preferences/{token}").status_code == 404, token
        assert client.post(f"/email/preferences/{token}").status_code == 404, token
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_one_click_works_without_a_csrf_token_while_the_forms_need_one(app, people, login, monkeypatch):
    browser = login(people["team"])  # signs in while CSRF is off (the testing config)
    anonymous = app.test_client()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    # The settings form, like every form, is refused without its token...
    refused = browser.post("/settings/notifications", data={"time_zone": "Europe/Rome"})
    assert refused.status_code == 400
    # ...while the mail client's one-click post, with no session and no token, is accepted.
    token = preferences_token(people["team"].id, "updates")
    response = anonymous.post(f"/email/preferences/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _prefs(people["team"]).updates_email is False
