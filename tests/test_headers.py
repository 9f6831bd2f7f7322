"""The security headers (app/core/headers.py): on every kind of response, from one place, with a
view's own policy where it declares one; HSTS under the production config only; and a Server
header without a version under gunicorn."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.accounts.services import issue_token
from app.calendars import feeds
from app.calendars import services as calendars
from app.calendars.services import FeedInput
from app.core.headers import OWNED
from app.extensions import db
from config import BASE_DIR, Config, ProductionConfig

API_DOCS_CSP_START = "default-src 'none'"


def assert_secured(response, csp: str | None = None, referrer: str = "same-origin") -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == (csp or Config.CONTENT_SECURITY_POLICY), response.request.path
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == referrer
    assert "Strict-Transport-Security" not in headers  # not under the testing config


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_the_policy_allows_only_our_own_files_and_no_inline_script_or_style():
    policy = directives(Config.CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in Config.CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in Config.CONTENT_SECURITY_POLICY


# --- every kind of response ---------------------------------------------------------------------

@pytest.fixture
def bearer(people):
    _token, plain = issue_token(people["sales"], "header tests")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_pages_and_redirects_carry_the_headers(client, people, login, make_project):
    assert_secured(client.get("/login"))
    assert_secured(client.get("/"))  # the redirect to the sign-in page
    project = make_project()
    signed_in = login(people["sales"])
    for path in ("/", "/campaigns/", f"/campaigns/{project.id}", "/settings/notifications", "/catalog/"):
        page = signed_in.get(path)
        assert page.status_code == 200, path
        assert_secured(page)
    assert_secured(signed_in.head("/campaigns/"))


def test_api_json_and_its_errors_carry_the_headers(client, bearer):
    listed = client.get("/api/v1/projects", headers=bearer)
    assert listed.status_code == 200 and listed.is_json
    assert_secured(listed)
    for refused in (client.get("/api/v1/projects"), client.get("/api/v1/projects/999999", headers=bearer),
                    client.post("/api/v1/projects", headers=bearer, data="not json", content_type="application/json")):
        assert refused.status_code >= 400 and refused.is_json
        assert_secured(refused)
    assert_secured(client.get("/api/v1/openapi.json"))


def test_error_pages_carry_the_headers(client, people, login, monkeypatch):
    assert_secured(client.get("/no/such/page"))  # no view matched
    assert_secured(login(people["team"]).get("/admin/users"))  # a view's own 404
    assert_secured(client.delete("/login"))  # 405
    assert_secured(client.post("/login", data="x" * (2 * 1024 * 1024)))  # 413 before any view reads it
    assert_secured(client.get("/campaigns/x%00"))  # refused by the URL guard

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("app.accounts.views.render_template", broken)
    failed = client.get("/login")
    assert failed.status_code == 500 and b"Something went wrong" in failed.data
    assert_secured(failed)


def test_static_files_carry_the_headers_and_the_right_types(client):
    for path, kind in (("/static/css/app.css", "text/css"), ("/static/js/confirm.js", "text/javascript"),
                       ("/api/docs/assets/swagger-ui-bundle.js", "text/javascript")):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == kind, path  # nosniff needs the right type
        assert_secured(response)
        response.close()
    etag = client.get("/static/css/app.css").headers["ETag"]
    assert_secured(client.get("/static/css/app.css", headers={"If-None-Match": etag}))  # a 304


def test_feeds_and_downloads_carry_nosniff_and_their_own_policy(client, people, login, make_project, monkeypatch):
    project = make_project(state="active")
    _feed, token = calendars.create_feed(people["pm"], FeedInput(name="mine", kind="mine"))
    db.session.commit()
    feed = client.get(f"/calendars/v1/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert_secured(feed, referrer="no-referrer")
    assert_secured(client.get(f"/calendars/v1/{'x' * 43}.ics"), referrer="no-referrer")  # not found, still private

    pm = login(people["pm"])
    svg = pm.get(f"/campaigns/{project.id}/timeline.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert_secured(svg, csp="default-src 'none'; style-src 'unsafe-inline'")
    changes = pm.get(f"/campaigns/{project.id}/changes.csv")
    assert changes.status_code == 200 and changes.mimetype == "text/csv"
    assert_secured(changes)
    report = pm.get("/reports/briefings.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert_secured(report)

    monkeypatch.setattr(feeds, "build", lambda _feed: (_ for _ in ()).throw(RuntimeError("boom")))
    failed = client.get(f"/calendars/v1/{token}.ics")  # the error page of a view with its own policy
    assert failed.status_code == 500
    assert_secured(failed, referrer="no-referrer")


def test_pages_that_show_a_token_or_a_calendar_link_send_no_referrer(people, login):
    client = login(people["pm"])
    assert_secured(client.get("/settings"), referrer="no-referrer")
    created = client.post("/settings", data={"name": "CRM sync"})
    assert created.status_code == 200 and b"Your new token is ready" in created.data
    assert_secured(created, referrer="no-referrer")
    link = client.post("/settings/calendars", data={"name": "Mine", "kind": "mine"})
    assert link.status_code == 200 and b"shown only this once" in link.data
    assert_secured(link, referrer="no-referrer")
    assert link.headers["Cache-Control"] == "no-store"


def test_the_api_reference_keeps_its_own_stricter_policy(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    policy = directives(page.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"


# --- one place ------------------------------------------------------------------------------------

def test_no_view_sets_a_security_header_itself():
    """app/core/headers.py sets them last, over anything a view set: a view declares its policy instead."""
    offenders = []
    for path in (BASE_DIR / "app").rglob("*.py"):
        if path == BASE_DIR / "app" / "core" / "headers.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(BASE_DIR)}: {name}" for name in OWNED if f'"{name}"' in text]
    assert offenders == []


#: What a Content-Security-Policy without 'unsafe-inline' refuses, in a served template.
_INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_needs_inline_script_or_style():
    """Emails are not pages (the mailbox shows them in a sandboxed frame under its own policy)."""
    found = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        if "email" in path.relative_to(BASE_DIR / "templates").parts:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(BASE_DIR)}: {kind}" for kind, pattern in _INLINE.items() if pattern.search(text)]
    assert found == []


# --- production: HSTS, and gunicorn's Server header ----------------------------------------------------

def test_hsts_is_sent_under_the_production_config_only(app, monkeypatch):
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    monkeypatch.setenv("COUNTERSIGN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    production = create_app()
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == ProductionConfig.STRICT_TRANSPORT_SECURITY
    assert "max-age=31536000" in ProductionConfig.STRICT_TRANSPORT_SECURITY
    assert response.headers["Content-Security-Policy"] == Config.CONTENT_SECURITY_POLICY


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_names_no_version_and_sends_the_headers(tmp_path):
    port = _free_port()
    env = {**os.environ, "COUNTERSIGN_ENV": "production", "SECRET_KEY": "y" * 40, "REDIS_URL": "",
           "COUNTERSIGN_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
                              cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    headers = response.headers
                    break
            except OSError as refused:
                if server.poll() is not None or time.monotonic() > deadline:
                    failed = server.stderr.read().decode() if server.poll() is not None else "no answer"
                    raise AssertionError(failed) from refused
                time.sleep(0.2)
        assert headers.get_all("Server") == ["gunicorn"]  # one, and no version in it
        assert not re.search(r"\d", headers["Server"])
        assert headers["Strict-Transport-Security"] == ProductionConfig.STRICT_TRANSPORT_SECURITY
        assert headers["Content-Security-Policy"] == Config.CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
