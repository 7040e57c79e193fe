"""A user's assignments for the privacy export, and their erasure."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models import Cohort, CohortRole, Draft, ProgrammeRun, User
from app.plugins import NotPersonal, PersonalData
from app.services import retention

from .models import Extension, Feedback, FeedbackRead, File, Reply, Submission, Version
from .submissions import TYPE
from .uploads import path_of
from .writes import forget_bytes


def _files_dict(rows: list[File]) -> list[dict[str, Any]]:
    return [{"name": f.original_name, "type": f.mime, "size": f.size, "sha256": f.sha256} for f in rows]


def _own_condition(user: User):
    """The user's submissions and their cohorts' group submissions."""
    trainee_cohorts = [m.cohort_id for m in user.memberships if m.role == CohortRole.TRAINEE]
    condition = Submission.user_id == user.id
    if trainee_cohorts:
        condition = or_(condition, Submission.group_cohort_id.in_(trainee_cohorts))
    return condition


def export_files(user: User) -> list[tuple[str, Path]]:
    """The files of the submissions in the user's export, named <submission>-v<version>-<name>."""
    rows = db.session.execute(select(File, Version.number).join(Version, File.version_id == Version.id)
                              .join(Submission, Version.submission_id == Submission.id)
                              .where(_own_condition(user)).order_by(File.id)).all()
    found = []
    for row, number in rows:
        path = path_of(row.stored_name)
        if path.is_file():
            safe = secure_filename(row.original_name) or row.stored_name
            found.append((f"{row.submission_id}-v{number}-{row.id}-{safe}", path))
    return found


def export_for(user: User) -> dict[str, Any]:
    condition = _own_condition(user)
    submissions = list(db.session.scalars(select(Submission).where(condition).options(
        selectinload(Submission.versions).selectinload(Version.files),
        selectinload(Submission.feedback).selectinload(Feedback.replies),
        joinedload(Submission.activity)).order_by(Submission.id)))
    replies = list(db.session.scalars(select(Reply).where(Reply.author_id == user.id).order_by(Reply.id)))
    return {
        "submissions": [{
            "activity": s.activity.slug, "title": s.activity.title, "status": s.status, "group": s.is_group,
            "versions": [{"number": v.number, "submitted_at": v.submitted_at.isoformat(), "body_html": v.body_html,
                          "fields": v.fields, "transcript": v.transcript, "files": _files_dict(v.files)}
                         for v in s.versions],
            "feedback": [{"version": f.version_number, "decision": f.decision, "body_html": f.body_html,
                          "field_comments": f.field_comments,
                          "rubric": [{"criterion": r.criterion, "competency": r.competency, "level": r.level}
                                     for r in f.rubric_ratings],
                          "released_at": f.released_at.isoformat() if f.released_at else None,
                          "replies": [{"body_html": r.body_html, "at": r.created_at.isoformat(),
                                       "mine": r.author_id == user.id} for r in f.replies]}
                         for f in s.feedback if f.is_released],
        } for s in submissions],
        "replies_written": [{"body_html": r.body_html, "at": r.created_at.isoformat()} for r in replies],
        "extensions": [{"activity_id": e.activity_id, "due_on": e.due_on.isoformat(), "reason": e.reason}
                       for e in db.session.scalars(select(Extension).where(Extension.user_id == user.id))],
    }


def purge_run(run: ProgrammeRun, today: date) -> dict[str, int]:
    """The submissions of the run's cohorts (with versions, feedback, replies and files, on disk
    too), once SUBMISSION_RETENTION_DAYS have passed since the run ended."""
    retention.check_retention(run, today, int(current_app.config["SUBMISSION_RETENTION_DAYS"]),
                              "SUBMISSION_RETENTION_DAYS", "submissions")
    of_run = select(Submission.id).join(Cohort, Submission.cohort_id == Cohort.id).where(Cohort.run_id == run.id)
    ids = list(db.session.scalars(of_run))
    stored = list(db.session.scalars(select(File.stored_name).where(File.submission_id.in_(ids)))) if ids else []
    if ids:
        db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
        db.session.expire_all()
        forget_bytes(stored)
    return {"submissions": len(ids), "files": len(stored)}


def erase_for(user: User) -> None:
    """Delete the user's own submissions (versions, feedback, replies and files, on disk too: the
    foreign keys cascade), their replies and extensions. A group submission belongs to the group
    and stays; versions the user handed in there keep no author."""
    own = select(Submission.id).where(Submission.user_id == user.id)
    stored = list(db.session.scalars(select(File.stored_name).where(File.submission_id.in_(own))))
    db.session.execute(delete(Reply).where(Reply.author_id == user.id))
    db.session.execute(delete(Submission).where(Submission.user_id == user.id))
    db.session.execute(delete(Extension).where(Extension.user_id == user.id))
    db.session.execute(delete(FeedbackRead).where(FeedbackRead.user_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like(f"{TYPE}:%")))
    db.session.execute(update(Version).where(Version.submitted_by_id == user.id).values(submitted_by_id=None))
    db.session.expire_all()
    forget_bytes(stored)


# --- what assignments store about people (app/plugins.py PersonalData) ---------------------------

_RETENTION = "SUBMISSION_RETENTION_DAYS after the run ends (flask privacy purge --run)"
_KEPT_LINK = "kept: points at the erased, anonymous user row"

PERSONAL_DATA: tuple[PersonalData | NotPersonal, ...] = (
    PersonalData("assignment_submission", ("user_id",), export="assignment.submissions",
                 erase="own submissions deleted (a group's stays with the group)", retention=_RETENTION),
    NotPersonal("assignment_submission", ("status",), "a workflow state"),
    PersonalData("assignment_version", ("submitted_by_id",), ("body_html", "fields", "transcript"),
                 export="assignment.submissions[].versions",
                 erase="deleted with the submission; in a group's, the author is cleared", retention=_RETENTION),
    NotPersonal("assignment_version", ("template",), "the content's template the version was written against"),
    PersonalData("assignment_file", ("uploaded_by_id",), ("original_name",),
                 export="assignment.submissions[].versions[].files, and the file itself in files/",
                 erase="deleted with the submission, bytes on disk too", retention=_RETENTION),
    NotPersonal("assignment_file", ("stored_name", "mime", "sha256"),
                "a random storage name, the file type and a checksum"),
    PersonalData("assignment_feedback", ("author_id", "reviewed_by_id"), ("body_html", "field_comments", "review_note"),
                 export="assignment.submissions[].feedback (released only)",
                 erase="deleted with the submission; a facilitator's authorship " + _KEPT_LINK, retention=_RETENTION),
    NotPersonal("assignment_feedback", ("decision", "state"), "workflow values"),
    NotPersonal("assignment_rubric_rating", ("criterion", "competency"),
                "a rubric criterion's key and competency code (the level rated is the feedback's, exported and "
                "erased with it: assignment.submissions[].feedback[].rubric)"),
    PersonalData("assignment_feedback_read", ("user_id",), export="not exported: when feedback was opened",
                 erase="deleted", retention=_RETENTION),
    PersonalData("assignment_reply", ("author_id",), ("body_html",), export="assignment.replies_written",
                 erase="deleted", retention=_RETENTION),
    PersonalData("assignment_extension", ("user_id", "granted_by_id"), ("reason",), export="assignment.extensions",
                 erase="deleted for the trainee; granted_by " + _KEPT_LINK, retention=_RETENTION),
)
