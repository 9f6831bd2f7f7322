"""Every API response a test provokes, checked against the OpenAPI document's schema for it.

tests/api/conftest.py turns this on for every test of the folder, so the whole API suite is also
the proof that the document tells the truth: a serializer that writes a key its TypedDict does
not declare, a null where the schema says a string, an undocumented success status, each fails
the test that provoked it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request, request_finished
from jsonschema import Draft202012Validator, FormatChecker

from app.api import PREFIX
from app.api.openapi import document, openapi_path


class ResponseChecker:
    """Collects what is wrong with each ``/api/v1`` response (while ``active``), by request."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.spec = document(app)
        self.problems: list[str] = []
        self.checked = 0
        self.active = False
        self._validators: dict[str, Draft202012Validator] = {}
        request_finished.connect(self._finished, app)

    def _finished(self, _sender: Flask, response: Response, **_extra: Any) -> None:
        if self.active and request.url_rule is not None and request.path.startswith(PREFIX + "/"):
            self.checked += 1
            problem = self.problem(openapi_path(request.url_rule), request.method, response)
            if problem:
                self.problems.append(f"{request.method} {request.path} → {response.status_code}: {problem}")

    def problem(self, path: str, method: str, response: Response) -> str | None:
        """What is wrong with ``response`` to ``method path``, or None."""
        operation = self.spec["paths"].get(path, {}).get(method.lower())
        if operation is None:
            return "the document has no such operation"
        answers = operation["responses"]
        status = str(response.status_code)
        if status not in answers and response.status_code < 400:
            return f"a success status the document does not list (it lists {sorted(answers)})"
        declared = self._resolve(answers.get(status) or answers["default"])
        content = declared.get("content")
        if content is None:
            return None if not response.get_data() else "a body where the document promises none"
        if not response.is_json:
            return f"not JSON: {response.content_type}"
        schema = content["application/json"]["schema"]
        errors = sorted(self._validator(schema).iter_errors(response.get_json()), key=lambda e: list(e.path))
        return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:300]}"
                         for e in errors[:5]) or None

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        ref = item.get("$ref")
        return self.spec["components"]["responses"][ref.rsplit("/", 1)[-1]] if ref else item

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        key = repr(schema)
        if key not in self._validators:
            # The schema's $refs point at #/components/...: give it the document's components as its own.
            self._validators[key] = Draft202012Validator(
                {**schema, "components": self.spec["components"]}, format_checker=FormatChecker())
        return self._validators[key]


def checker(app: Flask) -> ResponseChecker:
    found = app.extensions.get("test_response_checker")
    if found is None:
        found = app.extensions["test_response_checker"] = ResponseChecker(app)
    return found
