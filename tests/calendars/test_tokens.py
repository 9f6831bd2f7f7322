"""Calendar links are secrets: what opens a feed, what never does, and where a token never shows."""

from __future__ import annotations

import logging
import secrets
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.calendars import feeds, services
from app.calendars.models import CalendarFeed
from app.calendars.services import FeedInput
from app.core.errors import InvalidInput
from app.extensions import db
from app.logs import GunicornLogger, RedactSecrets, redact
from app.projects.services import remove_member
from tests.calendars.helpers import events, feed_path


@pytest.fixture
def campaign(make_project):
    return make_project(title="Northwind Pro upgrade", state="active")


def test_a_token_is_long_random_and_stored_only_as_a_hash(campaign, people, subscribe):
    tokens = {subscribe(people["team"]) for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert len(token) == services.TOKEN_LENGTH
        secret = token[services.SELECTOR_LENGTH:]
        assert len(secret) * 6 >= 256  # URL-safe base64: six bits a character
    for feed in db.session.scalars(sa.select(CalendarFeed)):
        stored = " ".join(str(v) for v in feed.__dict__.values())
        assert not any(token in stored or token[services.SELECTOR_LENGTH:] in stored for token in tokens)
        assert len(feed.secret_hash) == 64


def test_the_link_opens_its_own_feed_only(campaign, people, subscribe, client):
    mine = subscribe(people["team"], name="Everything")
    project = subscribe(people["team"], kind="project", project_id=campaign.id, name="Just Northwind")
    assert b"X-WR-CALNAME:Everything" in client.get(feed_path(mine)).data
    assert b"X-WR-CALNAME:Just Northwind" in client.get(feed_path(project)).data
    # A token is its selector and its secret together: one feed's selector with another's secret opens nothing.
    crossed = mine[:services.SELECTOR_LENGTH] + project[services.SELECTOR_LENGTH:]
    assert client.get(feed_path(crossed)).status_code == 404


@pytest.mark.parametrize("token", [
    "", "x", secrets.token_urlsafe(44), "A" * services.TOKEN_LENGTH, "é" * services.TOKEN_LENGTH,
    "../../etc/passwd", "%00" * 20,
])
def test_unknown_tokens_are_not_found(app, client, token):
    assert client.get(feed_path(token)).status_code == 404


def test_a_wrong_secret_is_not_found(campaign, people, subscribe, client):
    token = subscribe(people["team"])
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(feed_path(wrong)).status_code == 404
    assert client.get(feed_path(token)).status_code == 200


def test_a_revoked_link_is_not_found(campaign, people, subscribe, client):
    token = subscribe(people["team"])
    assert client.get(feed_path(token)).status_code == 200
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    services.revoke_feed(people["team"], feed)
    db.session.commit()
    response = client.get(feed_path(token))
    assert response.status_code == 404 and b"VCALENDAR" not in response.data


def test_a_removed_member_loses_the_campaign_calendar(campaign, people, subscribe, client):
    token = subscribe(people["team"], kind="project", project_id=campaign.id)
    assert client.get(feed_path(token)).status_code == 200
    remove_member(people["pm"], campaign, people["team"])
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 404


def test_a_deactivated_owner_gets_nothing(campaign, people, subscribe, client):
    token = subscribe(people["team"])
    people["team"].active = False
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 404


def test_role_calendars_follow_the_role(campaign, people, subscribe, client):
    signoff = subscribe(people["product"], kind="signoff")
    promises = subscribe(people["sales"], kind="promises")
    assert client.get(feed_path(signoff)).status_code == 200 and client.get(feed_path(promises)).status_code == 200
    people["product"].role = Role.TEAM_MEMBER
    people["sales"].role = Role.TEAM_MEMBER
    db.session.commit()
    assert client.get(feed_path(signoff)).status_code == 404 and client.get(feed_path(promises)).status_code == 404


def test_admins_can_turn_every_feed_off_and_on(campaign, people, subscribe, client):
    token = subscribe(people["team"])
    services.set_feeds_enabled(people["admin"], False)
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 404
    with pytest.raises(InvalidInput, match="turned off"):
        services.create_feed(people["team"], FeedInput(name="New", kind="mine"))
    services.set_feeds_enabled(people["admin"], True)
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 200


def test_only_admins_switch_feeds(app, people):
    from app.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.set_feeds_enabled(people["pm"], False)


@pytest.mark.parametrize(("user", "fields", "field"), [
    ("team", {"name": "  ", "kind": "mine"}, "name"),
    ("team", {"name": "x" * 81, "kind": "mine"}, "name"),
    ("team", {"name": "Queue", "kind": "signoff"}, "kind"),
    ("product", {"name": "Mine", "kind": "promises"}, "kind"),
    ("team", {"name": "Other", "kind": "nonsense"}, "kind"),
    ("outsider", {"name": "Theirs", "kind": "project", "project_id": "campaign"}, "project_id"),
    ("team", {"name": "No project", "kind": "project"}, "project_id"),
    ("team", {"name": "Odd alert", "kind": "mine", "alarm_minutes": 7}, "alarm_minutes"),
])
def test_a_link_needs_valid_choices(campaign, people, user, fields, field):
    if fields.get("project_id") == "campaign":
        fields["project_id"] = campaign.id
    with pytest.raises(InvalidInput) as refused:
        services.create_feed(people[user], FeedInput(**fields))
    assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0


def test_last_fetched_is_noted_at_most_every_few_minutes(campaign, people, subscribe, client, clock):
    token = subscribe(people["team"])
    client.get(feed_path(token))
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    first = feed.last_fetched_at
    assert first is not None
    client.get(feed_path(token))
    db.session.refresh(feed)
    assert feed.last_fetched_at == first
    later = clock.advance(minutes=6)
    client.get(feed_path(token))
    db.session.refresh(feed)
    assert feed.last_fetched_at == later


# --- tokens never reach the logs --------------------------------------------------------------------

def test_redact_hides_every_calendar_token():
    token = "a" * services.TOKEN_LENGTH
    line = f'127.0.0.1 - - "GET /calendars/v1/{token}.ics HTTP/1.1" 200 -'
    assert token not in redact(line) and "/calendars/v1/[redacted]" in redact(line)
    assert redact("/calendars/v2/abc.ics?x=1") == "/calendars/v2/[redacted].ics?x=1"
    assert redact("/campaigns/3") == "/campaigns/3"


def test_redact_hides_the_token_of_an_emails_preferences_link_too():
    line = '127.0.0.1 - - "POST /email/preferences/eyJ1IjozfQ.ZxY.sig-nature?x=1 HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - "POST /email/preferences/[redacted]?x=1 HTTP/1.1" 200 -'
    assert redact("//email//preferences/abc") == "//email//preferences/[redacted]"


def test_the_request_log_filter_redacts_messages_and_arguments():
    token = "b" * services.TOKEN_LENGTH
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
                               ("127.0.0.1", f"GET /calendars/v1/{token}.ics HTTP/1.1", "200"), None)
    RedactSecrets().filter(record)
    assert token not in record.getMessage()


def test_an_error_while_serving_a_feed_is_logged_without_the_token(campaign, people, subscribe, client,
                                                                  monkeypatch, caplog):
    token = subscribe(people["team"])

    def broken(_feed):
        raise RuntimeError("boom")

    monkeypatch.setattr(feeds, "build", broken)
    with caplog.at_level(logging.ERROR):
        assert client.get(feed_path(token)).status_code == 500
    assert "boom" in caplog.text and "[redacted]" in caplog.text
    assert token not in caplog.text


def test_gunicorns_access_log_is_redacted():
    from datetime import timedelta

    token = "c" * services.TOKEN_LENGTH
    path = f"/calendars/v1/{token}.ics"
    logger = GunicornLogger(SimpleNamespace(
        errorlog="-", loglevel="info", accesslog="-", access_log_format="", syslog=False, logconfig=None,
        logconfig_dict={}, logconfig_json=None, capture_output=False, disable_redirect_access_to_syslog=True,
        user=0, group=0, umask=0, syslog_addr=None, syslog_facility="user", syslog_prefix=None,
        enable_stdio_inheritance=False, statsd_host=None, dogstatsd_tags="",
    ))
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path,
               "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    assert token not in repr(atoms)
    assert atoms["r"] == "GET /calendars/v1/[redacted].ics HTTP/1.1"


def test_the_feed_parses_for_a_fresh_link(campaign, people, subscribe, fetch):
    assert len(events(fetch(subscribe(people["team"])))) == len(campaign.milestones)
