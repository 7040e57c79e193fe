"""Who may read and change what in the journal. Every access decision of the plugin is made here:

- an entry is read by its owner; while it is shared, by the facilitators of the cohort its module
  belongs to (a national module or none: the owner's national cohort; a transnational module: the
  transnational cohort) whom the owner chose (the Audience rows: no row, no reader); never
  by coordinators or admins as such (ARCHITECTURE.md section 5);
- a flag ("this is weighing on me") and the entry it carries are read by the owner and by the one
  supervisor the flag was sent to, not by the cohort's other facilitators;
- a cohort's group space is for its trainees and facilitators;
- supervisors are named by admins, by the national coordinators of a national cohort's country
  and by the transnational coordinators for a transnational cohort.

The `*_or_404` loaders raise app.errors.NotFound (a 404 page), so a private thing's existence is
not revealed."""
from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import trainee_cohorts_query
from app.errors import NotFound
from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Membership, Module, ProgrammeRun, SiteRole, User
from app.request_memo import memoised

from .models import Audience, Comment, Entry, Flag, FlagReply, GroupPost, GroupReply

# --- who is who ----------------------------------------------------------------------------------

def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def facilitated_cohorts_query(user: User):
    return select(Membership.cohort_id).where(Membership.user_id == user.id,
                                              Membership.role == CohortRole.FACILITATOR)


# The user's memberships come with the session lookup (app/sessions.py): no query on a page.

def is_facilitator_of(user: User, cohort_id: int | None) -> bool:
    return cohort_id is not None and any(m.cohort_id == cohort_id and m.role == CohortRole.FACILITATOR
                                         for m in user.memberships)


def takes_part(user: User) -> bool:
    """Whether the journal is in the user's navigation: trainees and facilitators of a cohort,
    and anyone an entry was ever flagged to (a supervisor may be a coordinator)."""
    if any(m.role in (CohortRole.TRAINEE, CohortRole.FACILITATOR) for m in user.memberships):
        return True
    return bool(db.session.scalar(select(select(Flag.id).where(Flag.supervisor_id == user.id).exists())))


def is_facilitator(user: User) -> bool:
    return any(m.role == CohortRole.FACILITATOR for m in user.memberships)


# --- reading entries -----------------------------------------------------------------------------

OWNER, FACILITATOR = "owner", "facilitator"


def audience_cohort(owner_id: int, module: Module | None, running_on: date | None = None) -> Cohort | None:
    """The cohort whose facilitators an entry about `module` is shared with: the owner's
    transnational cohort for a transnational module, their national cohort otherwise; of several
    (a trainee in more than one run) the latest run that teaches the module's programme. With
    `running_on`, only a cohort whose run is under way that day (where a new entry belongs)."""
    kind = CohortKind.TRANSNATIONAL if module is not None and module.is_transnational else CohortKind.NATIONAL
    query = (trainee_cohorts_query(owner_id).join(ProgrammeRun, ProgrammeRun.id == Cohort.run_id)
             .where(Cohort.kind == kind))
    if running_on is not None:
        query = query.where(ProgrammeRun.starts_on <= running_on, ProgrammeRun.ends_on >= running_on)
    if module is not None:
        query = query.order_by(ProgrammeRun.programme_id.is_distinct_from(module.programme_id).asc())
    return db.session.scalar(query.order_by(ProgrammeRun.starts_on.desc(), Cohort.id.desc()).limit(1))


def audience_candidates(cohort: Cohort | None) -> list[User]:
    """Whom "share with my facilitators" may reach: the cohort's active facilitators (once per
    GET request: the entry page asks for the names and for the readers)."""
    if cohort is None:
        return []
    return list(memoised("journal_audience_candidates", cohort.id, lambda: list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == CohortRole.FACILITATOR, User.active.is_(True))
        .order_by(User.name, User.id)))))


def share_cohort(entry: Entry) -> Cohort | None:
    """The cohort a share reaches: the one the entry belongs to, or for an entry written outside
    any run of its owner, their latest cohort of the module's kind."""
    if entry.cohort_id is not None:
        return db.session.get(Cohort, entry.cohort_id)
    return audience_cohort(entry.owner_id, entry.module)


def share_candidates(entry: Entry) -> list[User]:
    """The names the owner sees (and may tick) before sharing: the facilitators of the cohort the
    entry's module belongs to."""
    return audience_candidates(share_cohort(entry))


def audience_of(entry: Entry) -> list[User]:
    """Who can read the shared entry besides its owner (empty while it is private)."""
    if not entry.shared:
        return []
    chosen = {a.user_id for a in entry.audience}
    return [u for u in audience_candidates(entry.cohort) if u.id in chosen]


def _in_audience(user: User, entry: Entry) -> bool:
    if not entry.shared or not is_facilitator_of(user, entry.cohort_id):
        return False
    return any(a.user_id == user.id for a in entry.audience)


def shared_with_condition(user: User) -> ColumnElement[bool]:
    """The SQL form of `_in_audience`, for the lists and counts of entries shared with `user`."""
    chosen = select(Audience.entry_id).where(Audience.user_id == user.id)
    return and_(Entry.shared.is_(True), Entry.cohort_id.in_(facilitated_cohorts_query(user)), Entry.id.in_(chosen))


def _entry_or_404(entry_id: int) -> Entry:
    # The one-to-one rows come in the entry's own statement; the lists in one each.
    entry = db.session.scalar(select(Entry).where(Entry.id == entry_id).options(
        selectinload(Entry.comments).selectinload(Comment.author), joinedload(Entry.flag),
        selectinload(Entry.audience),
        joinedload(Entry.owner), joinedload(Entry.module), joinedload(Entry.activity)))
    if entry is None:
        raise NotFound
    return entry


def reader_role(user: User, entry: Entry) -> str | None:
    """How `user` may read `entry`: as its owner, as a facilitator in its audience (shared only),
    or not at all. Coordinators and admins have no role here: their site role or coordinator
    membership gives them nothing."""
    if entry.owner_id == user.id:
        return OWNER
    if _in_audience(user, entry):
        return FACILITATOR
    return None


def entry_for_reader_or_404(user: User, entry_id: int) -> tuple[Entry, str]:
    """The entry and the reader's role; 404 (not 403) for anyone else, so a private entry's
    existence is not revealed."""
    entry = _entry_or_404(entry_id)
    role = reader_role(user, entry)
    if role is None:
        raise NotFound
    return entry, role


def entry_for_owner_or_404(user: User, entry_id: int) -> Entry:
    entry = _entry_or_404(entry_id)
    if entry.owner_id != user.id:
        raise NotFound
    return entry


def flag_for_reader_or_404(user: User, flag_id: int) -> tuple[Flag, str]:
    """The flag for its entry's owner or its supervisor; 404 for everyone else."""
    flag = db.session.scalar(select(Flag).where(Flag.id == flag_id).options(
        selectinload(Flag.entry).selectinload(Entry.owner), selectinload(Flag.supervisor),
        selectinload(Flag.replies).selectinload(FlagReply.author)))
    if flag is None:
        raise NotFound
    if flag.entry.owner_id == user.id:
        return flag, OWNER
    if flag.supervisor_id is not None and flag.supervisor_id == user.id:
        return flag, "supervisor"
    raise NotFound


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


def manageable_cohorts_query(user: User):
    query = select(Cohort)
    if user.site_role != SiteRole.ADMIN:
        countries = select(Cohort.country_id).join(Membership).where(
            Membership.user_id == user.id, Membership.role == CohortRole.COORDINATOR, Cohort.country_id.is_not(None))
        condition: ColumnElement[bool] = Cohort.country_id.in_(countries)
        if user.site_role == SiteRole.TRANSNATIONAL_COORDINATOR:
            condition = condition | Cohort.country_id.is_(None)
        query = query.where(condition)
    return query


# --- group reflection ----------------------------------------------------------------------------

GROUP_ROLES = (CohortRole.TRAINEE, CohortRole.FACILITATOR)


def is_group_member(user: User, cohort: Cohort) -> bool:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == user.id, Membership.role.in_(GROUP_ROLES))) > 0


def group_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """A cohort's group space: its trainees and facilitators only; 404 for everyone else."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not is_group_member(user, cohort):
        raise NotFound
    return cohort


def group_post_or_404(user: User, post_id: int) -> GroupPost:
    post = db.session.get(GroupPost, post_id)
    if post is None:
        raise NotFound
    group_cohort_or_404(user, post.cohort_id)
    return post


def group_reply_or_404(user: User, reply_id: int) -> GroupReply:
    reply = db.session.get(GroupReply, reply_id)
    if reply is None:
        raise NotFound
    group_post_or_404(user, reply.post_id)
    return reply


def may_delete(user: User, item: GroupPost | GroupReply) -> bool:
    """Authors may take back what they posted in a group space, and no one else."""
    return item.author_id == user.id
