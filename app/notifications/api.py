"""The inbox and each person's notification settings in the JSON API."""

from __future__ import annotations

from typing import TypedDict

from flask import Response, abort, jsonify, request
from flask_login import current_user

from app.api import api_blueprint, json_body, page_json, timestamp, validated
from app.api.openapi import Body, operation
from app.api.schemas import FlagArg, Timestamp
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit, saving
from app.extensions import db
from app.notifications import services
from app.notifications.access import member_campaign_or_404
from app.notifications.forms import BOOLEAN_FIELDS, NotificationPreferencesForm, preference_data
from app.notifications.models import Notification, NotificationPreference
from workflows import reminders

bp = api_blueprint("notifications", __name__)


class NotificationJson(TypedDict):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: Timestamp
    read_at: Timestamp | None


class Unread(TypedDict):
    unread: int  # the whole inbox's unread count, whatever the page


class MarkedReadJson(Unread):
    marked_read: int


class PreferencesJson(TypedDict):
    time_zone: str
    reminder_hour: int
    quiet_start: int
    quiet_end: int
    lead_days: list[int]
    on_the_day: bool
    overdue_every: int
    reminders_email: bool
    reminders_in_app: bool
    updates_email: bool
    updates_in_app: bool
    email_digest: bool
    muted_project_ids: list[int]


class LeadDays(TypedDict, total=False):
    lead_days: list[int] | str  # [7, 1], or as the settings page writes it: "7, 1"


class MuteJson(TypedDict):
    project_id: int
    muted: bool


class MuteBody(TypedDict):
    muted: bool


class InboxFilter(TypedDict, total=False):
    unread: FlagArg  # unread only


def notification_json(note: Notification) -> NotificationJson:
    return {
        "id": note.id, "kind": note.kind, "subject": note.subject, "body": note.body, "link": note.link,
        "created_at": timestamp(note.created_at),
        "read_at": timestamp(note.read_at),
    }


@bp.get("/notifications")
@operation(NotificationJson, paged=True, page_extra=Unread, query=InboxFilter)
def list_notifications() -> Response:
    """Your inbox: unread first, then newest, with the unread count; ``?unread=1`` for unread only."""
    unread_only = request.args.get("unread") in {"1", "true", "yes"}
    page = services.inbox(current_user, page_request(), unread_only=unread_only)
    return page_json(page, notification_json, unread=services.unread_count(current_user))


@bp.post("/notifications/<int:notification_id>/read")
@operation(NotificationJson, body=Body())
def mark_read(notification_id: int) -> Response:
    """Mark one notification read."""
    note = services.own_notification(current_user, notification_id)
    if note is None:
        abort(404)
    services.mark_read(current_user, note.id)
    commit()
    db.session.refresh(note)
    return jsonify(notification_json(note))


@bp.post("/notifications/read")
@operation(MarkedReadJson, body=Body())
def mark_all_read() -> Response:
    """Mark your whole inbox read."""
    count = services.mark_read(current_user)
    commit()
    body: MarkedReadJson = {"marked_read": count, "unread": 0}
    return jsonify(body)


# --- settings ---------------------------------------------------------------------------------

def preferences_json(prefs: NotificationPreference, muted: set[int]) -> PreferencesJson:
    return {**preference_data(prefs), "lead_days": list(reminders.parse_lead_days(prefs.lead_days)),  # type: ignore[typeddict-item]
            "muted_project_ids": sorted(muted)}


@bp.get("/notification-preferences")
@operation(PreferencesJson)
def get_preferences() -> Response:
    """Your notification settings and the campaigns you muted."""
    prefs = services.preferences_of(current_user.id)
    return jsonify(preferences_json(prefs, services.muted_projects(current_user.id)))


@bp.put("/notification-preferences")
@operation(PreferencesJson, body=Body(NotificationPreferencesForm, extra=LeadDays, partial=True, closed=True),
           errors=(409,))
def put_preferences() -> Response:
    """Change your notification settings: any subset of them, named as on the settings page; the others keep their values."""
    payload = json_body()
    fields = set(services.PREFERENCE_FIELDS)
    errors: dict[str, list[str]] = {name: ["Unknown setting."] for name in sorted(set(payload) - fields)}
    for name in BOOLEAN_FIELDS & set(payload):
        if not isinstance(payload[name], bool):
            errors[name] = ["Expected true or false."]
    lead = payload.get("lead_days")
    if isinstance(lead, list):
        if all(isinstance(d, int) and not isinstance(d, bool) for d in lead):
            payload = {**payload, "lead_days": reminders.lead_text(lead)}
        else:
            errors["lead_days"] = ["Expected a list of whole numbers of days, e.g. [7, 1]."]
    if errors:
        raise InvalidInput("Some fields are invalid.", errors)
    current = preference_data(services.preferences_of(current_user.id))
    form = validated(NotificationPreferencesForm, {**current, **payload})
    with saving("notification settings"):
        prefs = services.save_preferences(current_user, **form.values())
    return jsonify(preferences_json(prefs, services.muted_projects(current_user.id)))


@bp.put("/projects/<int:project_id>/mute")
@operation(MuteJson, body=Body(extra=MuteBody), errors=(409,))
def put_mute(project_id: int) -> Response:
    """``{"muted": true}``: no reminders or updates from one of your campaigns; false undoes it."""
    project = member_campaign_or_404(current_user, project_id)
    muted = json_body().get("muted")
    if not isinstance(muted, bool):
        raise InvalidInput("Say whether to mute.", {"muted": ["Required: true or false."]})
    with saving("notification settings"):
        services.set_muted(current_user, project.id, muted)
    body: MuteJson = {"project_id": project.id, "muted": services.is_muted(current_user.id, project.id)}
    return jsonify(body)
