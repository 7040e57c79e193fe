"""Read models of the journal: a trainee's entries, what is shared with a facilitator, prompts,
supervisors, group spaces and the dashboard counts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.access import trainee_cohorts_query
from app.extensions import db
from app.models import Activity, Cohort, CohortKind, CohortRole, Membership, Module, ProgrammeRun, User

from .access import GROUP_ROLES, manageable_cohorts_query, shared_with_condition
from .models import Comment, Entry, Flag, GroupPost, GroupReply, Seen, Supervisor


def trainee_cohorts(user_id: int) -> list[Cohort]:
    """The cohorts a user is a trainee in, national before transnational, latest run first."""
    return list(db.session.scalars(
        trainee_cohorts_query(user_id).join(ProgrammeRun, ProgrammeRun.id == Cohort.run_id)
        .order_by((Cohort.kind == CohortKind.TRANSNATIONAL).asc(), ProgrammeRun.starts_on.desc(), Cohort.id)))


def my_entries(user: User) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).where(Entry.owner_id == user.id)
        .options(selectinload(Entry.comments), selectinload(Entry.flag), selectinload(Entry.module))
        .order_by(Entry.entry_date.desc(), Entry.id.desc())))


@dataclass
class SharedItem:
    """One row of the shared list: the entry's own columns the row shows, its owner's name and
    how many comments it has."""
    entry: Entry
    owner_name: str
    comment_count: int
    is_new: bool


#: The list shows a title and a date: an entry's body, prompt and answers (and every comment's
#: body, for a count) are not loaded for it.
_SHARED_COLUMNS = (Entry.title, Entry.entry_date, Entry.activity_at, Entry.owner_id)


def shared_with(user: User) -> list[SharedItem]:
    """Entries shared with `user` (access.shared_with_condition), newest activity first,
    each marked new when something happened since the user last looked (one query)."""
    comments = select(func.count(Comment.id)).where(Comment.entry_id == Entry.id).scalar_subquery()
    rows = db.session.execute(
        select(Entry, User.name, comments, Seen.seen_at).join(User, User.id == Entry.owner_id)
        .outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
        .where(shared_with_condition(user))
        .options(load_only(*_SHARED_COLUMNS))
        .order_by(Entry.activity_at.desc(), Entry.id.desc())).all()
    return [SharedItem(entry, name, count, seen_at is None or seen_at < entry.activity_at)
            for entry, name, count, seen_at in rows]


def entries_for_activity(user: User, activity: Activity) -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.owner_id == user.id, Entry.activity_id == activity.id)
                                   .order_by(Entry.entry_date, Entry.id)))


def min_entries(activity: Activity) -> int:
    return int((activity.settings or {}).get("min_entries", 1))


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


def resolve_supervisor(trainee: User) -> User | None:
    """The supervisor the trainee's cohort names: a per-trainee choice first, then the cohort's
    default; national cohorts before the transnational one."""
    # One statement: the trainee's cohorts in trainee_cohorts' order, with their supervisors.
    rows = list(db.session.execute(
        select(Supervisor, Cohort.kind, ProgrammeRun.starts_on)
        .join(Cohort, Cohort.id == Supervisor.cohort_id).join(ProgrammeRun, ProgrammeRun.id == Cohort.run_id)
        .join(Membership, (Membership.cohort_id == Cohort.id) & (Membership.user_id == trainee.id)
              & (Membership.role == CohortRole.TRAINEE))
        .where(or_(Supervisor.trainee_id == trainee.id, Supervisor.trainee_id.is_(None)))
        .options(joinedload(Supervisor.supervisor))).unique())
    rows.sort(key=lambda r: (r[0].trainee_id is None, r[1] == CohortKind.TRANSNATIONAL,
                             -r[2].toordinal(), r[0].cohort_id))
    return rows[0][0].supervisor if rows else None


def flag_recipient(entry: Entry) -> User | None:
    """Whom flagging the entry sends it to (writes.flag_entry): a reopened conversation stays with
    the supervisor it began with, while the cohort names one; otherwise the cohort's supervisor."""
    supervisor = resolve_supervisor(entry.owner)
    if supervisor is not None and entry.flag is not None and entry.flag.supervisor_id:
        return entry.flag.supervisor
    return supervisor


def flags_for_supervisor(user: User) -> list[Flag]:
    return list(db.session.scalars(
        select(Flag).where(Flag.supervisor_id == user.id)
        .options(selectinload(Flag.entry).selectinload(Entry.owner), selectinload(Flag.replies))
        .order_by(Flag.resolved_at.is_not(None), Flag.created_at.desc())))


# --- naming supervisors --------------------------------------------------------------------------

def manageable_cohorts(user: User) -> list[Cohort]:
    """The cohorts whose supervisors the user names (same rule as can_manage_supervisors)."""
    return list(db.session.scalars(
        manageable_cohorts_query(user).options(selectinload(Cohort.run)).order_by(Cohort.name)))


def count_cohorts_without_supervisor(user: User, today: date) -> int:
    """Running or future cohorts the user names supervisors for that have none yet."""
    if user.site_role is None and not any(m.role == CohortRole.COORDINATOR for m in user.memberships):
        return 0
    named = select(Supervisor.cohort_id).where(Supervisor.trainee_id.is_(None))
    query = manageable_cohorts_query(user).join(ProgrammeRun).where(ProgrammeRun.ends_on >= today,
                                                                    Cohort.id.not_in(named))
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


def group_cohorts(user: User) -> list[Cohort]:
    """The cohorts whose group space the user takes part in (as trainee or facilitator)."""
    return list(db.session.scalars(
        select(Cohort).join(Membership).join(ProgrammeRun)
        .where(Membership.user_id == user.id, Membership.role.in_(GROUP_ROLES)).options(selectinload(Cohort.run))
        .order_by(ProgrammeRun.starts_on.desc(), (Cohort.kind == CohortKind.TRANSNATIONAL).asc(), Cohort.name)))


def group_posts(cohort: Cohort) -> list[GroupPost]:
    return list(db.session.scalars(
        select(GroupPost).where(GroupPost.cohort_id == cohort.id)
        .options(selectinload(GroupPost.author), selectinload(GroupPost.replies).selectinload(GroupReply.author))
        .order_by(GroupPost.created_at.desc(), GroupPost.id.desc())))


# --- dashboards ----------------------------------------------------------------------------------

def _shared_with_new_activity(user: User):
    return (select(func.count(Entry.id)).outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
            .where(shared_with_condition(user), or_(Seen.id.is_(None), Seen.seen_at < Entry.activity_at)))


def count_shared_with_new_activity(user: User) -> int:
    """Shared entries of the user's trainees with something new since the user last looked."""
    return db.session.scalar(_shared_with_new_activity(user))


def _entries_with_new_comments(user: User):
    # Only the user's own entries' comments: otherwise the planner groups every comment of the
    # programme (a scan that grows with it) before joining to a handful of entries.
    own = select(Entry.id).where(Entry.owner_id == user.id)
    newest = (select(Comment.entry_id, func.max(Comment.created_at).label("latest"))
              .where(Comment.author_id != user.id, Comment.entry_id.in_(own)).group_by(Comment.entry_id).subquery())
    return (select(func.count(Entry.id)).join(newest, newest.c.entry_id == Entry.id)
            .outerjoin(Seen, and_(Seen.entry_id == Entry.id, Seen.user_id == user.id))
            .where(Entry.owner_id == user.id, or_(Seen.id.is_(None), Seen.seen_at < newest.c.latest)))


def count_entries_with_new_comments(user: User) -> int:
    """The user's entries with a comment by someone else since the user last opened them."""
    return db.session.scalar(_entries_with_new_comments(user))


def _open_flags_for(user: User):
    return select(func.count()).select_from(Flag).where(Flag.supervisor_id == user.id, Flag.resolved_at.is_(None))


def home_counts(user: User) -> tuple[int, int, int]:
    """(shared entries with new activity, open flags to the user, own entries with new comments)
    in one statement: the home page asks for all three."""
    row = db.session.execute(select(_shared_with_new_activity(user).scalar_subquery(),
                                    _open_flags_for(user).scalar_subquery(),
                                    _entries_with_new_comments(user).scalar_subquery())).one()
    return row[0] or 0, row[1] or 0, row[2] or 0


def has_flags(user: User) -> bool:
    """Whether any entry was ever flagged to the user (open or closed conversations)."""
    return bool(db.session.scalar(select(select(Flag.id).where(Flag.supervisor_id == user.id).exists())))


def count_open_flags_for(user: User) -> int:
    return db.session.scalar(_open_flags_for(user))


def work_counts(activity_ids: list[int], user_ids: list[int]) -> dict[int, int]:
    """Entries written for these journal activities by these trainees (the content update's check)."""
    if not activity_ids or not user_ids:
        return {}
    return dict(db.session.execute(select(Entry.activity_id, func.count()).where(
        Entry.activity_id.in_(activity_ids), Entry.owner_id.in_(user_ids)).group_by(Entry.activity_id)).all())
