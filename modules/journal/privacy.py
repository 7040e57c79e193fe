"""A user's journal for their own download and the privacy export, its erasure, and the purge of a
run's journals after the retention period."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db, rows_changed
from app.models import Cohort, CohortRole, Draft, Membership, ProgrammeRun, User
from app.plugins import NotPersonal, PersonalData
from app.services import retention
from app.timeutil import add_days

from .models import Audience, Comment, Entry, Flag, FlagReply, GroupPost, GroupReply, Seen, Supervisor

DEFAULT_RETENTION_DAYS = 365


# --- export, erasure, retention --------------------------------------------------------------

def export_entries(user: User) -> list[Entry]:
    """Everything in the user's journal, for their own download (comments and flags included)."""
    return list(db.session.scalars(
        select(Entry).where(Entry.owner_id == user.id)
        .options(selectinload(Entry.comments).selectinload(Comment.author),
                 selectinload(Entry.flag).selectinload(Flag.replies).selectinload(FlagReply.author),
                 selectinload(Entry.module), selectinload(Entry.activity))
        .order_by(Entry.entry_date, Entry.id)))


def export_journal(user: User, fmt: str) -> list[Entry]:
    """The user's download of their own journal, recorded in the audit log ("who exported what")."""
    entries = export_entries(user)
    audit.record("journal.export", user, actor=user, format=fmt, entries=len(entries))
    return entries


def _author(user: User | None, me: User) -> str:
    if user is None:
        return "(deleted user)"
    return "me" if user.id == me.id else user.name


def user_data(user: User) -> dict[str, Any]:
    """The privacy export: the user's entries with their comments and flags, and what they wrote
    elsewhere in the journal (comments, group posts) without other people's entries. Flags appear
    only as the flagging trainee's own data: a supervisor's answers stay out of the supervisor's
    export, which would otherwise reveal that someone flagged an entry."""
    entries = []
    for e in export_entries(user):
        entries.append({
            "id": e.id, "title": e.title, "entry_date": e.entry_date.isoformat(), "body_html": e.body_html,
            "stages": [{"label": s["label"], "answer_html": e.stage_answers.get(s["key"], "")}
                       for s in (e.prompt or {}).get("stages", [])],
            "prompt": (e.prompt or {}).get("title"), "module": e.module.slug if e.module else None,
            "activity": e.activity.slug if e.activity else None, "competencies": e.competencies,
            "shared": e.shared, "created_at": e.created_at.isoformat(), "updated_at": e.updated_at.isoformat(),
            "comments": [{"author": _author(c.author, user), "body_html": c.body_html,
                          "created_at": c.created_at.isoformat()} for c in e.comments],
            "flag": None if e.flag is None else {
                "note_html": e.flag.note_html, "created_at": e.flag.created_at.isoformat(),
                "resolved_at": e.flag.resolved_at.isoformat() if e.flag.resolved_at else None,
                "answers": [{"author": _author(r.author, user), "body_html": r.body_html,
                             "created_at": r.created_at.isoformat()} for r in e.flag.replies]},
        })
    def written(model, *conditions) -> list[dict[str, str]]:
        return [{"body_html": row.body_html, "created_at": row.created_at.isoformat()}
                for row in db.session.scalars(select(model).where(*conditions).order_by(model.id))]

    return {
        "entries": entries,
        "comments_on_others_entries": written(
            Comment, Comment.author_id == user.id,
            Comment.entry_id.not_in(select(Entry.id).where(Entry.owner_id == user.id))),
        "group_posts": [{"title": p.title, "body_html": p.body_html, "created_at": p.created_at.isoformat()}
                        for p in db.session.scalars(select(GroupPost).where(GroupPost.author_id == user.id)
                                                    .order_by(GroupPost.id))],
        "group_replies": written(GroupReply, GroupReply.author_id == user.id),
    }


def erase_user(user: User) -> None:
    """Remove everything the user wrote in journals and every journal role they hold."""
    for model in (Comment, FlagReply, GroupReply, GroupPost):
        db.session.execute(delete(model).where(model.author_id == user.id))
    db.session.execute(update(Flag).where(Flag.supervisor_id == user.id).values(supervisor_id=None))
    db.session.execute(delete(Supervisor).where(or_(Supervisor.supervisor_id == user.id,
                                                    Supervisor.trainee_id == user.id)))
    db.session.execute(delete(Seen).where(Seen.user_id == user.id))
    # An entry shared with this facilitator alone is shared with no one now: it becomes private.
    read_by = list(db.session.scalars(select(Audience.entry_id).where(Audience.user_id == user.id)))
    db.session.execute(delete(Audience).where(Audience.user_id == user.id))
    if read_by:
        db.session.execute(update(Entry).where(Entry.id.in_(read_by), Entry.id.not_in(select(Audience.entry_id)))
                           .values(shared=False, shared_at=None))
    _delete_entries(select(Entry.id).where(Entry.owner_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like("journal:%")))


def _delete_entries(entry_ids) -> None:
    """Bulk delete with the children listed explicitly: bulk statements do not run ORM cascades."""
    flags = select(Flag.id).where(Flag.entry_id.in_(entry_ids))
    db.session.execute(delete(FlagReply).where(FlagReply.flag_id.in_(flags)))
    db.session.execute(delete(Flag).where(Flag.entry_id.in_(entry_ids)))
    db.session.execute(delete(Comment).where(Comment.entry_id.in_(entry_ids)))
    db.session.execute(delete(Seen).where(Seen.entry_id.in_(entry_ids)))
    db.session.execute(delete(Audience).where(Audience.entry_id.in_(entry_ids)))
    db.session.execute(delete(Entry).where(Entry.id.in_(entry_ids)))


class RetentionError(retention.RetentionError):
    pass


@dataclass
class PurgeReport:
    run: ProgrammeRun
    entries: int = 0
    group_posts: int = 0
    trainees: int = 0
    drafts: int = 0


def retention_days() -> int:
    return int(current_app.config.get("JOURNAL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def purge_allowed_from(run: ProgrammeRun) -> date:
    """The first day a run's journals may be purged."""
    return add_days(run.ends_on, retention_days() + 1)


def purge_run(run: ProgrammeRun, today: date) -> PurgeReport:
    """Delete the journals of a run that ended more than JOURNAL_RETENTION_DAYS ago: the entries
    of its cohorts (with comments, flags and answers) and its cohorts' group spaces. Entries are
    chosen by the cohort they belong to, never by trainee and date: an entry the same trainee
    wrote in an overlapping or later run stays."""
    allowed = purge_allowed_from(run)
    if today < allowed:
        raise RetentionError(
            f"run '{run.name}' ended on {run.ends_on.isoformat()}; its journals are kept for "
            f"{retention_days()} days (JOURNAL_RETENTION_DAYS) and can be purged from {allowed.isoformat()}. "
            "Nothing was deleted.")
    cohort_ids = select(Cohort.id).where(Cohort.run_id == run.id)
    entry_ids = list(db.session.scalars(select(Entry.id).where(_of_run(run, cohort_ids))))
    report = PurgeReport(run=run, entries=len(entry_ids),
                         trainees=db.session.scalar(select(func.count(func.distinct(Membership.user_id)))
                                                    .where(Membership.cohort_id.in_(cohort_ids),
                                                           Membership.role == CohortRole.TRAINEE)))
    report.group_posts = db.session.scalar(select(func.count()).select_from(GroupPost)
                                           .where(GroupPost.cohort_id.in_(cohort_ids)))
    drafts = [f"journal:{i}" for i in entry_ids]
    for chunk in _chunks(entry_ids, 500):
        _delete_entries(chunk)
    for chunk in _chunks(drafts, 500):
        deleted = db.session.execute(delete(Draft).where(Draft.key.in_(chunk)))
        report.drafts += rows_changed(deleted) or 0
    posts = select(GroupPost.id).where(GroupPost.cohort_id.in_(cohort_ids))
    db.session.execute(delete(GroupReply).where(GroupReply.post_id.in_(posts)))
    db.session.execute(delete(GroupPost).where(GroupPost.cohort_id.in_(cohort_ids)))
    audit.record("journal.purge", run, entries=report.entries, group_posts=report.group_posts,
                 retention_days=retention_days())
    db.session.flush()
    return report


def _of_run(run: ProgrammeRun, cohort_ids):
    """Entries of the run: placed in one of its cohorts; an entry placed nowhere (written before
    entries had a cohort, or by a trainee with no cohort of the module's kind) only when its owner
    was a trainee in this run and in no other, and wrote it before the run ended."""
    trainee_here = select(Membership.user_id).where(Membership.cohort_id.in_(cohort_ids),
                                                    Membership.role == CohortRole.TRAINEE)
    trainee_elsewhere = select(Membership.user_id).join(Cohort).where(
        Cohort.run_id != run.id, Membership.role == CohortRole.TRAINEE)
    unplaced = and_(Entry.cohort_id.is_(None), Entry.owner_id.in_(trainee_here),
                    Entry.owner_id.not_in(trainee_elsewhere),
                    Entry.created_at < datetime.combine(add_days(run.ends_on, 1), time()))
    return or_(Entry.cohort_id.in_(cohort_ids), unplaced)


def purge_run_data(run: ProgrammeRun, today: date) -> dict[str, int]:
    """The journal's part of `flask privacy purge --run`."""
    report = purge_run(run, today)
    return {"journal entries": report.entries, "group reflections": report.group_posts, "drafts": report.drafts}


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- what the journal stores about people (app/plugins.py PersonalData) -------------------------

_RETENTION = "JOURNAL_RETENTION_DAYS after the entry's run ends (flask privacy purge --run)"
_KEPT_LINK = "kept: points at the erased, anonymous user row"

PERSONAL_DATA: tuple[PersonalData | NotPersonal, ...] = (
    PersonalData("journal_entry", ("owner_id",), ("title", "body_html", "stage_answers"),
                 export="journal.entries", erase="deleted with the owner", retention=_RETENTION),
    NotPersonal("journal_entry", ("prompt_slug", "prompt", "competencies"),
                "a copy of the programme's prompt and competency codes, the same for every trainee"),
    PersonalData("journal_audience", ("user_id",), export="journal.entries[].shared (the owner's choice)",
                 erase="deleted with the entry or the facilitator", retention=_RETENTION),
    PersonalData("journal_comment", ("author_id",), ("body_html",),
                 export="journal.entries[].comments, journal.comments_on_others_entries",
                 erase="deleted with the author or the entry", retention=_RETENTION),
    PersonalData("journal_seen", ("user_id",), export="not exported: when a page was last opened",
                 erase="deleted", retention=_RETENTION),
    PersonalData("journal_supervisor", ("trainee_id", "supervisor_id", "set_by_id"),
                 export="not exported: the cohort's choice of supervisor",
                 erase="deleted for the trainee or supervisor; set_by " + _KEPT_LINK,
                 retention="while the cohort exists"),
    PersonalData("journal_flag", ("supervisor_id",), ("note_html",), export="journal.entries[].flag",
                 erase="deleted with the entry; the supervisor link is cleared", retention=_RETENTION),
    PersonalData("journal_flag_reply", ("author_id",), ("body_html",), export="journal.entries[].flag.answers",
                 erase="deleted with the author or the entry", retention=_RETENTION),
    PersonalData("journal_group_post", ("author_id",), ("title", "body_html"), export="journal.group_posts",
                 erase="deleted", retention=_RETENTION),
    PersonalData("journal_group_reply", ("author_id",), ("body_html",), export="journal.group_replies",
                 erase="deleted", retention=_RETENTION),
)
