"""The journal's rules. Every access decision of the plugin is made here, nowhere else:

- an entry is read by its owner; by a facilitator of a cohort the owner is a trainee in, only
  while it is shared; never by coordinators or admins as such (ARCHITECTURE.md section 5);
- a flag ("this is weighing on me") and the entry it carries are read by the owner and by the one
  supervisor the flag was sent to, not by the cohort's other facilitators;
- a cohort's group space is for its trainees and facilitators;
- supervisors are named by admins, by the national coordinators of a national cohort's country
  and by the transnational coordinators for a transnational cohort.

Every read of someone else's entry is written to the audit log ("journal.entry.read"). Functions
add and flush; the view commits once."""
from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from app import audit
from app.conflicts import Conflict, SaveRefused
from app.extensions import db
from app.models import (Activity, Cohort, CohortKind, CohortRole, Draft, Membership, Module, ProgrammeRun,
                        SiteRole, User)
from app.sanitize import plain_text, sanitize_html
from app.services import progress
from app.services.notifications import notify
from app.timeutil import utcnow

from .models import Comment, Entry, Flag, FlagReply, GroupPost, GroupReply, Seen, Supervisor

DEFAULT_RETENTION_DAYS = 365


class JournalError(SaveRefused):
    """A change the rules refuse; the message says why, in the user's language."""


class EntryConflict(Conflict):
    """The entry was saved elsewhere (another tab or device) since this form was loaded."""


# --- text ----------------------------------------------------------------------------------------

_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")
_SIMPLE_TAGS = {"p", "br", "a"}


def text_to_html(text: str | None) -> str:
    """What the trainee typed, as sanitized HTML. HTML from a rich-text editor is kept (allow-listed);
    plain text from the textarea becomes paragraphs, a blank line starting a new one."""
    text = (text or "").strip()
    if not text:
        return ""
    if _TAG_RE.search(text):
        return sanitize_html(text)
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return sanitize_html("".join("<p>" + "<br>".join(html_lib.escape(line.strip()) for line in p.strip().split("\n"))
                                 + "</p>" for p in paragraphs if p.strip()))


def html_to_editable(html: str | None) -> str:
    """Stored HTML back into the textarea: text made of paragraphs and line breaks is shown as
    plain text again, anything richer as its HTML."""
    html = html or ""
    if {tag.lower() for tag in _TAG_RE.findall(html)} <= _SIMPLE_TAGS:
        text = re.sub(r"</p>\s*<p>", "\n\n", html)
        text = re.sub(r"<br\s*/?>", "\n", text)
        return plain_text(text).strip()
    return html


def html_to_markdown(html: str | None) -> str:
    """Sanitized HTML as readable Markdown-ish text for the export (paragraphs, lists, emphasis)."""
    text = html or ""
    rules = [(r"<br\s*/?>", "\n"), (r"</p>|</h[2-4]>|</blockquote>|</pre>|</tr>", "\n\n"), (r"<li>", "- "),
             (r"</li>", "\n"), (r"</?(strong|b)>", "**"), (r"</?(em|i)>", "_"), (r"<h[2-4]>", "#### "),
             (r"<hr\s*/?>", "\n---\n\n")]
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = plain_text(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- who is who ----------------------------------------------------------------------------------

def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def trainee_cohorts(user_id: int) -> list[Cohort]:
    """The cohorts a user is a trainee in, national before transnational, latest run first."""
    return list(db.session.scalars(
        select(Cohort).join(Membership).join(ProgrammeRun)
        .where(Membership.user_id == user_id, Membership.role == CohortRole.TRAINEE)
        .order_by((Cohort.kind == CohortKind.TRANSNATIONAL).asc(), ProgrammeRun.starts_on.desc(), Cohort.id)))


def _facilitated_cohorts_query(user: User):
    return select(Membership.cohort_id).where(Membership.user_id == user.id,
                                              Membership.role == CohortRole.FACILITATOR)


def _trainees_of_facilitator_query(user: User):
    """Users who are trainees in a cohort `user` facilitates."""
    return select(Membership.user_id).where(Membership.role == CohortRole.TRAINEE,
                                            Membership.cohort_id.in_(_facilitated_cohorts_query(user)))


def facilitates_owner(user: User, owner_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == owner_id, Membership.role == CohortRole.TRAINEE,
        Membership.cohort_id.in_(_facilitated_cohorts_query(user)))) > 0


def facilitators_of(owner: User) -> list[User]:
    """Who sees an entry the owner shares: the facilitators of every cohort they are a trainee in."""
    cohorts = select(Membership.cohort_id).where(Membership.user_id == owner.id,
                                                 Membership.role == CohortRole.TRAINEE)
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id.in_(cohorts), Membership.role == CohortRole.FACILITATOR)
        .distinct().order_by(User.name)))


def takes_part(user: User) -> bool:
    """Whether the journal is in the user's navigation: trainees and facilitators of a cohort,
    and anyone an entry was ever flagged to (a supervisor may be a coordinator)."""
    member = select(Membership.id).where(Membership.user_id == user.id,
                                         Membership.role.in_([CohortRole.TRAINEE, CohortRole.FACILITATOR]))
    supervised = select(Flag.id).where(Flag.supervisor_id == user.id)
    return bool(db.session.scalar(select(member.exists() | supervised.exists())))


def is_facilitator(user: User) -> bool:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == user.id, Membership.role == CohortRole.FACILITATOR)) > 0


# --- reading entries -----------------------------------------------------------------------------

OWNER, FACILITATOR = "owner", "facilitator"


def _entry_or_404(entry_id: int) -> Entry:
    entry = db.session.scalar(select(Entry).where(Entry.id == entry_id).options(
        selectinload(Entry.comments).selectinload(Comment.author), selectinload(Entry.flag),
        selectinload(Entry.owner), selectinload(Entry.module), selectinload(Entry.activity)))
    if entry is None:
        abort(404)
    return entry


def reader_role(user: User, entry: Entry) -> str | None:
    """How `user` may read `entry`: as its owner, as a facilitator (shared only), or not at all.
    Coordinators and admins have no role here: their site role or coordinator membership gives
    them nothing."""
    if entry.owner_id == user.id:
        return OWNER
    if entry.shared and facilitates_owner(user, entry.owner_id):
        return FACILITATOR
    return None


def entry_for_reader_or_404(user: User, entry_id: int) -> tuple[Entry, str]:
    """The entry and the reader's role; 404 (not 403) for anyone else, so a private entry's
    existence is not revealed."""
    entry = _entry_or_404(entry_id)
    role = reader_role(user, entry)
    if role is None:
        abort(404)
    return entry, role


def entry_for_owner_or_404(user: User, entry_id: int) -> Entry:
    entry = _entry_or_404(entry_id)
    if entry.owner_id != user.id:
        abort(404)
    return entry


def mark_seen(entry: Entry, user: User) -> None:
    seen = db.session.scalar(select(Seen).where(Seen.entry_id == entry.id, Seen.user_id == user.id))
    if seen is None:
        db.session.add(Seen(entry_id=entry.id, user_id=user.id, seen_at=utcnow()))
    else:
        seen.seen_at = utcnow()


def record_read(entry: Entry, reader: User) -> None:
    """A read by someone other than the owner goes to the audit log, every time."""
    mark_seen(entry, reader)
    if reader.id != entry.owner_id:
        audit.record("journal.entry.read", entry, actor=reader, owner_id=entry.owner_id)


def my_entries(user: User) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(Entry.owner_id == user.id)
        .options(selectinload(Entry.comments), selectinload(Entry.flag), selectinload(Entry.module))
        .order_by(Entry.entry_date.desc(), Entry.id.desc())))


@dataclass
class SharedItem:
    entry: Entry
    is_new: bool


def shared_with(user: User) -> list[SharedItem]:
    """Entries shared by the trainees of the cohorts `user` facilitates, newest activity first,
    each marked new when something happened since the user last looked (two queries)."""
    rows = db.session.execute(
        select(Entry, Seen.seen_at).outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
        .where(Entry.shared.is_(True), Entry.owner_id.in_(_trainees_of_facilitator_query(user)))
        .options(selectinload(Entry.owner), selectinload(Entry.comments))
        .order_by(Entry.activity_at.desc(), Entry.id.desc())).all()
    return [SharedItem(entry, seen_at is None or seen_at < entry.activity_at) for entry, seen_at in rows]


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
    if entry.activity_id is None:
        entry.module_id = data.module_id


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
    _check_not_empty(entry)
    db.session.add(entry)
    db.session.flush()
    if activity is not None:
        update_completion(owner, activity)
    return entry


def update_entry(entry: Entry, data: EntryData, base_version: int | None) -> Entry:
    """Save an edit made on `base_version`; EntryConflict (nothing written) when the entry was
    saved since, in another tab or on another device."""
    current = db.session.scalar(select(Entry).where(Entry.id == entry.id).with_for_update()
                                .execution_options(populate_existing=True))
    if current is None:
        abort(404)
    if base_version != current.version:
        raise EntryConflict(current)
    _apply(current, data)
    _check_not_empty(current)
    current.version += 1
    current.updated_at = utcnow()
    if current.shared:
        current.activity_at = current.updated_at
    db.session.flush()
    return current


def delete_entry(entry: Entry) -> None:
    activity = entry.activity
    owner = entry.owner
    db.session.delete(entry)
    db.session.flush()
    if activity is not None:
        update_completion(owner, activity)


def set_shared(entry: Entry, shared: bool) -> None:
    """Share with the facilitators of the owner's cohorts, or take the entry back. Comments stay
    with the entry; a facilitator sees them again only if it is shared again."""
    if entry.shared == shared:
        return
    entry.shared = shared
    entry.shared_at = utcnow() if shared else None
    if shared:
        entry.activity_at = entry.shared_at
    audit.record("journal.entry.share" if shared else "journal.entry.unshare", entry)
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

def entries_for_activity(user: User, activity: Activity) -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.owner_id == user.id, Entry.activity_id == activity.id)
                                   .order_by(Entry.entry_date, Entry.id)))


def min_entries(activity: Activity) -> int:
    return int((activity.settings or {}).get("min_entries", 1))


def update_completion(user: User, activity: Activity) -> None:
    """A journal activity is done once the trainee has written `min_entries` entries on its
    prompt (entries linked to the activity); started with fewer. Done stays done."""
    count = db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.owner_id == user.id, Entry.activity_id == activity.id))
    if count >= min_entries(activity):
        progress.mark_done(user, activity)
    elif count:
        progress.mark_started(user, activity)


# --- prompts ---------------------------------------------------------------------------------------

def available_prompts(programme_id: int | None) -> dict[str, dict[str, Any]]:
    """The prompts journal activities of the programme use, by slug (a free entry may pick any)."""
    if programme_id is None:
        return {}
    settings = db.session.scalars(select(Activity.settings).join(Module).where(
        Activity.type == "journal", Activity.retired.is_(False), Module.programme_id == programme_id)
        .order_by(Module.order, Activity.position))
    prompts: dict[str, dict[str, Any]] = {}
    for s in settings:
        prompt = (s or {}).get("prompt")
        if prompt and prompt.get("slug"):
            prompts.setdefault(prompt["slug"], prompt)
    return prompts


# --- flags: "this is weighing on me" -----------------------------------------------------------

def resolve_supervisor(trainee: User) -> User | None:
    """The supervisor the trainee's cohort names: a per-trainee choice first, then the cohort's
    default; national cohorts before the transnational one."""
    cohorts = trainee_cohorts(trainee.id)
    if not cohorts:
        return None
    rows = list(db.session.scalars(select(Supervisor).where(
        Supervisor.cohort_id.in_([c.id for c in cohorts]),
        or_(Supervisor.trainee_id == trainee.id, Supervisor.trainee_id.is_(None)))
        .options(selectinload(Supervisor.supervisor))))
    order = {c.id: i for i, c in enumerate(cohorts)}
    rows.sort(key=lambda s: (s.trainee_id is None, order[s.cohort_id]))
    return rows[0].supervisor if rows else None


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


def flag_for_reader_or_404(user: User, flag_id: int) -> tuple[Flag, str]:
    """The flag for its entry's owner or its supervisor; 404 for everyone else."""
    flag = db.session.scalar(select(Flag).where(Flag.id == flag_id).options(
        selectinload(Flag.entry).selectinload(Entry.owner), selectinload(Flag.supervisor),
        selectinload(Flag.replies).selectinload(FlagReply.author)))
    if flag is None:
        abort(404)
    if flag.entry.owner_id == user.id:
        return flag, OWNER
    if flag.supervisor_id is not None and flag.supervisor_id == user.id:
        return flag, "supervisor"
    abort(404)


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


def flags_for_supervisor(user: User) -> list[Flag]:
    return list(db.session.scalars(
        select(Flag).where(Flag.supervisor_id == user.id)
        .options(selectinload(Flag.entry).selectinload(Entry.owner), selectinload(Flag.replies))
        .order_by(Flag.resolved_at.is_not(None), Flag.created_at.desc())))


# --- naming supervisors --------------------------------------------------------------------------

def can_manage_supervisors(user: User, cohort: Cohort) -> bool:
    """Admins; the national coordinators of a national cohort's country; the transnational
    coordinators for a transnational cohort."""
    if user.site_role == SiteRole.ADMIN:
        return True
    if cohort.country_id is None:
        return user.site_role == SiteRole.TRANSNATIONAL_COORDINATOR
    return db.session.scalar(select(func.count()).select_from(Membership).join(Cohort).where(
        Membership.user_id == user.id, Membership.role == CohortRole.COORDINATOR,
        Cohort.country_id == cohort.country_id)) > 0


def _manageable_query(user: User):
    query = select(Cohort)
    if user.site_role != SiteRole.ADMIN:
        countries = select(Cohort.country_id).join(Membership).where(
            Membership.user_id == user.id, Membership.role == CohortRole.COORDINATOR, Cohort.country_id.is_not(None))
        condition = Cohort.country_id.in_(countries)
        if user.site_role == SiteRole.TRANSNATIONAL_COORDINATOR:
            condition = condition | Cohort.country_id.is_(None)
        query = query.where(condition)
    return query


def manageable_cohorts(user: User) -> list[Cohort]:
    """The cohorts whose supervisors the user names (same rule as can_manage_supervisors)."""
    return list(db.session.scalars(_manageable_query(user).options(selectinload(Cohort.run)).order_by(Cohort.name)))


def count_cohorts_without_supervisor(user: User, today: date) -> int:
    """Running or future cohorts the user names supervisors for that have none yet."""
    if user.site_role is None and not any(m.role == CohortRole.COORDINATOR for m in user.memberships):
        return 0
    named = select(Supervisor.cohort_id).where(Supervisor.trainee_id.is_(None))
    query = _manageable_query(user).join(ProgrammeRun).where(ProgrammeRun.ends_on >= today, Cohort.id.not_in(named))
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def supervisor_candidates(cohort: Cohort) -> list[User]:
    """Who may be named: the cohort's facilitators and national coordinators."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id,
               Membership.role.in_([CohortRole.FACILITATOR, CohortRole.COORDINATOR]), User.active.is_(True))
        .order_by(User.name)))


def cohort_trainees(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE).order_by(User.name)))


def supervisors_of(cohort: Cohort) -> list[Supervisor]:
    return list(db.session.scalars(
        select(Supervisor).where(Supervisor.cohort_id == cohort.id)
        .options(selectinload(Supervisor.supervisor), selectinload(Supervisor.trainee))
        .order_by(Supervisor.trainee_id.is_not(None), Supervisor.id)))


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


# --- group reflection ----------------------------------------------------------------------------

GROUP_ROLES = (CohortRole.TRAINEE, CohortRole.FACILITATOR)


def group_cohorts(user: User) -> list[Cohort]:
    """The cohorts whose group space the user takes part in (as trainee or facilitator)."""
    return list(db.session.scalars(
        select(Cohort).join(Membership).join(ProgrammeRun)
        .where(Membership.user_id == user.id, Membership.role.in_(GROUP_ROLES)).options(selectinload(Cohort.run))
        .order_by(ProgrammeRun.starts_on.desc(), (Cohort.kind == CohortKind.TRANSNATIONAL).asc(), Cohort.name)))


def is_group_member(user: User, cohort: Cohort) -> bool:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == user.id, Membership.role.in_(GROUP_ROLES))) > 0


def group_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """A cohort's group space: its trainees and facilitators only; 404 for everyone else."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not is_group_member(user, cohort):
        abort(404)
    return cohort


def group_posts(cohort: Cohort) -> list[GroupPost]:
    return list(db.session.scalars(
        select(GroupPost).where(GroupPost.cohort_id == cohort.id)
        .options(selectinload(GroupPost.author), selectinload(GroupPost.replies).selectinload(GroupReply.author))
        .order_by(GroupPost.created_at.desc(), GroupPost.id.desc())))


def group_post_or_404(user: User, post_id: int) -> GroupPost:
    post = db.session.get(GroupPost, post_id)
    if post is None:
        abort(404)
    group_cohort_or_404(user, post.cohort_id)
    return post


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
    if post.author_id != user.id:
        abort(403)
    db.session.delete(post)
    db.session.flush()


def group_reply_or_404(user: User, reply_id: int) -> GroupReply:
    reply = db.session.get(GroupReply, reply_id)
    if reply is None:
        abort(404)
    group_post_or_404(user, reply.post_id)
    return reply


def delete_group_reply(reply: GroupReply, user: User) -> None:
    if reply.author_id != user.id:
        abort(403)
    db.session.delete(reply)
    db.session.flush()


# --- dashboards ----------------------------------------------------------------------------------

def count_shared_with_new_activity(user: User) -> int:
    """Shared entries of the user's trainees with something new since the user last looked."""
    return db.session.scalar(
        select(func.count(Entry.id)).outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
        .where(Entry.shared.is_(True), Entry.owner_id.in_(_trainees_of_facilitator_query(user)),
               or_(Seen.id.is_(None), Seen.seen_at < Entry.activity_at)))


def count_entries_with_new_comments(user: User) -> int:
    """The user's entries with a comment by someone else since the user last opened them."""
    newest = (select(Comment.entry_id, func.max(Comment.created_at).label("latest"))
              .where(Comment.author_id != user.id).group_by(Comment.entry_id).subquery())
    return db.session.scalar(
        select(func.count(Entry.id)).join(newest, newest.c.entry_id == Entry.id)
        .outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
        .where(Entry.owner_id == user.id, or_(Seen.id.is_(None), Seen.seen_at < newest.c.latest)))


def has_flags(user: User) -> bool:
    """Whether any entry was ever flagged to the user (open or closed conversations)."""
    return bool(db.session.scalar(select(select(Flag.id).where(Flag.supervisor_id == user.id).exists())))


def count_open_flags_for(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.supervisor_id == user.id, Flag.resolved_at.is_(None)))


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
        "comments_on_others_entries": written(Comment, Comment.author_id == user.id,
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
    _delete_entries(select(Entry.id).where(Entry.owner_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like("journal:%")))


def _delete_entries(entry_ids) -> None:
    """Bulk delete with the children listed explicitly: bulk statements do not run ORM cascades."""
    flags = select(Flag.id).where(Flag.entry_id.in_(entry_ids))
    db.session.execute(delete(FlagReply).where(FlagReply.flag_id.in_(flags)))
    db.session.execute(delete(Flag).where(Flag.entry_id.in_(entry_ids)))
    db.session.execute(delete(Comment).where(Comment.entry_id.in_(entry_ids)))
    db.session.execute(delete(Seen).where(Seen.entry_id.in_(entry_ids)))
    db.session.execute(delete(Entry).where(Entry.id.in_(entry_ids)))


class RetentionError(ValueError):
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
    return run.ends_on + timedelta(days=retention_days() + 1)


def purge_run(run: ProgrammeRun, today: date) -> PurgeReport:
    """Delete the journals of a run that ended more than JOURNAL_RETENTION_DAYS ago: the entries
    its trainees wrote up to the run's last day (with comments, flags and answers) and its
    cohorts' group spaces. Entries written later (a trainee in a newer run) stay."""
    allowed = purge_allowed_from(run)
    if today < allowed:
        raise RetentionError(
            f"run '{run.name}' ended on {run.ends_on.isoformat()}; its journals are kept for "
            f"{retention_days()} days (JOURNAL_RETENTION_DAYS) and can be purged from {allowed.isoformat()}. "
            "Nothing was deleted.")
    cohort_ids = select(Cohort.id).where(Cohort.run_id == run.id)
    trainees = select(Membership.user_id).where(Membership.cohort_id.in_(cohort_ids),
                                                Membership.role == CohortRole.TRAINEE)
    entry_ids = list(db.session.scalars(select(Entry.id).where(
        Entry.owner_id.in_(trainees), Entry.created_at < datetime.combine(run.ends_on + timedelta(days=1), time()))))
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
        report.drafts += db.session.execute(delete(Draft).where(Draft.key.in_(chunk))).rowcount or 0
    posts = select(GroupPost.id).where(GroupPost.cohort_id.in_(cohort_ids))
    db.session.execute(delete(GroupReply).where(GroupReply.post_id.in_(posts)))
    db.session.execute(delete(GroupPost).where(GroupPost.cohort_id.in_(cohort_ids)))
    audit.record("journal.purge", run, entries=report.entries, group_posts=report.group_posts,
                 retention_days=retention_days())
    db.session.flush()
    return report


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
