"""The search in the JSON API: ``GET /search?q=`` over every kind you may see, or ``&kind=`` one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypedDict

from flask import Response, request
from flask_login import current_user

from app.api import api_blueprint, page_json, timestamp
from app.api.openapi import operation
from app.api.schemas import OneOf
from app.core.errors import InvalidInput
from app.core.pagination import Page, page_request
from app.search import services
from app.search.engines import MIN_LENGTH

bp = api_blueprint("search", __name__)


class SearchArgs(TypedDict, total=False):
    """What ``GET /search`` reads: the words (required) and, optionally, one kind."""

    q: str  # every word must match, the last may be the start of a word; quotes and operators are plain text
    kind: Annotated[str, OneOf(services.KINDS)]  # default: every kind, most recently changed first


class SearchHitJson(TypedDict):
    kind: Annotated[str, OneOf(services.KINDS)]
    id: int
    title: str
    snippet: str  # the text around the first matching word ("…" where cut)
    state: str | None  # campaigns, commitments and feedback
    date: str  # when it last changed (a briefing: the day it was held)
    path: str  # the record's page


def hit_json(hit: services.Hit) -> SearchHitJson:
    when = timestamp(hit.when) if isinstance(hit.when, datetime) else hit.when.isoformat()
    return {"kind": hit.kind, "id": hit.id, "title": hit.title_text, "snippet": hit.snippet_text,
            "state": hit.state, "date": when or "", "path": hit.path}


@bp.get("/search")
@operation(SearchHitJson, paged=True, query=SearchArgs)
def search() -> Response:
    """Search what you may see: campaigns, customers, commitments, feedback and briefings."""
    kind = request.args.get("kind", "")
    if kind and kind not in services.KINDS:
        raise InvalidInput("Invalid search.", {"kind": [f"One of: {', '.join(services.KINDS)}."]})
    asked = page_request()
    results = services.search(current_user, request.args.get("q", ""), (kind,) if kind else services.KINDS, asked)
    if not results.searched:
        raise InvalidInput("Invalid search.", {"q": [f"Type at least {MIN_LENGTH} letters or digits."]})
    group = results.groups[0]
    return page_json(Page(group.hits, group.next_cursor, asked.limit), hit_json)  # type: ignore[arg-type]
