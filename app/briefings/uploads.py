"""Briefing decks on disk: what may be uploaded (checked by content and by name), and storing it safely.

A deck is accepted only when its extension and its content agree on one of the allowed kinds.
Nothing is written until it passed every check; it is then copied (hashing it on the way) to a
temporary file beside its final place and renamed into place, so a reader never sees half a
file. Files follow the transaction of their row (:mod:`app.core.transactions`): one written in
a transaction that does not commit is removed, and one whose material is removed is deleted
only once that commit succeeds.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

import sqlalchemy.orm as so
from flask import current_app
from werkzeug.datastructures import FileStorage

from app.core import transactions
from app.core.errors import InvalidInput

FIELD = "material"

#: The kinds of deck accepted: extension -> (content type, how the messages name it).
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "a PDF"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "a PowerPoint deck"),
    "ppt": ("application/vnd.ms-powerpoint", "a PowerPoint 97–2003 deck"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "an OpenDocument presentation"),
    "key": ("application/vnd.apple.keynote", "a Keynote deck"),
}
ACCEPT = ",".join(f".{ext}" for ext in KINDS)  # for the file input's accept attribute
ALLOWED_TEXT = "Upload a PDF or a PowerPoint/Keynote/OpenDocument deck"

_CHUNK = 1024 * 1024
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP = b"PK\x03\x04"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.text": "an OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet",
}
# What a refused file is, by its first bytes, so the message can say it.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)


@dataclass(frozen=True)
class StoredFile:
    filename: str  # as uploaded, cleaned: the download's name
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str


def upload_dir() -> Path:
    """Where decks live: UPLOAD_DIR (default instance/uploads)/briefings, outside the web root."""
    root = current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads"
    return Path(root) / "briefings"


def path_of(stored_name: str) -> Path:
    """The file of a stored deck; only names this module made resolve (never a path from outside)."""
    if not _STORED_NAME.match(stored_name):
        raise ValueError(f"not a stored deck name: {stored_name!r}")
    return upload_dir() / stored_name


def size_text(size: int) -> str:
    """25.3 MB, 20 MB, 512 KB, 80 bytes: as the messages write sizes (1 MB = 1024 × 1024 bytes)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{size} byte{'s' if size != 1 else ''}"


def clean_filename(name: str) -> str:
    """The uploaded name without folders, control characters or characters file systems refuse."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*')
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 200:
        name = stem[: 199 - len(ext)] + "." + ext
    return name[:200]


def extension(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def check(upload: FileStorage, max_bytes: int) -> tuple[str, str, int]:
    """(cleaned filename, kind, size) of an acceptable deck, or InvalidInput naming ``material``."""
    filename = clean_filename(upload.filename or "")
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if not filename:
        _refuse("Choose the deck to upload.")
    if size == 0:
        _refuse(f"“{filename}” is empty: choose the deck itself.")
    if size > max_bytes:
        _refuse(f"The deck is {size_text(size)}; the limit is {size_text(max_bytes)}.")
    found = sniff(stream)
    ext = extension(filename)
    if found not in KINDS:
        _refuse(f"{ALLOWED_TEXT} (this file is {found}).")
    if ext != found:
        if ext in KINDS:
            _refuse(f"“{filename}” is named as {KINDS[ext][1]} but is {KINDS[found][1]}: "
                    f"rename it to .{found} or choose the right file.")
        _refuse(f"“{filename}” is {KINDS[found][1]}: name it with the .{found} extension and upload it again.")
    return filename, found, size


def sniff(stream: IO[bytes]) -> str:
    """The allowed kind the content is (a key of KINDS), or what else it is ("a PNG image")."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_ZIP):
        return _sniff_zip(stream)
    if head.startswith(_OLE2):
        return "ppt" if _contains(stream, "PowerPoint Document".encode("utf-16-le")) else "a legacy Word or Excel file"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    if head[:4] == b"RIFF":
        return "a media file"
    stream.seek(0)
    sample = stream.read(4096)
    stream.seek(0)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # a character cut by the sample's end is still text
            return "of a type that is not allowed"
    return "a text file" if b"\x00" not in sample else "of a type that is not allowed"


def _sniff_zip(stream: IO[bytes]) -> str:
    """Office Open XML, OpenDocument and Keynote decks are ZIP files: read the directory and ``mimetype``.

    Nothing is extracted. The directory's declared sizes are checked first (an archive that
    would unpack absurdly is refused, whatever it claims to be), and only the first bytes of
    ``mimetype`` are ever decompressed: a hostile archive may lie about its sizes, so the
    reading itself is bounded, not the declaration trusted.
    """
    packed = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            _refuse_absurd(infos, packed)
            names = {info.filename for info in infos}
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "mimetype" in names:
                mimetype = _peek(archive, archive.getinfo("mimetype")).decode("ascii", "replace").strip()
                if mimetype in _ODF_TYPES:
                    return _ODF_TYPES[mimetype]
            if names & {"Index/Document.iwa", "index.apxl", "Index.zip"}:
                return "key"
            if "word/document.xml" in names:
                return "a Word document"
            if "xl/workbook.xml" in names:
                return "an Excel workbook"
            return "a ZIP archive"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError,
            EOFError, zlib.error):
        return "a damaged ZIP archive"
    finally:
        stream.seek(0)


#: At most this much of any member is ever decompressed (an ODF ``mimetype`` is about 50 bytes).
PEEK_BYTES = 1024
#: No deck unpacks to more than this in all, nor any member of over a megabyte to this many times its
#: packed size (XML packs 5 to 20 times, images and video not at all; zeros pack a thousandfold).
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
_RATIO_FROM = 1024 * 1024


def _peek(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The first bytes of a member, decompressing no more than a few KB whatever its header says.

    Only stored and deflated members are read: decks use nothing else, and zipfile decompresses
    bzip2 and LZMA a whole input block at a time (unbounded output), where deflate stops at the
    size asked (ZipExtFile.read(n) decompresses at most max(n, 4 KB) per step).
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return b""
    with archive.open(info) as member:
        return member.read(PEEK_BYTES)


def _refuse_absurd(infos: list[zipfile.ZipInfo], packed: int) -> None:
    """Refuse an archive whose directory declares more than any deck unpacks to (a "zip bomb")."""
    unpacked = sum(info.file_size for info in infos)
    bomb = next((info for info in infos
                 if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1)), None)
    if unpacked > MAX_UNPACKED_BYTES or bomb is not None:
        _refuse(f"This file is {size_text(packed)} but would unpack to {size_text(unpacked)}, far more than any deck "
                "does, so it was not stored. Save the deck again from its application and upload that.")


def _contains(stream: IO[bytes], needle: bytes) -> bool:
    """Whether ``needle`` occurs anywhere in the stream, read in chunks."""
    stream.seek(0)
    tail = b""
    try:
        while chunk := stream.read(_CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
        return False
    finally:
        stream.seek(0)


def store(session: so.Session, upload: FileStorage, max_bytes: int) -> StoredFile:
    """Check ``upload`` and write it under a random name; the file is removed if ``session`` does not commit."""
    filename, kind, _size = check(upload, max_bytes)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    digest, size = hashlib.sha256(), 0
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            upload.stream.seek(0)
            while chunk := upload.stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        final = folder / stored_name
        os.replace(temp, final)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    transactions.after_rollback(session, functools.partial(final.unlink, missing_ok=True))
    return StoredFile(filename, stored_name, KINDS[kind][0], size, digest.hexdigest())


def delete_after_commit(session: so.Session, stored_name: str) -> None:
    """Delete a removed deck's file once the removal commits (a rollback keeps it)."""
    transactions.after_commit(session, functools.partial(path_of(stored_name).unlink, missing_ok=True))


def _refuse(message: str) -> NoReturn:
    raise InvalidInput(message, {FIELD: [message]})
