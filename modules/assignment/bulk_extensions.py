"""One extension for several trainees (or country groups) of a cohort at once: all or nothing.

The owners come as 'user:<id>' / 'group:<id>' tokens from checkboxes; every one must belong to
the cohort (resolved in one query), else nothing is granted and the page says how many were not
recognised, so a forged or stale id never grants anything and never fails with an error page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.input_guard import parse_id
from app.models import Activity, Cohort, CohortRole, Membership, User

from .submissions import Owner, country_group_ids, is_group_activity
from .writes import grant_extension

#: More boxes than any cohort has trainees: a forged form, refused before any query.
MAX_OWNERS = 500


@dataclass
class BulkRequest:
    tokens: list[str]
    due_on: date
    reason: str
    base_due: date | None


class BulkRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def owners_in_cohort(tokens: list[str], cohort: Cohort, activity: Activity) -> tuple[list[Owner], int]:
    """The owners the tokens name that belong to the cohort, and how many tokens did not."""
    kind = "group" if is_group_activity(activity) else "user"
    wanted: dict[int, None] = {}
    unknown = 0
    for token in dict.fromkeys(tokens):
        prefix, _sep, raw_id = token.partition(":")
        owner_id = parse_id(raw_id)
        if prefix != kind or owner_id is None:
            unknown += 1
        else:
            wanted[owner_id] = None
    if kind == "group":
        allowed = country_group_ids(cohort)
        found = {c.id: Owner(group=c) for c in db.session.scalars(
            select(Cohort).where(Cohort.id.in_([i for i in wanted if i in allowed])))}
    else:
        found = {u.id: Owner(user=u) for u in db.session.scalars(select(User).join(Membership).where(
            User.id.in_(list(wanted)), Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE))}
    return [found[i] for i in wanted if i in found], unknown + sum(1 for i in wanted if i not in found)


def check(request: BulkRequest, cohort: Cohort, activity: Activity) -> list[Owner]:
    """The owners to extend; BulkRefused with the reason when anything is wrong (nothing written)."""
    if not request.tokens:
        raise BulkRefused(_("Choose at least one trainee for the extension."))
    if len(request.tokens) > MAX_OWNERS:
        raise BulkRefused(_("Too many trainees were chosen. Nothing was changed."))
    if request.base_due is not None and request.due_on < request.base_due:
        raise BulkRefused(_("The new due date cannot be before the task's own due date, %(date)s.",
                            date=format_date(request.base_due)))
    owners, unknown = owners_in_cohort(request.tokens, cohort, activity)
    if unknown:
        raise BulkRefused(ngettext(
            "%(num)d of the chosen trainees is not in this cohort. Nothing was changed: "
            "reload the page and choose again.",
            "%(num)d of the chosen trainees are not in this cohort. Nothing was changed: "
            "reload the page and choose again.",
            unknown))
    return owners


def grant_all(by: User, activity: Activity, owners: list[Owner], request: BulkRequest) -> None:
    """Every owner gets the same date and reason, and is told (grant_extension notifies)."""
    for owner in owners:
        grant_extension(by, activity, owner, request.due_on, request.reason)
