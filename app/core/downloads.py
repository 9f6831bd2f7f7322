"""Files a page hands to the browser to save: a CSV export, a picture of the timeline."""

from __future__ import annotations

import re
import unicodedata

from werkzeug.wrappers import Response


def file_name(title: str, fallback: str) -> str:
    """A file name from a record's title: plain ASCII letters, digits and dashes (``fallback`` if none is left).

    It goes into a ``Content-Disposition`` header, so nothing a person typed may reach it unfiltered.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-") or fallback


def download(body: str, name: str, mimetype: str = "text/csv") -> Response:
    """``body`` as a file the browser saves as ``name`` (already a safe file name: :func:`file_name`)."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
