"""The inbox, each person's notification settings, and the one-click email links."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.core import clock
from app.core.errors import ServiceError
from app.core.forms import CsrfForm
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.url_guard import url_is_credential
from app.core.urls import redirect_target
from app.core.views import commit, run_and_flash, save_form, saving
from app.extensions import csrf, db
from app.notifications import registry, services
from app.notifications.access import member_campaign_or_404
from app.notifications.emails import read_preferences_token
from app.notifications.forms import MuteForm, NotificationPreferencesForm, preference_data
from app.notifications.models import CATEGORIES
from workflows import reminders

bp = Blueprint("notifications", __name__, url_prefix="/inbox")
bp.before_request(login_required(lambda: None))
# Settings (/settings/notifications) and the signed links in emails (/email/preferences/<token>).
settings_bp = Blueprint("notification_settings", __name__)


# --- the inbox -------------------------------------------------------------------------------

@bp.get("/")
def index() -> str:
    return render_template(
        "notifications/index.html", page=(page := services.inbox(current_user, page_request())), notifications=page.items,
        unread=services.unread_count(current_user), form=CsrfForm(),
    )


@bp.post("/<int:notification_id>/open")
def open_(notification_id: int) -> Response:
    """Mark it read and go where it points (always a path inside Countersign)."""
    note = services.own_notification(current_user, notification_id)
    if note is None or not CsrfForm().validate_on_submit():
        abort(404)
    services.mark_read(current_user, note.id)
    commit()
    return redirect(redirect_target(note.link, url_for(".index")))


@bp.post("/<int:notification_id>/read")
def read(notification_id: int) -> Response:
    """Mark one read and stay in the inbox."""
    note = services.own_notification(current_user, notification_id)
    if note is None or not CsrfForm().validate_on_submit():
        abort(404)
    services.mark_read(current_user, note.id)
    commit()
    return redirect(url_for(".index"))


@bp.post("/read")
def read_all() -> Response:
    if CsrfForm().validate_on_submit():
        services.mark_read(current_user)
        commit()
    return redirect(url_for(".index"))


# --- the settings page -----------------------------------------------------------------------

@settings_bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    prefs = services.preferences_of(current_user.id)
    form = NotificationPreferencesForm(data=preference_data(prefs))
    saved = save_form(form, lambda: services.save_preferences(current_user, **form.values()), "notification settings")
    if saved is not None:
        flash("Notification settings saved.", "success")
        return redirect(url_for(".settings"))
    now = clock.now()
    # The campaigns one may mute and the coming reminders are projects' and reminders', which
    # notifications does not import: it asks what they registered.
    return render_template(
        "notifications/settings.html", form=form, prefs=prefs,
        local_now=reminders.local(now, prefs.reminder_prefs),
        campaigns=(page := registry.campaigns().of_member(current_user, page_request())).items, page=page,
        muted=services.muted_projects(current_user.id),
        upcoming=registry.reminders().upcoming(current_user, prefs.reminder_prefs, now),
        mute_form=MuteForm(formdata=None),
    )


@settings_bp.post("/settings/notifications/mute/<int:project_id>")
@login_required
def mute(project_id: int) -> Response:
    """Mute or unmute one of one's campaigns, then go back where the button was."""
    project = member_campaign_or_404(current_user, project_id)
    form = MuteForm()
    if not form.validate_on_submit():
        flash("That action was not understood; reload the page and try again.", "error")
    else:
        wanted = form.wants_muted
        message = (f"“{project.title}” is muted: it sends you no reminders or updates." if wanted
                   else f"“{project.title}” is unmuted: its reminders and updates reach you again.")
        run_and_flash(lambda: services.set_muted(current_user, project.id, wanted), message)
    return redirect(redirect_target(form.next.data, url_for(".settings", _anchor="campaigns")))


# --- one-click email links (no sign-in: the signed token is the key) -------------------------

def _token_or_404(token: str) -> tuple[User, str]:
    found = read_preferences_token(token)
    user = db.session.get(User, found[0]) if found is not None else None
    if found is None or user is None:
        abort(404)
    return user, found[1]


def _private(body: str, status: int = 200) -> Response:
    """A page reached by a secret link: not cached, not indexed (and, declared on its views, the link not passed on)."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _email_page(user: User, category: str, done: bool = False, error: str | None = None) -> Response:
    prefs = services.preferences_of(user.id)
    return _private(render_template(
        "notifications/email_preferences.html", person=user, category=category,
        category_label=CATEGORIES[category].lower(), prefs=prefs, emails_on=prefs.wants(category, "email"),
        done=done, error=error,
    ), 200 if error is None else 409)


@settings_bp.get("/email/preferences/<token>")
@url_is_credential
@response_policy(referrer="no-referrer")
def email_preferences(token: str) -> Response:
    return _email_page(*_token_or_404(token))


@settings_bp.post("/email/preferences/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts "List-Unsubscribe=One-Click", with no session or token
@url_is_credential
@response_policy(referrer="no-referrer")
def email_unsubscribe(token: str) -> Response:
    """Turn off one category of email for the token's person (idempotent)."""
    user, category = _token_or_404(token)
    error = None
    try:
        with saving("notification settings"):
            services.save_preferences(user, **{f"{category}_email": False})
    except ServiceError as refused:
        db.session.rollback()
        error = refused.message
    return _email_page(user, category, done=error is None, error=error)
