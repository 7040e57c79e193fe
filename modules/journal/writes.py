"""Changes to journals: entries, sharing, comments, completion, flags and their conversation, naming
supervisors, group reflection. Every read of someone else's entry is written to the audit log
("journal.entry.read") by `record_read`/`record_flag_read`, which the views call. Functions add
and flush; the view commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app import audit
from app.conflicts import Conflict, SaveRefused
from app.errors import Forbidden, NotFound
from app.extensions import db, rows_changed
from app.models import Activity, Cohort, Module, User
from app.sanitize import plain_text, sanitize_html
from app.services import progress
from app.services.notifications import notify
from app.timeutil import utcnow

from .access import OWNER, audience_candidates, audience_cohort, may_delete, reader_role, share_cohort
from .models import Audience, Comment, Entry, Flag, FlagReply, GroupPost, GroupReply, Seen, Supervisor
from .queries import cohort_trainees, min_entries, resolve_supervisor, supervisor_candidates


class JournalError(SaveRefused):
    """A change the rules refuse; the message says why, in the user's language."""


class EntryConflict(Conflict):
    """The entry was saved elsewhere (another tab or device) since this form was loaded."""


def mark_seen(entry: Entry, user: User, *, only_if_newer: bool = False) -> None:
    """`only_if_newer`: leave the time as it is when nothing on the entry is newer than it. What
    "new" means (app pages, home counts) compares it only with the entry's activity and its
    comments, so the answer is the same, and opening an entry again writes nothing."""
    seen = db.session.scalar(select(Seen).where(Seen.entry_id == entry.id, Seen.user_id == user.id))
    if seen is None:
        db.session.add(Seen(entry_id=entry.id, user_id=user.id, seen_at=utcnow()))
    elif not only_if_newer or seen.seen_at < _newest_activity(entry):
        seen.seen_at = utcnow()


def _newest_activity(entry: Entry) -> datetime:
    return max([entry.activity_at, *(c.created_at for c in entry.comments)])


def record_read(entry: Entry, reader: User) -> None:
    """A read by someone other than the owner goes to the audit log, every time."""
    mark_seen(entry, reader, only_if_newer=True)
    if reader.id != entry.owner_id:
        audit.record("journal.entry.read", entry, actor=reader, owner_id=entry.owner_id)


# --- writing entries -----------------------------------------------------------------------------

@dataclass
class EntryData:
    title: str
    entry_date: date
    body_html: str
    stage_answers: dict[str, str]
    competencies: list[str]
    module_id: int | None = None


def _apply(entry: Entry, data: EntryData) -> None:
    entry.title = data.title.strip()
    entry.entry_date = data.entry_date
    entry.body_html = sanitize_html(data.body_html)
    entry.stage_answers = {k: sanitize_html(v) for k, v in data.stage_answers.items() if v}
    entry.competencies = list(dict.fromkeys(data.competencies))
    if entry.activity_id is None and entry.module_id != data.module_id:
        entry.module_id = data.module_id
        _place(entry)


def _place(entry: Entry) -> None:
    """The cohort the entry belongs to: of the module's kind (national or transnational), in the
    owner's run under way today, which is also the run whose retention purge takes it (none when
    no run of theirs is under way). A shared entry moved to another cohort keeps only the chosen
    readers who facilitate that one too (access.py checks the cohort): a move never widens who
    reads it."""
    module = db.session.get(Module, entry.module_id) if entry.module_id else None
    cohort = audience_cohort(entry.owner_id, module, running_on=utcnow().date())
    entry.cohort_id = cohort.id if cohort else None


def _check_not_empty(entry: Entry) -> None:
    if not plain_text(entry.body_html).strip() and not any(plain_text(v).strip()
                                                           for v in entry.stage_answers.values()):
        raise JournalError(_("Write something in the entry before saving it."))


def create_entry(owner: User, data: EntryData, *, activity: Activity | None = None,
                 prompt: dict[str, Any] | None = None) -> Entry:
    """A new private entry; on a journal activity's prompt, or a free one (on any prompt or none)."""
    if activity is not None:
        prompt = activity.settings.get("prompt") or {}
    entry = Entry(owner_id=owner.id, activity_id=activity.id if activity else None,
                  module_id=activity.module_id if activity else None,
                  prompt_slug=(prompt or {}).get("slug"), prompt=dict(prompt or {}), shared=False, version=1)
    _apply(entry, data)
    _place(entry)
    _check_not_empty(entry)
    db.session.add(entry)
    db.session.flush()
    if activity is not None:
        update_completion(owner, activity)
    return entry


def update_entry(entry: Entry, data: EntryData, base_version: int | None) -> Entry:
    """Save an edit made on `base_version`; EntryConflict (nothing written) when the entry was
    saved since, in another tab or on another device. The version is claimed with a
    compare-and-set (UPDATE ... WHERE version = base), which holds on SQLite as on PostgreSQL:
    of two saves from the same version exactly one goes through."""
    now = utcnow()
    claimed = db.session.execute(update(Entry).where(Entry.id == entry.id, Entry.version == base_version)
                                 .values(version=Entry.version + 1, updated_at=now)
                                 .execution_options(synchronize_session=False))
    current = db.session.scalar(select(Entry).where(Entry.id == entry.id).execution_options(populate_existing=True))
    if current is None:
        raise NotFound
    if rows_changed(claimed) != 1:
        raise EntryConflict(current)
    _apply(current, data)
    _check_not_empty(current)
    if current.shared:
        current.activity_at = now
    db.session.flush()
    return current


def delete_entry(entry: Entry) -> None:
    activity = entry.activity
    owner = entry.owner
    db.session.delete(entry)
    db.session.flush()
    if activity is not None:
        update_completion(owner, activity)


def set_shared(entry: Entry, shared: bool, audience_ids: list[int] | None = None) -> None:
    """Share with the facilitators of the cohort the entry belongs to (all of them, or the
    `audience_ids` among them the owner ticked), or take the entry back. Comments stay with the
    entry; a facilitator sees them again only if it is shared with them again."""
    if not shared:
        if entry.shared:
            entry.shared, entry.shared_at = False, None
            entry.audience.clear()
            audit.record("journal.entry.unshare", entry)
            db.session.flush()
        return
    cohort = share_cohort(entry)
    entry.cohort_id = cohort.id if cohort else None
    candidates = audience_candidates(cohort)
    if not candidates:
        raise JournalError(_("Your cohort has no facilitator yet, so the entry cannot be shared."))
    allowed = {u.id for u in candidates}
    chosen = allowed if audience_ids is None else set(audience_ids)
    if not chosen:
        raise JournalError(_("Tick at least one facilitator to share the entry with."))
    if not chosen <= allowed:
        raise JournalError(_("You can only share the entry with the facilitators listed."))
    if entry.shared and {a.user_id for a in entry.audience} == chosen:
        return
    entry.audience.clear()
    db.session.flush()
    entry.audience.extend(Audience(user_id=uid) for uid in sorted(chosen))
    newly = not entry.shared
    entry.shared = True
    if newly:
        entry.shared_at = utcnow()
        entry.activity_at = entry.shared_at
    audit.record("journal.entry.share", entry, readers=len(chosen))
    db.session.flush()


def entry_url(entry: Entry) -> str:
    return url_for("journal.entry", entry_id=entry.id)


def add_comment(entry: Entry, author: User, body_html: str) -> Comment:
    """A comment on a shared entry, by a facilitator who can read it or by its owner."""
    role = reader_role(author, entry)
    if role is None or not entry.shared:
        raise JournalError(_("Comments are only possible on an entry that is shared."))
    body = sanitize_html(body_html)
    if not plain_text(body).strip():
        raise JournalError(_("Write a comment before sending it."))
    comment = Comment(entry_id=entry.id, author_id=author.id, body_html=body, created_at=utcnow())
    db.session.add(comment)
    if role == OWNER:
        entry.activity_at = comment.created_at
        mark_seen(entry, author)
    else:
        mark_seen(entry, author)
        notify(entry.owner, "journal.comment",
               lambda: _("%(name)s commented on your journal entry “%(title)s”.", name=author.name,
                         title=entry.title), url=entry_url(entry))
    db.session.flush()
    return comment


# --- completion ------------------------------------------------------------------------------------

def update_completion(user: User, activity: Activity) -> None:
    """A journal activity is done once the trainee has written `min_entries` entries on its
    prompt (entries linked to the activity); started with fewer. Done stays done."""
    count = db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.owner_id == user.id, Entry.activity_id == activity.id))
    if count >= min_entries(activity):
        progress.mark_done(user, activity)
    elif count:
        progress.mark_started(user, activity)


# --- flags: "this is weighing on me" -----------------------------------------------------------

def flag_url(flag: Flag) -> str:
    return url_for("journal.flag", flag_id=flag.id)


def flag_entry(entry: Entry, note_html: str) -> Flag:
    """Send the entry, privately, to the owner's named supervisor, who is notified. Flagging an
    entry again reopens its conversation. The flag shows on no dashboard but the supervisor's own
    and writes no audit event; the supervisor's reads of the entry are audited like any read of
    someone else's entry (record_flag_read)."""
    supervisor = resolve_supervisor(entry.owner)
    if supervisor is None:
        raise JournalError(_("Your cohort has not named a supervisor yet, so the entry could not be sent. "
                             "Please talk to your facilitator or national coordinator."))
    if supervisor.id == entry.owner_id:
        raise JournalError(_("You are named as your own supervisor; please ask your coordinator to change it."))
    flag = entry.flag
    if flag is None:
        flag = Flag(entry_id=entry.id, supervisor_id=supervisor.id, created_at=utcnow())
        db.session.add(flag)
    else:
        # A reopened conversation stays with the supervisor it began with, while there is one.
        flag.resolved_at = None
        flag.supervisor_id = flag.supervisor_id or supervisor.id
        supervisor = db.session.get(User, flag.supervisor_id)
    flag.note_html = sanitize_html(note_html) or flag.note_html
    db.session.flush()
    notify(supervisor, "journal.flag",
           lambda: _("%(name)s would like to talk about a journal entry that is weighing on them.",
                     name=entry.owner.name), url=flag_url(flag))
    return flag


def record_flag_read(flag: Flag, reader: User) -> None:
    if reader.id != flag.entry.owner_id:
        audit.record("journal.entry.read", flag.entry, actor=reader, owner_id=flag.entry.owner_id)


def reply_to_flag(flag: Flag, author: User, body_html: str) -> FlagReply:
    body = sanitize_html(body_html)
    if not plain_text(body).strip():
        raise JournalError(_("Write your answer before sending it."))
    reply = FlagReply(flag_id=flag.id, author_id=author.id, body_html=body, created_at=utcnow())
    db.session.add(reply)
    if author.id == flag.entry.owner_id:
        if flag.supervisor is not None:
            notify(flag.supervisor, "journal.flag.reply",
                   lambda: _("%(name)s answered in the conversation about their journal entry.",
                             name=author.name), url=flag_url(flag))
    else:
        notify(flag.entry.owner, "journal.flag.answer",
               lambda: _("%(name)s answered about the entry you said is weighing on you.", name=author.name),
               url=flag_url(flag))
    db.session.flush()
    return reply


def close_flag(flag: Flag) -> None:
    if flag.resolved_at is None:
        flag.resolved_at = utcnow()
        db.session.flush()


def set_supervisor(cohort: Cohort, trainee: User | None, supervisor: User | None, by: User) -> None:
    """Name the cohort's supervisor (trainee None) or one trainee's; supervisor None removes the
    choice (a trainee then falls back to the cohort's default)."""
    if trainee is not None and trainee.id not in {u.id for u in cohort_trainees(cohort)}:
        raise JournalError(_("That person is not a trainee of this cohort."))
    if supervisor is not None and supervisor.id not in {u.id for u in supervisor_candidates(cohort)}:
        raise JournalError(_("Choose one of the cohort's facilitators or national coordinators."))
    condition = (Supervisor.trainee_id == trainee.id) if trainee else Supervisor.trainee_id.is_(None)
    row = db.session.scalar(select(Supervisor).where(Supervisor.cohort_id == cohort.id, condition))
    if supervisor is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(Supervisor(cohort_id=cohort.id, trainee_id=trainee.id if trainee else None,
                                  supervisor_id=supervisor.id, set_by_id=by.id, set_at=utcnow()))
    else:
        row.supervisor_id, row.set_by_id, row.set_at = supervisor.id, by.id, utcnow()
    audit.record("journal.supervisor.set", cohort, actor=by, trainee_id=trainee.id if trainee else None,
                 supervisor_id=supervisor.id if supervisor else None)
    db.session.flush()


def add_group_post(cohort: Cohort, author: User, title: str, body_html: str) -> GroupPost:
    body = sanitize_html(body_html)
    if not plain_text(body).strip():
        raise JournalError(_("Write your reflection before posting it."))
    post = GroupPost(cohort_id=cohort.id, author_id=author.id, title=title.strip(), body_html=body,
                     created_at=utcnow())
    db.session.add(post)
    db.session.flush()
    return post


def add_group_reply(post: GroupPost, author: User, body_html: str) -> GroupReply:
    body = sanitize_html(body_html)
    if not plain_text(body).strip():
        raise JournalError(_("Write your reply before sending it."))
    reply = GroupReply(post_id=post.id, author_id=author.id, body_html=body, created_at=utcnow())
    db.session.add(reply)
    if post.author is not None and post.author_id != author.id:
        notify(post.author, "journal.group.reply",
               lambda: _("%(name)s replied to your group reflection “%(title)s”.", name=author.name,
                         title=post.title), url=url_for("journal.group", cohort_id=post.cohort_id) + f"#post-{post.id}")
    db.session.flush()
    return reply


def delete_group_post(post: GroupPost, user: User) -> None:
    """Authors may take back what they posted (with the replies it gathered)."""
    if not may_delete(user, post):
        raise Forbidden
    db.session.delete(post)
    db.session.flush()


def delete_group_reply(reply: GroupReply, user: User) -> None:
    if not may_delete(user, reply):
        raise Forbidden
    db.session.delete(reply)
    db.session.flush()
