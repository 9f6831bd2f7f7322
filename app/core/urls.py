"""Links: absolute ones for what is read outside a request's page (emails, calendar feeds), and
the one check of where a ``next`` value may send a browser.

A ``next`` value (after sign-in, after a button on a list) is followed only when the browser would
read it as a path on this site. The browser reads a URL after normalising it (the WHATWG URL
parser): it drops C0 controls and spaces at either end and tabs and newlines anywhere, and reads
a backslash as a slash. So ``/\\t/evil.example`` is ``//evil.example`` to it, another site; so is
``/\\evil.example``. :func:`local_path` normalises the same way before it judges, refuses what
would turn into another site once decoded again (``/%2F/evil.example``, ``/%5Cevil.example``,
``/%2509/evil.example``), and returns the normalised path: what is judged is what is sent.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from flask import current_app, url_for


def base_url() -> str:
    """Where people reach Countersign (``COUNTERSIGN_BASE_URL``), without a trailing slash."""
    return (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def absolute(path: str) -> str:
    """``path`` inside Countersign as a full URL; anything that is not a path becomes the home page."""
    return base_url() + (path if path.startswith("/") else "/")


# --- where a "next" value may lead ---------------------------------------------------------------

#: What the browser strips from either end of a URL: the C0 controls and space.
_EDGES = "".join(map(chr, range(0x21)))
#: What it removes anywhere in a URL: ASCII tab and newline.
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
#: How many times a value is percent-decoded again in search of another site; more layers are refused.
_DECODINGS = 3
#: Characters no path of ours holds: controls, invisible formatting, line and paragraph separators.
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_DOT_SEGMENT = re.compile(r"(?:^|/)\.{1,2}(?:/|$)")


def local_path(target: str | None) -> str | None:
    """``target`` normalised as the browser reads it, if that is a path on this site; otherwise None."""
    if not target:
        return None
    path = _as_browser_reads(target)
    if not _is_plain_path(path):
        return None
    layer = path
    for _ in range(_DECODINGS):
        decoded = unquote(layer)
        if decoded == layer:
            return path
        if not _is_plain_path(_as_browser_reads(decoded)):
            return None  # a proxy, a later redirect or a careless reader would decode it into elsewhere
        layer = decoded
    return None


def redirect_target(target: str | None, fallback: str | None = None) -> str:
    """Where to send the browser for a ``next`` value: that path if it is local, else ``fallback`` (the dashboard)."""
    return local_path(target) or fallback or url_for("dashboard.index")


def _as_browser_reads(value: str) -> str:
    return value.strip(_EDGES).translate(_TAB_OR_NEWLINE)


def _is_plain_path(path: str) -> bool:
    """A path from this site's root: one leading slash, no backslash, nothing unseen, no ``.``/``..`` segment.

    A backslash is a slash to the browser ("/\\host" is "//host"); none of our paths holds one, nor a
    dot segment (which the browser resolves before it asks, so "/a/..//host" asks for "//host").
    """
    route = path.split("?", 1)[0].split("#", 1)[0]
    return (
        path.startswith("/") and not path.startswith("//") and "\\" not in path
        and not _DOT_SEGMENT.search(route)
        and not any(unicodedata.category(char) in _UNSEEN for char in path)
    )
