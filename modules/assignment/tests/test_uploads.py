"""Uploads: checked by extension and content, size-limited, stored outside the static folder,
served only to those allowed, as attachments that browsers must not sniff."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from modules.assignment.models import File, Submission

from .helpers import build_assignments, docx_bytes, odt_bytes, pdf_bytes

URL = "/a/assignment/asg-files"


def _post(client, files, action="submit", **extra):
    return client.post(URL, data={"action": action, "draft_version": 0, "base_version": 0, "files": files, **extra},
                       content_type="multipart/form-data")


def _stored(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "assignment"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name, data, message", [
    ("tool.exe", b"MZ\x90\x00", "“tool.exe” is not an accepted file type. Accepted: PDF, DOCX, ODT."),
    ("notes.pdf", b"just some text", "“notes.pdf” does not look like a PDF file."),
    ("plan.docx", pdf_bytes(), "“plan.docx” does not look like a DOCX file."),
    ("big.pdf", pdf_bytes() + b"x" * (110 * 1024), "“big.pdf” is larger than 0.1 MB, the limit for this task."),
    ("empty.pdf", b"", "“empty.pdf” is empty."),
])
def test_refused_file_gets_a_message_and_nothing_is_stored(app, client, world, login, name, data, message):
    build_assignments(world)
    before = _stored(app)
    login(world.trainee)
    response = _post(client, [(io.BytesIO(pdf_bytes()), "good.pdf"), (io.BytesIO(data), name)])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "Nothing was saved" in page
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
    assert db.session.scalar(select(Submission)) is None
    assert _stored(app) == before


def test_too_many_files(client, world, login):
    build_assignments(world)
    login(world.trainee)
    files = [(io.BytesIO(pdf_bytes(str(i))), f"f{i}.pdf") for i in range(6)]
    page = _post(client, files).get_data(as_text=True)
    assert "You can hand in at most 5 file(s)." in page
    assert db.session.scalar(select(func.count()).select_from(File)) == 0


def test_accepted_types_are_stored_outside_static_under_random_names(app, client, world, login):
    build_assignments(world)
    before = set(_stored(app))
    login(world.trainee)
    response = _post(client, [(io.BytesIO(pdf_bytes()), "../../etc/Portrait é.pdf"),
                              (io.BytesIO(docx_bytes()), "plan.docx"), (io.BytesIO(odt_bytes()), "plan.odt")])
    assert response.status_code == 302, response.get_data(as_text=True)
    rows = list(db.session.scalars(select(File).order_by(File.id)))
    assert [r.original_name for r in rows] == ["Portrait é.pdf", "plan.docx", "plan.odt"]
    assert all(r.version_id is not None for r in rows)
    stored = [p for p in _stored(app) if p not in before]
    assert sorted(p.name for p in stored) == sorted(r.stored_name for r in rows)
    static = Path(app.static_folder).resolve()
    assert all(not p.resolve().is_relative_to(static) and "." not in p.name for p in stored)
    assert stored[0].read_bytes() in (pdf_bytes(), docx_bytes(), odt_bytes())


def test_download_headers_and_access(client, world, login):
    build_assignments(world)
    login(world.trainee)
    _post(client, [(io.BytesIO(pdf_bytes()), "Relatório.pdf")])
    row = db.session.scalar(select(File))
    response = client.get(f"/a/assignment/file/{row.id}")
    assert response.status_code == 200 and response.data == pdf_bytes()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Relat%C3%B3rio.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    client.post("/logout")
    login(world.trainee_other)
    assert client.get(f"/a/assignment/file/{row.id}").status_code == 404
    client.post("/logout")
    login(world.facilitator)
    assert client.get(f"/a/assignment/file/{row.id}").status_code == 200


def test_pending_files_are_kept_by_save_and_can_be_removed(app, client, world, login):
    build_assignments(world)
    before = _stored(app)
    login(world.trainee)
    assert _post(client, [(io.BytesIO(pdf_bytes()), "draft.pdf")], action="save").status_code == 302
    row = db.session.scalar(select(File))
    assert row.is_pending
    page = client.get(URL).get_data(as_text=True)
    assert "Files ready to hand in" in page and "draft.pdf" in page
    # Nobody else can fetch a file that is not handed in, not even the facilitator.
    client.post("/logout")
    login(world.facilitator)
    assert client.get(f"/a/assignment/file/{row.id}").status_code == 403
    client.post("/logout")
    login(world.trainee)
    assert client.post(f"/a/assignment/file/{row.id}/remove").status_code == 302
    assert db.session.scalar(select(File)) is None and _stored(app) == before


def test_files_task_needs_a_file(client, world, login):
    build_assignments(world)
    login(world.trainee)
    page = _post(client, []).get_data(as_text=True)
    assert "Please choose at least one file to hand in." in page
    assert db.session.scalar(select(Submission)) is None


def test_feedback_files_reach_the_trainee_only_when_released(client, world, login):
    build_assignments(world)
    login(world.trainee)
    _post(client, [(io.BytesIO(pdf_bytes()), "mine.pdf")])
    submission = db.session.scalar(select(Submission))
    client.post("/logout")
    login(world.facilitator)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "See my notes.", "decision": "accept", "action": "save",
        "files": [(io.BytesIO(pdf_bytes("notes")), "notes.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    notes = db.session.scalar(select(File).where(File.feedback_id.is_not(None)))
    client.post("/logout")
    login(world.trainee)
    assert client.get(f"/a/assignment/file/{notes.id}").status_code == 404
    client.post("/logout")
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "See my notes.", "decision": "accept", "action": "release"}, content_type="multipart/form-data")
    client.post("/logout")
    login(world.trainee)
    assert "notes.pdf" in client.get(URL).get_data(as_text=True)
    assert client.get(f"/a/assignment/file/{notes.id}").status_code == 200


def test_a_request_over_the_site_limit_is_refused_and_stores_nothing(app, client, world, login, monkeypatch):
    build_assignments(world)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)  # MAX_UPLOAD_MB, made small
    before = _stored(app)
    login(world.trainee)
    response = _post(client, [(io.BytesIO(pdf_bytes() + b"x" * (80 * 1024)), "huge.pdf")])
    assert response.status_code == 413
    assert "The file is larger than the allowed size." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
    assert db.session.scalar(select(Submission)) is None and _stored(app) == before


def _bomb(kind: str, entry: str, size: int) -> bytes:
    """A small zip whose `entry` inflates to `size` bytes of zeros, written in chunks so the test
    never holds the inflated bytes."""
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "docx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
        else:
            archive.writestr("content.xml", "<office/>")
        with archive.open(entry, "w", force_zip64=True) as stream:
            if entry == "mimetype":
                stream.write(b"application/vnd.oasis.opendocument.text")
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data", [
    # The reported bomb, made smaller: a `mimetype` entry over the 20 MB an entry may inflate to.
    ("bomb.odt", _bomb("odt", "mimetype", 21 * 1024 * 1024)),
    # Under 20 MB but inflating 1000 times its compressed size.
    ("bomb.odt", _bomb("odt", "Pictures/blank.bmp", 2 * 1024 * 1024)),
    ("bomb.docx", _bomb("docx", "word/media/blank.bmp", 21 * 1024 * 1024)),
])
def test_a_zip_bomb_is_refused_with_a_message_and_nothing_is_stored(app, client, world, login, name, data):
    assert len(data) < 64 * 1024  # small on disk: the danger is what it inflates to
    build_assignments(world)
    before = _stored(app)
    login(world.trainee)
    response = _post(client, [(io.BytesIO(data), name)])
    page = response.get_data(as_text=True)
    kind = name.rpartition(".")[2].upper()
    assert response.status_code == 200 and "Nothing was saved" in page
    assert f"“{name}” unpacks to far more data than any {kind} file holds, so it was refused." in page
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
    assert _stored(app) == before


def _understated_odt() -> bytes:
    """An ODT whose headers say `mimetype` holds the 39 bytes of the media type while its
    compressed data inflates to 4 MiB: the check must not trust the declared size alone."""
    import struct
    import zipfile
    import zlib
    mimetype = b"application/vnd.oasis.opendocument.text"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype + b"\0" * (4 * 1024 * 1024))
        archive.writestr("content.xml", "<office/>")
    data = bytearray(buffer.getvalue())
    crc = zlib.crc32(mimetype)
    local = data.index(b"PK\x03\x04")  # the first entry is mimetype
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, len(mimetype))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, len(mimetype))
    return bytes(data)


def test_an_entry_whose_header_understates_its_size_is_refused(client, world, login):
    from modules.assignment import uploads
    assert uploads.content_matches("odt", odt_bytes())
    build_assignments(world)
    login(world.trainee)
    page = _post(client, [(io.BytesIO(_understated_odt()), "liar.odt")]).get_data(as_text=True)
    assert "“liar.odt” unpacks to far more data than any ODT file holds, so it was refused." in page
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
