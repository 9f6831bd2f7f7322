"""Sending one email: through SMTP when ``MAIL_SERVER`` is set, else into the development mailbox.

``MAIL_TRANSPORT`` picks explicitly: ``smtp``, ``file`` (one ``.eml`` per message in
``MAIL_DIR``, announced on the console), ``console`` (printed) or ``memory`` (kept in
``app.extensions["countersign.outbox"]``, for the tests). :func:`send` returns only once the
mail server has accepted the message, and raises when it did not.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from app.core import clock

log = logging.getLogger(__name__)


class MailError(Exception):
    """The message was not accepted; the delivery is retried later."""


def transport() -> str:
    config = current_app.config
    return config.get("MAIL_TRANSPORT") or ("smtp" if config.get("MAIL_SERVER") else "file")


def mailbox_dir() -> Path:
    return Path(current_app.config.get("MAIL_DIR") or Path(current_app.instance_path) / "mailbox")


def send(message: EmailMessage) -> None:
    how = transport()
    if how == "smtp":
        _smtp(message)
    elif how == "file":
        _file(message)
    elif how == "console":
        print(message.as_string(), flush=True)  # noqa: T201 - the console is this transport's mailbox
    elif how == "memory":
        current_app.extensions.setdefault("countersign.outbox", []).append(message)
    else:
        raise MailError(f"Unknown MAIL_TRANSPORT {how!r}")


def _smtp(message: EmailMessage) -> None:
    config = current_app.config
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    finally:
        _goodbye(smtp)
    if refused:
        raise MailError(f"Refused recipients: {', '.join(refused)}")


def _goodbye(smtp: smtplib.SMTP) -> None:
    """Say QUIT and close. Once the server has accepted the message, a failed goodbye (a
    dropped connection, an answer other than 221) must not count as a refusal: the message
    would be sent again."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        log.info("The mail server did not say goodbye properly; the message was already accepted")
    finally:
        smtp.close()


def _file(message: EmailMessage) -> None:
    folder = mailbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"{stamp}-{message['X-Countersign-Id'] or 'mail'}.eml"
    try:
        path.write_bytes(bytes(message))
    except OSError as error:
        raise MailError(f"Could not write {path}: {error}") from error
    log.info("Mail to %s: %s (saved in %s)", message["To"], message["Subject"], path)
