"""A live Countersign for a real browser: a second app on the test database, in a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db


@contextmanager
def serving(app: Flask, **config: Any) -> Iterator[str]:
    """Serve a second app, on the test database but with real CSRF (and ``config``); yield its URL.

    Its absolute links (emails, calendar feeds) point at itself, as ``scripts/run`` sets them up.
    """
    served = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True, "TESTING": True,
        **config,
    })
    server = make_server("127.0.0.1", 0, served, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    if "BASE_URL" not in config:
        served.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="countersign-live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with served.app_context():
            db.engine.dispose()
        connection = served.extensions.pop("countersign.redis", None)
        if connection is not None:
            connection.close()
