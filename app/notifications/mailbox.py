"""The development mailbox: the .eml files the "file" mail transport writes, read back for the
admin page on background work (which shows it through :mod:`app.background.registry`)."""

from __future__ import annotations

import email.policy
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path

from flask import current_app

from app.notifications import mail

#: The mailbox page lists at most this many messages, the newest.
MAILBOX_LIMIT = 200
#: Headers shown first on a message, in this order; the rest follow under "All headers".
MAIN_HEADERS = ("From", "To", "Subject", "Date")


@dataclass(frozen=True)
class MailboxEntry:
    name: str
    saved_at: datetime
    to: str
    subject: str
    size: int


@dataclass
class Mailbox:
    """The development mailbox, or (``transport`` other than "file") why there is none to show."""

    transport: str
    folder: Path
    server: str = ""
    entries: list[MailboxEntry] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class MailboxMessage:
    entry: MailboxEntry
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None


def mailbox(limit: int = MAILBOX_LIMIT) -> Mailbox:
    """The .eml files in ``mailbox_dir()``, newest first; nothing unless the transport is "file"."""
    config = current_app.config
    box = Mailbox(transport=mail.transport(), folder=mail.mailbox_dir(),
                  server=f"{config.get('MAIL_SERVER') or '(MAIL_SERVER unset)'}:{config.get('MAIL_PORT')}")
    if box.transport != "file":
        return box
    files = _mailbox_files(box.folder)
    box.total = len(files)
    newest = sorted(files.items(), key=lambda item: (item[1][1], item[0]), reverse=True)[:limit]
    box.entries = [_entry(path, size, mtime) for _, (path, mtime, size) in newest]
    return box


def mailbox_message(name: str) -> MailboxMessage | None:
    """One message of the mailbox by its file name; None unless that name is in the listing."""
    if mail.transport() != "file":
        return None
    found = _mailbox_files(mail.mailbox_dir()).get(name)
    if found is None:
        return None
    path, mtime, size = found
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    except OSError:
        return None
    headers = [(key, _header_text(message, key)) for key in dict.fromkeys(message.keys())]
    return MailboxMessage(
        entry=_entry_of(name, message, size, mtime), headers=headers,
        text=_part_text(message, "plain"), html=_part_text(message, "html"),
    )


def _mailbox_files(folder: Path) -> dict[str, tuple[Path, float, int]]:
    """Every regular .eml file right in ``folder`` (no links, no sub-folders): name → (path, mtime, size)."""
    files: dict[str, tuple[Path, float, int]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".eml") and entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files[entry.name] = (Path(entry.path), stat.st_mtime, stat.st_size)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return files


def _entry(path: Path, size: int, mtime: float) -> MailboxEntry:
    try:
        with path.open("rb") as handle:
            headers = BytesParser(policy=email.policy.default).parse(handle, headersonly=True)
    except OSError:
        headers = EmailMessage()
    return _entry_of(path.name, headers, size, mtime)


def _entry_of(name: str, message: Message, size: int, mtime: float) -> MailboxEntry:
    saved_at = datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None)
    return MailboxEntry(name, saved_at, _header_text(message, "To"), _header_text(message, "Subject"), size)


def _header_text(message: Message, name: str) -> str:
    """A header as text, however it was written (a malformed header comes back as it stands)."""
    try:
        values = message.get_all(name) or []
        return ", ".join(str(value) for value in values)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""


def _part_text(message: Message, subtype: str) -> str | None:
    """The message's text/plain or text/html part, decoded; None when it has none."""
    part = message.get_body(preferencelist=(subtype,)) if isinstance(message, EmailMessage) else None
    if part is None or part.get_content_subtype() != subtype:
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
