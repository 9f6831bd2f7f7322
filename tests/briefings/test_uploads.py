"""Decks on disk: checked by content and by name, never half-stored, served only as downloads."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from app.briefings import services, uploads
from app.briefings.models import BriefingMaterial
from app.core.errors import InvalidInput
from app.extensions import db
from app.regions.models import Region
from tests.briefings import PDF, PNG, log, odf, pptx
from tests.factories import RegionFactory

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@pytest.fixture
def upload_dir(tmp_path, configure):
    configure(UPLOAD_DIR=str(tmp_path / "uploads"))
    return tmp_path / "uploads" / "briefings"


@pytest.fixture
def briefing(people, make_product):
    return log(people["product"], RegionFactory(), [make_product()])


def _file(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def _stored(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _materials() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(BriefingMaterial))


# --- what is accepted ----------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "name", "kind"), [
    (PDF, "deck.pdf", "pdf"),
    (pptx(), "deck.PPTX", "pptx"),
    (odf(), "deck.odp", "odp"),
    (OLE2 + b"\x00" * 100 + "PowerPoint Document".encode("utf-16-le") + b"\x00" * 100, "old.ppt", "ppt"),
])
def test_decks_are_recognised_by_their_content(app, content, name, kind):
    assert uploads.check(_file(content, name), 10_000) == (name, kind, len(content))


@pytest.mark.parametrize(("content", "name", "said"), [
    (PNG, "deck.pdf", "(this file is a PNG image)"),
    (b"Just some notes\n", "notes.pdf", "(this file is a text file)"),
    (b"\xff\xd8\xff\xe0JFIF", "photo.jpg", "(this file is a JPEG image)"),
    (odf("application/vnd.oasis.opendocument.text"), "letter.odp", "(this file is an OpenDocument text)"),
    (OLE2 + b"\x00" * 200, "sheet.ppt", "(this file is a legacy Word or Excel file)"),
    (b"PK\x03\x04 not really a zip", "deck.pptx", "(this file is a damaged ZIP archive)"),
])
def test_other_kinds_of_file_are_refused_saying_what_they_are(app, content, name, said):
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(content, name), 10_000)
    message = refused.value.fields["material"][0]
    assert message == f"Upload a PDF or a PowerPoint/Keynote/OpenDocument deck {said}."


def test_a_name_that_disagrees_with_the_content_is_refused(app):
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(pptx(), "deck.pdf"), 10_000)
    assert refused.value.fields["material"] == [
        "“deck.pdf” is named as a PDF but is a PowerPoint deck: rename it to .pptx or choose the right file."]
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(PDF, "deck"), 10_000)
    assert "name it with the .pdf extension" in refused.value.message


def test_empty_and_oversized_files_are_refused_with_their_sizes(app):
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(b"", "deck.pdf"), 10_000)
    assert refused.value.fields["material"] == ["“deck.pdf” is empty: choose the deck itself."]
    big = int(25.3 * 1024 * 1024)
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(PDF + b"0" * (big - len(PDF)), "deck.pdf"), 20 * 1024 * 1024)
    assert refused.value.fields["material"] == ["The deck is 25.3 MB; the limit is 20 MB."]


# --- zip bombs: an archive is judged by its directory, and at most a few KB of it is ever unpacked ---

def zeros_archive(name: str, megabytes: int, declared: int | None = None,
                  compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP whose one member ``name`` is ``megabytes`` MB of zeros, written a megabyte at a time
    (64 MB deflate to about 64 KB); ``declared`` rewrites the size its headers claim, as a bomb may."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive, archive.open(name, "w") as member:
        for _ in range(megabytes):
            member.write(bytes(1024 * 1024))
    data = bytearray(buffer.getvalue())
    if declared is not None:
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, directory
            at = data.index(signature) + offset
            data[at:at + 4] = declared.to_bytes(4, "little")
    return bytes(data)


@pytest.fixture
def reads(monkeypatch):
    """How much each read of an archive member asked for, while the test runs."""
    sizes: list[int] = []
    real = zipfile.ZipExtFile.read

    def spy(self, n=-1):
        sizes.append(n)
        return real(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    return sizes


@pytest.mark.parametrize(("name", "filename"), [("mimetype", "bomb.odp"), ("ppt/presentation.xml", "bomb.pptx")])
def test_an_archive_that_declares_an_absurd_unpacked_size_is_refused_unread(app, reads, name, filename):
    bomb = zeros_archive(name, 64)
    assert len(bomb) < 100_000
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(bomb, filename), 1_000_000)
    assert refused.value.fields["material"] == [
        f"This file is {uploads.size_text(len(bomb))} but would unpack to 64 MB, far more than any deck does, "
        "so it was not stored. Save the deck again from its application and upload that."]
    assert reads == []  # judged by its directory alone


def test_an_archive_that_lies_about_its_sizes_is_unpacked_only_a_few_kb(app, reads):
    # The bomb: "mimetype" claims 46 bytes but inflates to 64 MB (the upload's was 512 MB).
    bomb = zeros_archive("mimetype", 64, declared=46)
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as refused:
            uploads.check(_file(bomb, "bomb.odp"), 1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "(this file is a damaged ZIP archive)" in refused.value.message
    assert reads and all(0 < n <= uploads.PEEK_BYTES for n in reads), reads
    assert peak < 1024 * 1024, peak  # reading it whole held 64 MB


def test_members_compressed_other_than_by_deflate_are_never_unpacked(app, reads):
    bzipped = zeros_archive("mimetype", 1, compression=zipfile.ZIP_BZIP2, declared=46)
    with pytest.raises(InvalidInput) as refused:
        uploads.check(_file(bzipped, "deck.odp"), 1_000_000)
    assert "(this file is a ZIP archive)" in refused.value.message and reads == []


def test_a_large_deck_that_packs_as_decks_do_is_accepted(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ppt/presentation.xml", '<?xml version="1.0"?><p:presentation/>' * 20_000)  # 760 KB, 1:100+
        archive.writestr("ppt/media/image1.png", os.urandom(3 * 1024 * 1024))  # does not pack at all
    content = buffer.getvalue()
    assert uploads.check(_file(content, "deck.pptx"), 10_000_000) == ("deck.pptx", "pptx", len(content))


@pytest.mark.parametrize(("name", "cleaned"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\me\\Q3 deck.pdf", "Q3 deck.pdf"),
    ("Präsentation\x00 \"Q3\"?.pdf", "Präsentation Q3.pdf"),
    ("..hidden.pdf", "hidden.pdf"),
    ("a" * 300 + ".pptx", "a" * 195 + ".pptx"),
])
def test_uploaded_names_are_cleaned(name, cleaned):
    assert uploads.clean_filename(name) == cleaned


def test_sizes_read_as_people_write_them():
    assert [uploads.size_text(n) for n in (1, 80, 2048, 1536, 20 * 1024 * 1024)] == [
        "1 byte", "80 bytes", "2 KB", "1.5 KB", "20 MB"]


# --- storing ---------------------------------------------------------------------------------------

def test_a_deck_is_stored_under_a_random_name_with_its_hash(people, briefing, upload_dir):
    material = services.add_material(people["product"], briefing, _file(PDF, "Q3 deck.pdf"))
    db.session.commit()

    assert material.filename == "Q3 deck.pdf" and material.content_type == "application/pdf"
    assert material.size_bytes == len(PDF) and material.sha256 == hashlib.sha256(PDF).hexdigest()
    assert material.stored_name != "Q3 deck.pdf" and material.stored_name.endswith(".pdf")
    assert _stored(upload_dir) == [material.stored_name]  # no temporary file left beside it
    assert (upload_dir / material.stored_name).read_bytes() == PDF


@pytest.mark.parametrize(("content", "name"), [(PNG, "deck.pdf"), (b"hello", "deck.txt"), (PDF * 1000, "big.pdf")])
def test_a_refused_deck_leaves_no_row_and_no_file(people, briefing, upload_dir, configure, content, name):
    configure(MAX_UPLOAD_BYTES=10_000)
    with pytest.raises(InvalidInput):
        services.add_material(people["product"], briefing, _file(content, name))
    db.session.rollback()
    assert _materials() == 0 and _stored(upload_dir) == []


def test_a_deck_whose_transaction_fails_is_removed_from_disk(people, briefing, upload_dir):
    services.add_material(people["product"], briefing, _file(PDF, "deck.pdf"))
    assert len(_stored(upload_dir)) == 1  # written, not yet committed
    db.session.rollback()  # as when the commit fails
    assert _stored(upload_dir) == [] and _materials() == 0


def test_a_deck_is_removed_from_disk_only_once_its_removal_commits(people, briefing, upload_dir):
    material = services.add_material(people["product"], briefing, _file(pptx(), "deck.pptx"))
    db.session.commit()
    stored = material.stored_name

    services.remove_material(people["product"], briefing, material)
    db.session.rollback()
    assert _stored(upload_dir) == [stored]  # the removal was undone: the file stays

    services.remove_material(people["product"], briefing, db.session.get(BriefingMaterial, material.id))
    db.session.commit()
    assert _stored(upload_dir) == [] and _materials() == 0


def test_deleting_a_briefing_deletes_its_decks(people, briefing, upload_dir):
    services.add_material(people["product"], briefing, _file(PDF, "one.pdf"))
    services.add_material(people["product"], briefing, _file(odf(), "two.odp"))
    db.session.commit()
    services.delete_briefing(people["product"], briefing)
    db.session.commit()
    assert _stored(upload_dir) == [] and _materials() == 0


def test_only_names_the_store_made_resolve_to_files(app):
    with pytest.raises(ValueError):
        uploads.path_of("../../secret.pdf")


def test_a_commit_that_fails_takes_the_written_deck_with_it(people, briefing, upload_dir):
    services.add_material(people["product"], briefing, _file(PDF, "deck.pdf"))
    db.session.add(Region(code=briefing.region.code, name="A clash"))  # the commit fails on its unique code
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert _stored(upload_dir) == [] and _materials() == 0
