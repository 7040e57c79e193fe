"""Uploaded files: checked before anything is stored, kept outside the static folder.

A file is accepted only when its extension is allowed AND its first bytes say the same thing
(a PDF starts with %PDF, a DOCX is a zip holding word/document.xml, an ODT a zip whose
`mimetype` entry names an OpenDocument text, ...). The bytes go to
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

from app.transaction import after_commit, on_rollback

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


def content_matches(kind: str, data: bytes) -> bool:
    if kind in MAGIC:
        return data.startswith(MAGIC[kind])
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if kind in OOXML_PARTS:
                return OOXML_PARTS[kind] in names and "[Content_Types].xml" in names
            return ("mimetype" in names
                    and archive.read("mimetype").decode("ascii", "replace").strip() == MIME_TYPES[kind])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def _type_list(allowed: list[str]) -> str:
    return ", ".join(t.upper() for t in allowed)


def check_files(files: list[FileStorage], allowed: list[str], max_size_mb: float, max_files: int,
                already: int = 0) -> list[Upload]:
    """Read and check every file; UploadRefused lists every problem. Empty file inputs are ignored."""
    chosen = [f for f in files if f is not None and f.filename]
    problems: list[str] = []
    if already + len(chosen) > max_files:
        problems.append(_("You can hand in at most %(n)d file(s).", n=max_files))
    limit = int(max_size_mb * 1024 * 1024)
    uploads = []
    for storage in chosen:
        name = clean_name(storage.filename or "")
        kind = extension(name)
        data = storage.stream.read(limit + 1)
        if kind not in allowed:
            problems.append(_("“%(name)s” is not an accepted file type. Accepted: %(types)s.",
                              name=name, types=_type_list(allowed)))
        elif len(data) > limit:
            problems.append(_("“%(name)s” is larger than %(size)s MB, the limit for this task.",
                              name=name, size=f"{max_size_mb:g}"))
        elif not data:
            problems.append(_("“%(name)s” is empty.", name=name))
        elif not content_matches(kind, data):
            problems.append(_("“%(name)s” does not look like a %(type)s file. Save it again as %(type)s "
                              "and upload the new file.", name=name, type=kind.upper()))
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
