"""Many trainees' programme overviews at once, for the cohort progress grid and the programme
dashboard: the same Overview each trainee sees (app/services/programme.py), built from rows
loaded once for all of them, so a page costs a fixed number of queries whatever the number of
trainees (tests/test_cohort_progress.py and tests/test_dashboard.py count them)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Activity,
    Attendance,
    Cohort,
    CohortRole,
    Completion,
    Meeting,
    Membership,
    Programme,
    ProgrammeRun,
    User,
)
from ..plugins import registry
from .meetings import programme_of
from .programme import Overview, ProgrammeRows, Viewer, assemble_overview, programme_rows


@dataclass
class TraineeOverview:
    user: User
    #: The trainee's cohorts in the run (national first when they have one).
    cohorts: list[Cohort]
    overview: Overview


def trainee_overviews(run: ProgrammeRun, cohorts: list[Cohort], only_users: Collection[int] | None = None,
                      ) -> tuple[dict[int, list[TraineeOverview]], ProgrammeRows | None]:
    """{cohort id: its trainees' overviews, by name} for cohorts of one run (ten queries or so,
    plus one per plugin that overrides due dates). A trainee of a national cohort and of the
    transnational one has the same overview in both. `only_users` limits it to those trainees
    (a CSV export builds a large cohort a batch at a time)."""
    cohort_ids = [c.id for c in cohorts]
    by_cohort: dict[int, list[TraineeOverview]] = {c.id: [] for c in cohorts}
    programme = programme_of(run)
    if not cohort_ids:
        return by_cohort, None
    trainee_ids = select(Membership.user_id).where(Membership.cohort_id.in_(cohort_ids),
                                                   Membership.role == CohortRole.TRAINEE)
    if only_users is not None:
        trainee_ids = trainee_ids.where(Membership.user_id.in_(list(only_users)))
    memberships = list(db.session.scalars(
        select(Membership).join(Cohort).where(Cohort.run_id == run.id, Membership.role == CohortRole.TRAINEE,
                                              Membership.user_id.in_(trainee_ids))
        .options(joinedload(Membership.user), joinedload(Membership.cohort).joinedload(Cohort.country))))
    cohorts_of: dict[int, list[Cohort]] = defaultdict(list)
    users: dict[int, User] = {}
    for m in sorted(memberships, key=lambda m: (m.cohort.country_id is None, m.cohort_id)):
        cohorts_of[m.user_id].append(m.cohort)
        users[m.user_id] = m.user
    if programme is None:
        # No programme imported yet: the trainees still count, with nothing to do or done. The
        # stand-in is never added to the session.
        programme = Programme(slug="", title="", version="", total_hours=Decimal(0), duration_months=0)
        rows = ProgrammeRows([], [], [])
    else:
        rows = programme_rows(programme, run)
    all_cohort_ids = sorted({c.id for cs in cohorts_of.values() for c in cs})
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.cohort_id.in_(all_cohort_ids))
                                       .order_by(Meeting.starts_on, Meeting.id))) if all_cohort_ids else []
    completions: dict[int, dict[int, Completion]] = defaultdict(dict)
    attended: dict[int, set[int]] = defaultdict(set)
    if users:
        activity_ids = select(Activity.id).where(Activity.module_id.in_([m.id for m in rows.modules]))
        for c in db.session.scalars(select(Completion).where(Completion.user_id.in_(trainee_ids),
                                                             Completion.activity_id.in_(activity_ids))):
            completions[c.user_id][c.activity_id] = c
        if meetings:
            for user_id, meeting_id in db.session.execute(select(Attendance.user_id, Attendance.meeting_id).where(
                    Attendance.user_id.in_(trainee_ids), Attendance.present.is_(True),
                    Attendance.meeting_id.in_([m.id for m in meetings]))):
                attended[user_id].add(meeting_id)
    overrides = _due_overrides(list(users.values()), cohorts_of, rows)
    wanted = set(cohort_ids)
    memo: dict = {}
    meetings_of: dict[tuple[int, ...], list[Meeting]] = {}
    for user_id, user in sorted(users.items(), key=lambda item: item[1].name.lower()):
        own = cohorts_of[user_id]
        national = next((c for c in own if c.country_id is not None), None)
        viewer = Viewer(user=user, programme=programme, run=run, cohorts=own,
                        country_id=national.country_id if national else None,
                        country_code=national.country.code if national else None, is_trainee=True)
        own_key = tuple(sorted(c.id for c in own))
        if own_key not in meetings_of:
            meetings_of[own_key] = [m for m in meetings if m.cohort_id in own_key]
        view = assemble_overview(viewer, rows, meetings_of[own_key], completions[user_id], attended[user_id],
                                 overrides.get(user_id), memo)
        for cohort in own:
            if cohort.id in wanted:
                by_cohort[cohort.id].append(TraineeOverview(user, own, view))
    return by_cohort, rows if programme.id is not None else None


def _due_overrides(users: list[User], cohorts_of: dict[int, list[Cohort]],
                   rows: ProgrammeRows) -> dict[int, dict[int, date]]:
    """Extensions and other per-trainee due dates: one call per plugin for every trainee."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for activity in rows.activities:
        by_type[activity.type].append(activity.id)
    trainee_cohorts = {user_id: [c.id for c in cs] for user_id, cs in cohorts_of.items()}
    found: dict[int, dict[int, date]] = defaultdict(dict)
    if not users:
        return found
    for type_, ids in by_type.items():
        plugin = registry().get(type_)
        if plugin is None:
            continue
        for (user_id, activity_id), due in plugin.due_dates_for(users, trainee_cohorts, ids).items():
            found[user_id][activity_id] = due
    return found
