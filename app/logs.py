"""Keep secrets in URLs out of the logs.

A calendar feed's URL *is* its credential (calendar clients cannot sign in), and so is an email's
link to its preferences (it changes them without signing in) and a sales sheet's ``?token=`` (an
intranet link, which cannot send a header), so every log line
that could carry a request's path goes through :func:`redact`: the development server's request
log, the application's own error log, and gunicorn's access log (``gunicorn.conf.py`` names
:class:`GunicornLogger`).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

from flask import Flask

#: A calendar token in a feed URL: /calendars/v1/<token>.ics, in any format version and however
#: the path is spelled (repeated slashes, any case): everything up to ``.ics`` or the path's end.
_FEED_TOKEN = r"(/+calendars/+v\d+/+)[^/\s?#\"']+?(?=(?:\.ics)?(?:[/\s?#\"']|$))"
#: The signed token of an email's preferences link: /email/preferences/<token>.
_EMAIL_TOKEN = r"(/+email/+preferences/+)[^/\s?#\"']+"
#: A publishing token in a query string: a sales sheet linked from an intranet page (?token=…).
_QUERY_TOKEN = r"([?&]token=)[^&\s#\"']+"
_SECRET_PATH = re.compile(f"{_FEED_TOKEN}|{_EMAIL_TOKEN}|{_QUERY_TOKEN}", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every calendar, email-preferences and ``?token=`` token replaced by ``[redacted]``.

    A request line is logged as sent, percent-escapes and all, while the router reads the decoded
    path: "/calendars%2Fv1/<token>.ics" opens the feed. So a line that names a feed once decoded
    is redacted decoded.
    """
    if "%" in text:
        decoded = unquote(text)
        if _SECRET_PATH.search(decoded):
            text = decoded
    return _SECRET_PATH.sub(lambda found: f"{found.group(1) or found.group(2) or found.group(3)}[redacted]", text)


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


def init_app(app: Flask) -> None:
    """Filter the loggers that name request paths: werkzeug's request log and the app's own."""
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


try:  # gunicorn is a production dependency, but the app must import without it (e.g. in tools)
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """Gunicorn's logger, with the request line, path, query and referrer of the access log redacted."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        for key in ("{raw_uri}e", "{path_info}e", "{request_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
