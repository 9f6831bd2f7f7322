"""Where a ``next`` value may send the browser (app/core/urls.py): only to a path on this site,
judged after the normalisation the browser itself applies, and for every form that carries one."""

from __future__ import annotations

import pytest

from app.core.urls import local_path, redirect_target
from app.extensions import db
from app.updates import services as updates
from app.updates.services import UpdateInput
from tests.factories import PASSWORD, UserFactory

#: Followed, as the browser will read them (the value, then what is sent in Location).
LOCAL = [
    ("/", "/"),
    ("/campaigns/3", "/campaigns/3"),
    ("/updates/?product=1#update-1", "/updates/?product=1#update-1"),
    ("/settings/notifications#campaigns", "/settings/notifications#campaigns"),
    ("/campaigns/?q=a%2Fb", "/campaigns/?q=a%2Fb"),  # an encoded slash in a query: still this site
    ("/?next=//evil.example", "/?next=//evil.example"),  # "//" in the query, not at the start
    ("/campaigns/3#//evil.example", "/campaigns/3#//evil.example"),
    ("/@evil.example", "/@evil.example"),  # a path named like a host is a path
    ("/evil.example/", "/evil.example/"),
    ("/javascript:alert(1)", "/javascript:alert(1)"),  # a scheme inside a path is a path
    ("/campaigns/é", "/campaigns/é"),
    ("/campaigns/3 x", "/campaigns/3 x"),
    ("\t/campaigns/3", "/campaigns/3"),  # the browser strips controls and spaces at either end...
    (" /campaigns/3 \r\n", "/campaigns/3"),
    ("/camp\taigns/\n3", "/campaigns/3"),  # ...and tabs and newlines anywhere
]

#: Refused: each reaches another site, runs script, or decodes into one of those.
ELSEWHERE = [
    "//evil.example", "//evil.example/", "///evil.example", "////evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example",
    "/\t/evil.example",  # ?next=/%09/evil.example, decoded: "//evil.example" to the browser
    "/\r\n/evil.example",  # ?next=/%0D%0A/evil.example, decoded
    "/\n/evil.example", " //evil.example", "\x00//evil.example", "\x1f/\x1f/evil.example",
    "/%09/evil.example", "/%0D%0A/evil.example",  # the same, encoded once more
    "/%2F/evil.example", "/%2fevil.example", "/%5Cevil.example", "/%5c%5cevil.example",
    "/%252F/evil.example", "/%25252F/evil.example", "/%2525252F/evil.example",  # layers of encoding
    "/%%32%46/evil.example",  # "%2F" once decoded, "/" twice
    "/a/..//evil.example", "/.//evil.example", "/%2e%2e//evil.example", "/a/%2E%2E/%2Fevil.example",
    "/\u2028/evil.example", "/\u200b/evil.example", "/\x7f/evil.example", "/%E2%80%A8",
    "https://evil.example/", "http:evil.example", "https:evil.example", "https:/evil.example",
    "https:\\\\evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x",
    "evil.example", "campaigns/3", "?next=/", "#top", "", "   ", "\t\r\n", None,
]


@pytest.mark.parametrize(("target", "sent"), LOCAL)
def test_a_path_on_this_site_is_followed_as_the_browser_reads_it(target, sent):
    assert local_path(target) == sent


@pytest.mark.parametrize("target", ELSEWHERE)
def test_anything_that_may_lead_elsewhere_is_refused(target):
    assert local_path(target) is None


def test_a_refused_target_falls_back_to_the_callers_page_or_the_dashboard(app):
    with app.test_request_context():
        assert redirect_target("//evil.example", "/inbox/") == "/inbox/"
        assert redirect_target("//evil.example") == "/"
        assert redirect_target("/campaigns/3", "/inbox/") == "/campaigns/3"


# --- every form that carries a "next" ---------------------------------------------------------------

@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=/%0D%0A/evil.example", "next=%2F%5Cevil.example",
                                   "next=/%2F/evil.example", "next=https:evil.example", "next=javascript:alert(1)"])
def test_signing_in_with_a_next_that_leads_elsewhere_lands_on_the_dashboard(client, query):
    UserFactory(email="sam@example.com")
    response = client.post(f"/login?{query}", data={"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in all the same


def test_signing_in_follows_a_local_next_as_the_browser_reads_it(client):
    UserFactory(email="sam@example.com")
    response = client.post("/login?next=%09/campaigns/%0A", data={"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns/"


def test_the_mute_form_never_leads_elsewhere(people, login, make_project):
    project = make_project(state="active")
    client = login(people["team"])
    for target in ("/\t/evil.example", "/\r\n/evil.example", "/%2F/evil.example"):
        away = client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "1", "next": target})
        assert away.status_code == 302 and away.headers["Location"] == "/settings/notifications#campaigns"


def test_the_acknowledge_form_never_leads_elsewhere(people, login, make_product):
    update = updates.publish_update(people["product"], UpdateInput(
        product_id=make_product().id, kind="pricing", title="New band", body="Details.", requires_ack=True))
    db.session.commit()
    client = login(people["sales"])
    for target in ("/\t/evil.example", "/\r\n/evil.example", "/%5Cevil.example"):
        away = client.post(f"/updates/{update.id}/acknowledge", data={"next": target})
        assert away.status_code == 302 and away.headers["Location"] == f"/updates/{update.id}"
