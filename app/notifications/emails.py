"""Building the emails: one notification, or one person's daily digest, in text and HTML.

Every email links back to its record and carries a one-click way to stop that category of
email (``List-Unsubscribe`` with ``List-Unsubscribe-Post``, RFC 8058) and a link to the
person's full settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from app.accounts import resets
from app.accounts.models import User
from app.core import clock
from app.core.tokens import serializer_keys
from app.core.urls import absolute
from app.core.zones import reading_in
from app.notifications.models import CATEGORIES, Notification
from app.notifications.services import category_of, preferences_of

_SALT = "countersign-email-preferences"


def preferences_token(user_id: int, category: str) -> str:
    """A signed token for one person's email settings of one category (it carries no expiry:
    an unsubscribe link must work as long as the email exists, and so with a key in SECRET_KEY_FALLBACKS)."""
    return URLSafeSerializer(serializer_keys(), salt=_SALT).dumps([user_id, category])


def read_preferences_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, category = URLSafeSerializer(serializer_keys(), salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or category not in CATEGORIES:
        return None
    return user_id, category


def notification_email(note: Notification) -> EmailMessage:
    if note.kind == resets.EMAIL_KIND:
        return password_reset_email(note)
    category = category_of(note.kind)
    context = _context(note.user, category)
    message = _message(
        note.user, note.subject, "notification", context, note=note, link=absolute(note.link or "/inbox/"),
        message_id=f"notification-{note.id}",
    )
    if note.calendar and note.calendar_method:
        _attach_invitation(message, note.calendar, note.calendar_method)
    return message


def _attach_invitation(message: EmailMessage, calendar: str, method: str) -> None:
    """The iTIP invitation twice, as calendar clients look for it: a ``text/calendar; method=...``
    alternative beside the text and HTML (Outlook, Apple Mail), and an ``invite.ics`` attachment (Gmail).
    ``calendar`` is stored with plain line ends: iCalendar's are CRLF (RFC 5545 §3.1)."""
    calendar = calendar.replace("\r\n", "\n").replace("\n", "\r\n")
    message.add_alternative(calendar, subtype="calendar", params={"method": method}, cte="quoted-printable")
    message.add_attachment(calendar.encode(), maintype="application", subtype="ics",
                           filename="cancel.ics" if method == "CANCEL" else "invite.ics")


def digest_email(user: User, notes: Sequence[Notification]) -> EmailMessage:
    reminders = [n for n in notes if category_of(n.kind) == "reminders"]
    updates = [n for n in notes if category_of(n.kind) != "reminders"]
    count = len(notes)
    subject = f"Your Countersign digest: {count} notification{'s' if count != 1 else ''}"
    context = _context(user, "reminders" if reminders and not updates else "updates")
    return _message(
        user, subject, "digest", context, reminders=reminders, updates=updates,
        links={n.id: absolute(n.link or "/inbox/") for n in notes}, message_id=f"digest-{notes[0].id}",
    )


def password_reset_email(note: Notification) -> EmailMessage:
    """The "forgot your password?" email: its link, or, if the link ended before the email left
    (used, or the password changed meanwhile), where to ask for a new one. No unsubscribe: it is
    sent only because someone asked for it."""
    link = resets.link_for_email(note.id)
    values = {"link": absolute(link) if link else None, "forgot_url": absolute("/password/forgot"),
              "minutes": current_app.config["PASSWORD_RESET_MINUTES"], "login_url": absolute("/login")}
    return _message(note.user, note.subject, "password_reset", {}, message_id=f"password-reset-{note.id}", **values)


def _context(user: User, category: str) -> dict[str, str]:
    token = preferences_token(user.id, category)
    return {
        "category": category,
        "category_label": CATEGORIES[category].lower(),
        "unsubscribe_url": absolute(f"/email/preferences/{token}"),
        "settings_url": absolute("/settings/notifications"),
        "inbox_url": absolute("/inbox/"),
    }


def _message(user: User, subject: str, template: str, context: dict[str, str], message_id: str,
             **values: object) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = formataddr((user.name, user.email))
    message["Date"] = format_datetime(clock.now().replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(idstring=message_id, domain="countersign")
    message["X-Countersign-Id"] = message_id
    if "unsubscribe_url" in context:
        message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    values = {**values, **context, "user": user, "subject": subject}
    # Times in an email are the recipient's wall clock, with the zone named (a mail client shows
    # no page footer that would name it).
    with reading_in(preferences_of(user.id).time_zone):
        message.set_content(render_template(f"email/{template}.txt", **values))
        message.add_alternative(render_template(f"email/{template}.html", **values), subtype="html")
    # Folding at 78 columns would turn the long unsubscribe URL into an encoded word that mail
    # clients cannot follow; headers may run to 998 (RFC 5322). The parts keep their 78.
    message.policy = message.policy.clone(max_line_length=998)
    return message
