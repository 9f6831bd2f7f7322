"""What the logs say, and what they never say.

Secrets in URLs stay out of them. A calendar feed's URL *is* its credential (calendar clients
cannot sign in), and so is an email's link to its preferences (it changes them without signing in)
and a sales sheet's ``?token=`` (an intranet link, which cannot send a header), and a password-reset
link is one while it lasts, so every log line
that could carry a request's path goes through :func:`redact`: the development server's request
log, the application's own error log, and gunicorn's access log (``gunicorn.conf.py`` names
:class:`GunicornLogger`).

Their format is ``LOG_FORMAT``: ``text``, a line per record, or ``json``, one object per line for a
log shipper (:class:`JsonFormatter`): ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
``request_id`` (the request's, or the request's that enqueued the job being run:
:mod:`app.ops.requestid`), ``exception`` (the traceback) and any ``extra=`` fields, redacted too;
gunicorn's access log then writes an object per request (method, path, status, duration, bytes,
request id, client address).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from flask import Flask
from flask.logging import default_handler

from app.ops import requestid

#: A calendar token in a feed URL: /calendars/v1/<token>.ics, in any format version and however
#: the path is spelled (repeated slashes, any case): everything up to ``.ics`` or the path's end.
_FEED_TOKEN = r"(/+calendars/+v\d+/+)[^/\s?#\"']+?(?=(?:\.ics)?(?:[/\s?#\"']|$))"
#: The signed token of an email's preferences link: /email/preferences/<token>.
_EMAIL_TOKEN = r"(/+email/+preferences/+)[^/\s?#\"']+"
#: A publishing token in a query string: a sales sheet linked from an intranet page (?token=…).
_QUERY_TOKEN = r"([?&]token=)[^&\s#\"']+"
#: A password-reset link's token: /password/reset/<token> (single use and short-lived, but a log outlives it).
_RESET_TOKEN = r"(/+password/+reset/+)[^/\s?#\"']+"
_SECRET_PATH = re.compile(f"{_FEED_TOKEN}|{_EMAIL_TOKEN}|{_QUERY_TOKEN}|{_RESET_TOKEN}", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every calendar, email-preferences, password-reset and ``?token=`` token replaced by
    ``[redacted]``.

    A request line is logged as sent, percent-escapes and all, while the router reads the decoded
    path: "/calendars%2Fv1/<token>.ics" opens the feed. So a line that names a feed once decoded
    is redacted decoded.
    """
    if "%" in text:
        decoded = unquote(text)
        if _SECRET_PATH.search(decoded):
            text = decoded
    return _SECRET_PATH.sub(lambda found: f"{next(g for g in found.groups() if g)}[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


#: The attributes every LogRecord has; any other one came from ``extra=`` and is written out.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
#: The worker's and the scheduler's lines in the text format.
TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Names the request (or the job's request) on each record it passes, as ``record.request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = requestid.current()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if (request_id := getattr(record, "request_id", None)) is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def _json(log_format: str) -> bool:
    if log_format not in {"text", "json"}:
        raise RuntimeError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return log_format == "json"


def console_handler(app: Flask) -> logging.Handler:
    """A handler on stderr in the configured format, naming the request id: the worker's and the scheduler's."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if _json(app.config["LOG_FORMAT"]) else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def init_app(app: Flask) -> None:
    """Filter the loggers that name request paths: werkzeug's request log and the app's own; name the
    request id on what Flask's handler writes (every app logger's records in a web process), in JSON
    when ``LOG_FORMAT`` says so."""
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
    if _json(app.config["LOG_FORMAT"]):
        default_handler.setFormatter(JsonFormatter())


try:  # gunicorn is a production dependency, but the app must import without it (e.g. in tools)
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """Gunicorn's logger, with the request line, path, query and referrer of the access log redacted;
    with ``LOG_FORMAT=json`` (read from the environment: gunicorn starts before any app), its error log
    and access log write JSON objects, the access log one per request with its fields."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if _json(os.environ.get("LOG_FORMAT", "text").lower()):
            for logger in (self.error_log, self.access_log):
                for handler in logger.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not _json(os.environ.get("LOG_FORMAT", "text").lower()):
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {"method": atoms.get("m"), "path": atoms.get("U"), "query": atoms.get("q"),
                  "status": atoms.get("s"), "duration_ms": round(request_time.total_seconds() * 1000, 1),
                  "bytes": atoms.get("B"), "remote_addr": atoms.get("h"),
                  "request_id": requestid.sane(_response_header(resp, requestid.HEADER)),
                  "user_agent": atoms.get("a")}
        self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        for key in ("{raw_uri}e", "{path_info}e", "{request_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


def _response_header(resp: Any, name: str) -> str | None:
    for key, value in getattr(resp, "headers", None) or ():
        if key.lower() == name.lower():
            return str(value)
    return None
