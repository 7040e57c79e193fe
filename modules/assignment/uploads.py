"""Uploaded files: checked before anything is stored, kept outside the static folder.

A file is accepted only when its extension is allowed AND its first bytes say the same thing
(a PDF starts with %PDF, a DOCX is a zip holding word/document.xml, an ODT a zip whose
`mimetype` entry names an OpenDocument text, ...). An archive is refused as a zip bomb when any
entry declares more than 20 MB, more than 100 times its compressed size, or fewer bytes than its
compressed data can hold; the one entry read (`mimetype`) is read through a bounded stream. The
bytes go to
UPLOAD_DIR/assignment/<random name>; the name the user gave is only kept in the database."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.numbers import figure
from app.transaction import after_commit, on_rollback

from . import media

MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    **media.MEDIA_MIME_TYPES,
}
MAGIC = {"pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",)}
#: Office Open XML: the part every such file must contain.
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ZIP_MAGIC = b"PK\x03\x04"
#: For feedback attachments, which are not configured per activity.
FEEDBACK_TYPES = ["pdf", "docx", "odt", "png", "jpg", "jpeg"]
FEEDBACK_MAX_MB = 10
FEEDBACK_MAX_FILES = 5


class UploadRefused(ValueError):
    """One or more files cannot be accepted; `messages` says which and why. Nothing was stored."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Upload:
    original_name: str
    data: bytes
    mime: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_name(filename: str) -> str:
    """The user's file name without any folder part, shortened; shown and used for downloads."""
    name = PurePath(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext) if dot else name[:200]
    return name or "file"


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


#: An archive entry may not inflate beyond this, nor beyond this many times its compressed size:
#: an office file is XML and pictures, and 300 MiB from a 300 KB upload is a zip bomb.
ARCHIVE_ENTRY_MAX_BYTES = 20 * 1024 * 1024
ARCHIVE_MAX_RATIO = 100
#: Small entries (a `mimetype`, a manifest) may compress well beyond the ratio without harm.
ARCHIVE_RATIO_FLOOR = 64 * 1024
#: The `mimetype` entry names a media type; nothing longer is read from it.
MIMETYPE_READ_BYTES = 256


class ArchiveBomb(ValueError):
    """An archive entry inflates far beyond any office file; it is refused unread."""


def _understates(info: zipfile.ZipInfo) -> bool:
    """Deflate never grows data by more than a few bytes per block: more compressed bytes than the
    declared size (plus slack) means the header hides what the entry really inflates to."""
    return info.compress_size > info.file_size + info.file_size // 100 + 1024


def _check_entry_sizes(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        size = info.file_size
        if size > ARCHIVE_ENTRY_MAX_BYTES or _understates(info):
            raise ArchiveBomb(info.filename)
        if size > ARCHIVE_RATIO_FLOOR and size > ARCHIVE_MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveBomb(info.filename)


def _read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of the entry, whatever its header declares: a lying header cannot
    make us inflate more."""
    with archive.open(name) as entry:
        data = entry.read(limit + 1)
    if len(data) > limit:
        raise ArchiveBomb(name)
    return data


def content_matches(kind: str, data: bytes) -> bool:
    """Whether the bytes are what the extension says. Raises ArchiveBomb for an archive with an
    entry that inflates beyond ARCHIVE_ENTRY_MAX_BYTES or ARCHIVE_MAX_RATIO."""
    if kind in MAGIC:
        return data.startswith(MAGIC[kind])
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_entry_sizes(archive)
            names = set(archive.namelist())
            if kind in OOXML_PARTS:
                return OOXML_PARTS[kind] in names and "[Content_Types].xml" in names
            if "mimetype" not in names:
                return False
            mimetype = _read_bounded(archive, "mimetype", MIMETYPE_READ_BYTES)
            return mimetype.decode("ascii", "replace").strip() == MIME_TYPES[kind]
    except ArchiveBomb:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError):
        # A damaged, encrypted or exotic archive is not a file we can vouch for.
        return False


def _content_problem(name: str, kind: str, data: bytes) -> str | None:
    if media.is_media(kind):
        if media.media_matches(kind, data):
            return None
        return _("“%(name)s” does not look like an %(type)s recording. Export the recording again as "
                 "%(type)s and upload the new file.", name=name, type=kind.upper())
    try:
        if content_matches(kind, data):
            return None
    except ArchiveBomb:
        return _("“%(name)s” unpacks to far more data than any %(type)s file holds, so it was refused. "
                 "Save it again as %(type)s and upload the new file.", name=name, type=kind.upper())
    return _("“%(name)s” does not look like a %(type)s file. Save it again as %(type)s "
             "and upload the new file.", name=name, type=kind.upper())


def _type_list(allowed: list[str]) -> str:
    return ", ".join(t.upper() for t in allowed)


def check_files(files: list[FileStorage], allowed: list[str], max_size_mb: float, max_files: int,
                already: int = 0, media_max_mb: float | None = None) -> list[Upload]:
    """Read and check every file; UploadRefused lists every problem. Empty file inputs are ignored.
    Audio and video files have their own limit, `media_max_mb` (the task's `max_media_mb`)."""
    chosen = [f for f in files if f is not None and f.filename]
    problems: list[str] = []
    if already + len(chosen) > max_files:
        problems.append(_("You can hand in at most %(n)d file(s).", n=max_files))
    uploads = []
    for storage in chosen:
        name = clean_name(storage.filename or "")
        kind = extension(name)
        size_mb = media_max_mb if media.is_media(kind) and media_max_mb is not None else max_size_mb
        limit = int(size_mb * 1024 * 1024)
        data = storage.stream.read(limit + 1)
        if kind not in allowed:
            problems.append(_("“%(name)s” is not an accepted file type. Accepted: %(types)s.",
                              name=name, types=_type_list(allowed)))
        elif len(data) > limit:
            problems.append(_("“%(name)s” is larger than %(size)s MB, the limit for this task.",
                              name=name, size=figure(size_mb)))
        elif not data:
            problems.append(_("“%(name)s” is empty.", name=name))
        elif problem := _content_problem(name, kind, data):
            problems.append(problem)
        else:
            uploads.append(Upload(name, data, MIME_TYPES[kind]))
    if problems:
        raise UploadRefused(problems)
    return uploads


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "assignment"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    # Stored names are ours (hex), but never trust a value from the database to be a plain name.
    if not stored_name.isalnum():
        raise ValueError(f"bad stored name {stored_name!r}")
    return upload_dir() / stored_name


def write(upload: Upload) -> str:
    """Write the bytes under a new random name (atomically) and return that name. Should the
    request's transaction roll back, the file is removed again: no bytes without their row."""
    stored_name = secrets.token_hex(16)
    target = path_of(stored_name)
    temporary = target.with_name(stored_name + "tmp")
    temporary.write_bytes(upload.data)
    os.replace(temporary, target)
    on_rollback(lambda: target.unlink(missing_ok=True))
    return stored_name


def delete(stored_names: list[str]) -> None:
    """Remove the bytes once the transaction that deleted their rows has committed (a rollback
    keeps both)."""
    paths = []
    for name in stored_names:
        try:
            paths.append(path_of(name))
        except ValueError:
            continue
    def remove_files() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    after_commit(remove_files)
