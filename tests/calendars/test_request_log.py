"""No spelling of a feed URL writes its token to a log: requests sent over a real socket to the
development server, whose request log (werkzeug) records each request line as it was sent."""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.calendars import services
from app.logs import redact

#: (path with TOKEN in it, the status it gets): exact, merged-slash and percent-escaped spellings.
#: A feed path is exact: repeated slashes are not merged into a redirect (it would repeat the token).
PATHS = [
    ("/calendars/v1/TOKEN.ics", 200),
    ("/calendars/v1/TOKEN.ics?refresh=1", 200),
    ("/calendars%2Fv1/TOKEN.ics", 200),  # the router reads the decoded path: this opens the feed
    ("/calendars/v1%2FTOKEN.ics", 200),
    ("/%63alendars/%761/TOKEN.ics", 200),
    ("/calendars/v1//TOKEN.ics", 404),  # was a 308 to the feed, token and all
    ("/calendars/v1///TOKEN.ics", 404),
    ("/calendars//v1/TOKEN.ics", 404),
    ("//calendars/v1/TOKEN.ics", None),  # http.server turns a leading "//" into "/"; gunicorn does not
    ("/calendars/v1//TOKEN.ics/", 404),
    ("/calendars/V1/TOKEN.ics", 404),
]


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The test app behind the development server on a free port; yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="request-log-server", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def _pieces(token: str) -> list[str]:
    """Every 8 characters of the token in a row: none may reach a log, even with a character escaped."""
    return [token[i:i + 8] for i in range(len(token) - 7)]


@pytest.mark.parametrize(("path", "status"), PATHS)
def test_no_spelling_of_a_feed_path_logs_its_token(people, subscribe, served, caplog, path, status):
    token = subscribe(people["team"])
    with caplog.at_level(logging.INFO):
        response = _get(served, path.replace("TOKEN", token))
    assert status is None or response.status == status
    assert response.getheader("Location") is None  # no redirect repeats it either
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/[redacted]" in logged, logged  # the request line was logged, redacted
    assert not [piece for piece in _pieces(token) if piece in logged], logged


def test_a_token_with_one_character_escaped_is_not_logged(people, subscribe, served, caplog):
    token = subscribe(people["team"])
    escaped = f"%{ord(token[20]):02X}"
    with caplog.at_level(logging.INFO):
        assert _get(served, f"/calendars/v1/{token[:20]}{escaped}{token[21:]}.ics").status == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [piece for piece in _pieces(token) if piece in logged], logged


@pytest.mark.parametrize("line", [
    '"GET /calendars/v1//SECRET.ics HTTP/1.1" 308 -',
    '"GET /calendars//v1/SECRET.ics HTTP/1.1" 404 -',
    '"GET //calendars///v1///SECRET HTTP/1.1" 404 -',
    '"GET /calendars%2Fv1/SECRET.ics HTTP/1.1" 200 -',
    '"GET /calendars/v1/SECRET.ics.ics HTTP/1.1" 200 -',
    '"GET /calendars/v1/SEC.RET.ics HTTP/1.1" 200 -',
    "Location: /calendars/v1/SECRET.ics",
])
def test_redact_hides_the_token_in_every_spelling(line):
    assert "SEC" not in redact(line) and "[redacted]" in redact(line)


def test_redact_leaves_other_paths_alone():
    for text in ("/campaigns/3", "/settings/calendars?project=3", "/calendars/v1/", "100% done"):
        assert redact(text) == text
    assert services.TOKEN_LENGTH > 8  # _pieces finds a token's every run of eight
