"""All hand-ins of one task in one cohort as a zip, for the cohort's facilitators.

One folder per trainee (or country group) with the latest handed-in version: `answer.html` (the
rich text, already sanitized), `answers.md` (a template's answers), `transcript.txt` and the files
under `files/`. Names come from people and uploads, so every folder and file name is made safe:
no folder part, no `..`, no characters Windows or macOS refuse, Unicode kept (å, č, ã: zip marks
the names UTF-8). The archive is written to a temporary file, copying each upload from disk in
chunks, so memory stays bounded whatever the cohort; a fixed number of queries whatever its size.
"""
from __future__ import annotations

import html
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import and_, select

from app.extensions import db
from app.models import Activity, Cohort, CohortRole, Membership, User

from . import templating, uploads
from .models import File, Submission, Version
from .submissions import country_group_ids, is_group_activity
from .template_versions import template_at

UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
NAME_LIMIT = 80


def safe_name(name: str, fallback: str) -> str:
    """A name that is one plain path segment on every system, Unicode kept (NFC)."""
    cleaned = UNSAFE.sub("_", unicodedata.normalize("NFC", name or ""))
    cleaned = " ".join(cleaned.split()).strip(" .")
    if len(cleaned) > NAME_LIMIT:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[:NAME_LIMIT - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else cleaned[:NAME_LIMIT]
    return cleaned or fallback


@dataclass
class Handin:
    folder: str
    submission: Submission
    version: Version
    files: list[File] = field(default_factory=list)


def _owners(cohort: Cohort, activity: Activity) -> dict[int, str]:
    """Owner id -> folder name: the cohort's trainees (name and id, as two may share a name), or
    its country groups."""
    if is_group_activity(activity):
        groups = db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(country_group_ids(cohort))))
        return {gid: safe_name(name, "group") + f" ({gid})" for gid, name in groups}
    users = db.session.execute(select(User.id, User.name).join(Membership, Membership.user_id == User.id).where(
        Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE))
    return {uid: safe_name(name, "trainee") + f" ({uid})" for uid, name in users}


def latest_handins(cohort: Cohort, activity: Activity) -> list[Handin]:
    owners = _owners(cohort, activity)
    owner_column = Submission.group_cohort_id if is_group_activity(activity) else Submission.user_id
    rows = db.session.execute(
        select(Submission, Version, owner_column)
        .join(Version, and_(Version.submission_id == Submission.id, Version.number == Submission.latest_version))
        .where(Submission.activity_id == activity.id, owner_column.in_(list(owners)),
               Submission.latest_version > 0)).all()
    handins = {version.id: Handin(owners[owner], submission, version) for submission, version, owner in rows}
    if handins:
        for row in db.session.scalars(select(File).where(File.version_id.in_(list(handins))).order_by(File.id)):
            handins[row.version_id].files.append(row)  # version_id is set: filtered on it
    return sorted(handins.values(), key=lambda h: h.folder.casefold())


def _answer_html(activity: Activity, version: Version) -> str:
    title = html.escape(activity.title)
    return (f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body><h1>{title}</h1>\n{version.body_html}\n</body></html>\n")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _answers_md(template: dict[str, Any], activity: Activity, version: Version) -> str:
    out = [f"# {activity.title}", ""]
    for spec in template["fields"]:
        value = version.fields.get(spec["name"])
        out += [f"## {spec['label']}", ""]
        if spec["type"] == "rows":
            columns = spec["columns"]
            out.append("| " + " | ".join(_cell(c["label"]) for c in columns) + " |")
            out.append("|" + " --- |" * len(columns))
            for row in value or []:
                out.append("| " + " | ".join(_cell(templating.display_value(c, row.get(c["name"])))
                                             for c in columns) + " |")
        else:
            out.append(templating.display_value(spec, value) or _("(not answered)"))
        out.append("")
    return "\n".join(out)


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


def write_zip(activity: Activity, handins: list[Handin]) -> IO[bytes]:
    """The archive in a temporary file (deleted when closed), positioned at its start."""
    target = tempfile.TemporaryFile()  # noqa: SIM115  # closed by the response that sends it
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for handin in handins:
            folder = handin.folder
            if handin.version.body_html:
                archive.writestr(f"{folder}/answer.html", _answer_html(activity, handin.version))
            # Each version against the template it was written for (template_versions.py).
            template = template_at(activity, handin.version)
            if template:
                archive.writestr(f"{folder}/answers.md", _answers_md(template, activity, handin.version))
            if handin.version.transcript:
                archive.writestr(f"{folder}/transcript.txt", handin.version.transcript + "\n")
            taken: set[str] = set()
            for row in handin.files:
                name = _unique(safe_name(row.original_name, "file"), taken)
                try:
                    source = uploads.path_of(row.stored_name).open("rb")
                except (OSError, ValueError):  # bytes lost on disk: say so rather than fail the whole zip
                    archive.writestr(f"{folder}/files/{name}.missing.txt",
                                     _("This file could not be read from the server's storage."))
                    continue
                with source, archive.open(f"{folder}/files/{name}", "w") as entry:
                    shutil.copyfileobj(source, entry, 1024 * 1024)
    target.seek(0)
    return target
