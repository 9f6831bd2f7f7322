"""Calendar links in one's settings, the feeds calendar clients fetch, and the admins' page on both."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.calendars import cache, feeds, invites, items, services, stamps
from app.calendars.access import feed_or_404
from app.calendars.forms import KIND_HINTS, CalendarLinkForm
from app.calendars.ical import Event
from app.commitments.access import get_commitment_or_404
from app.core.forms import CsrfForm, record_id
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.url_guard import url_is_credential
from app.core.urls import base_url
from app.core.views import commit, no_store, press, save_form
from app.milestones.access import get_milestone_or_404, get_task_or_404
from app.ops import metrics
from app.projects.access import get_project_or_404, visible_project_ids

bp = Blueprint("calendars", __name__)
# The feature registers its session listeners itself, as the app registers the blueprint.
bp.record_once(lambda _state: stamps.init_app())

#: The feed URL's format version: a new format gets /calendars/v2/ and v1 links keep working.
FEED_VERSION = "v1"


def feed_url(token: str) -> str:
    return f"{base_url()}/calendars/{FEED_VERSION}/{token}.ics"


def subscribe_links(token: str, name: str) -> dict[str, str]:
    """The ways to subscribe: the https link, its webcal:// twin, and the big web calendars' "add" pages."""
    https = feed_url(token)
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?url=" + quote(https, safe="")
                   + "&name=" + quote(name, safe=""),
    }


# --- one's own links (Settings → Calendars) -------------------------------------------------------

@bp.route("/settings/calendars", methods=["GET", "POST"])
@login_required
@response_policy(referrer="no-referrer")  # it shows a new link, a secret URL, once
def settings() -> Response:
    wanted = request.args.get("project", type=record_id)  # missing or not an id: "My calendar"
    form = CalendarLinkForm(user=current_user, project_hint=wanted)
    if not form.is_submitted():
        _preselect(form, wanted)
    created = save_form(form, lambda: services.create_feed(current_user, form.data_for_service()))
    links = None
    if created is not None:
        feed, token = created
        links = subscribe_links(token, feed.name)  # shown on this page once, never stored
        form = CalendarLinkForm(user=current_user, formdata=None)
        _preselect(form, None)
    response = make_response(render_template(
        "calendars/settings.html", form=form, created=created[0] if created else None, links=links,
        page=(page := services.user_feeds(current_user, page_request())), feeds=page.items,
        # A link to a campaign one has left names it no more (its feed is empty by then).
        open_projects=visible_project_ids(current_user, (f.project_id for f in page.items)),
        enabled=services.feeds_enabled(), hints=KIND_HINTS,
        alarms=services.ALARMS,
    ))
    return no_store(response) if links else response


def _preselect(form: CalendarLinkForm, project_id: int | None) -> None:
    """A blank form: "My calendar", or the campaign calendar of ?project=ID (from a campaign's page)."""
    form.alarm_minutes.data = None
    projects = {choice.value for choice in form.project_id.choices}  # type: ignore[union-attr]
    kinds = {choice.value for choice in form.kind.choices}  # type: ignore[union-attr]
    if project_id in projects and "project" in kinds:
        form.kind.data, form.project_id.data = "project", project_id
    else:
        form.kind.data = "mine"


@bp.post("/settings/calendars/<int:feed_id>/revoke")
@login_required
def revoke(feed_id: int) -> Response:
    subscription = feed_or_404(current_user, feed_id)
    return press(lambda: services.revoke_feed(current_user, subscription),
                 "Link revoked: calendars subscribed to it get nothing more.", url_for(".settings"))


# --- the feed -------------------------------------------------------------------------------------

# merge_slashes=False: Werkzeug would answer "/calendars/v1//<token>.ics" with a redirect that
# repeats the token (in the Location header, and in logs that record it); a feed path is exact.
@bp.get(f"/calendars/{FEED_VERSION}/<token>.ics", merge_slashes=False)
@url_is_credential
@response_policy(referrer="no-referrer")
def feed(token: str) -> Response:
    """What a calendar client fetches: no session, the token is the credential; anything amiss is 404.

    HEAD is answered as GET, without the body. The body is sent gzip-coded to clients that accept it.
    """
    subscription = services.feed_for_token(token)
    if subscription is None:
        abort(404)
    current = feeds.state(subscription)  # before the body: see feeds.state
    gzipped = _accepts_gzip()
    etag = current.etag(gzipped)
    if _fresh(etag, current.last_modified):
        response = Response(status=304)
    else:
        body = cache.body(subscription.id, current.digest, lambda: feeds.build(subscription), gzipped)
        response = Response(body, mimetype="text/calendar")
        response.headers["Content-Disposition"] = 'inline; filename="countersign.ics"'
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    if services.touch(subscription):
        commit()
    response.headers["ETag"] = etag
    response.last_modified = current.last_modified
    response.vary.add("Accept-Encoding")
    # Clients may keep it but must ask again (cheaply, by ETag) each time; shared caches must not keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    metrics.feed_served(response.status_code)  # the 304 ratio: how much polling the change stamps save
    return response


def _accepts_gzip() -> bool:
    accepted = request.accept_encodings
    return max(accepted["gzip"], accepted["x-gzip"]) > 0  # x-gzip: its old name (RFC 9110 §8.4.1.3)


def _fresh(etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy is current: by ETag if it sent any (RFC 9110 §13.2.2), else by date."""
    if request.if_none_match:
        # Compared weakly (§13.1.2): a proxy that re-coded the feed may have weakened the tag.
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    return since is not None and since.replace(tzinfo=None) >= last_modified


# --- one date at a time ("Add to calendar") ------------------------------------------------------
# The same event the feeds hold (UID, SEQUENCE, wording), so importing it beside a subscription
# updates one event rather than adding a second. Anyone who may see the record may download it.

@bp.get("/campaigns/<int:project_id>/milestones/<int:milestone_id>.ics")
@login_required
def milestone_ics(project_id: int, milestone_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    return _download(items.milestone_item(get_milestone_or_404(project, milestone_id)))


@bp.get("/campaigns/<int:project_id>/tasks/<int:task_id>.ics")
@login_required
def task_ics(project_id: int, task_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    return _download(items.task_item(get_task_or_404(project, task_id)))


@bp.get("/commitments/<int:commitment_id>.ics")
@login_required
def commitment_ics(commitment_id: int) -> Response:
    return _download(items.commitment_item(get_commitment_or_404(current_user, commitment_id)))


def _download(event: Event) -> Response:
    response = Response(invites.single(event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{invites.filename(event)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the admins' page -----------------------------------------------------------------------------

@bp.get("/admin/calendars")
@login_required
def admin() -> str:
    _admins_only()
    return render_template(
        "calendars/admin.html", enabled=services.feeds_enabled(), settings=services.calendar_settings(),
        page=(page := services.all_feeds(page_request())), feeds=page.items, total=services.working_feed_count(),
        buttons=CsrfForm(),
    )


@bp.post("/admin/calendars/switch")
@login_required
def switch() -> Response:
    _admins_only()
    enable = request.form.get("enabled") == "1"
    return press(lambda: services.set_feeds_enabled(current_user, enable),
                 "Calendar feeds are on again: every link that was working works again." if enable else
                 "Calendar feeds are off: every link now gets “not found” until you turn them on.", url_for(".admin"))


@bp.post("/admin/calendars/<int:feed_id>/revoke")
@login_required
def admin_revoke(feed_id: int) -> Response:
    _admins_only()
    subscription = feed_or_404(current_user, feed_id, any_owner=True)
    return press(lambda: services.revoke_feed(current_user, subscription), "Link revoked.", url_for(".admin"))


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(404)
