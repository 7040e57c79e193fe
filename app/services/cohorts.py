"""Read models for cohorts: who is in them, counted without a query per cohort."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Cohort, CohortRole, Membership, User


def role_counts(cohort_ids: list[int]) -> dict[int, Counter]:
    """{cohort_id: Counter({role: n})} in one query."""
    counts: dict[int, Counter] = {cid: Counter() for cid in cohort_ids}
    if not cohort_ids:
        return counts
    rows = db.session.execute(
        select(Membership.cohort_id, Membership.role, func.count())
        .where(Membership.cohort_id.in_(cohort_ids)).group_by(Membership.cohort_id, Membership.role))
    for cohort_id, role, n in rows:
        counts[cohort_id][role] = n
    return counts


def members(cohort: Cohort) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.cohort_id == cohort.id)
        .options(selectinload(Membership.user)).order_by(Membership.role, User.name)))


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class MemberRow:
    """A member as the cohort's page lists them: role and name (plain columns, no ORM objects)."""
    role: str
    user: Person


def member_rows(cohort: Cohort) -> list[MemberRow]:
    """`members`, for reading only: one narrow query, in the same order."""
    return [MemberRow(role, Person(user_id, name)) for role, user_id, name in db.session.execute(
        select(Membership.role, User.id, User.name).join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == cohort.id).order_by(Membership.role, User.name))]


def memberships_of(user: User, role: CohortRole | None = None) -> list[Membership]:
    return [m for m in user.memberships if role is None or m.role == role]
