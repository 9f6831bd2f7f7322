"""The yardstick for bench/http.py: a bare Flask endpoint answering 50 items of JSON from memory,
served by the same gunicorn, so each Countersign figure can be read as a share of it."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)
ITEMS = [{"id": n, "title": f"Item {n}", "state": "active", "percent": n * 2.0} for n in range(50)]


@app.get("/items")
def items():  # type: ignore[no-untyped-def]
    return jsonify({"items": ITEMS, "next": None})
