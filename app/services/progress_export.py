"""The cohort progress CSV, built a batch of trainees at a time while it is sent: the rows are
those of the progress grid (app/services/cohort_progress.py), from the same narrow rows
(app/services/progress_figures.py), in the same order, but never more than EXPORT_BATCH
trainees' figures are in memory, whatever the size of the cohort."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Cohort, CohortRole, Membership, User
from .cohort_progress import CohortProgress, TraineeProgress, progress_csv_rows, progress_from
from .meetings import programme_of
from .progress_figures import build_figures

EXPORT_BATCH = 500


def _trainees(cohort: Cohort, *columns):
    return (select(*(columns or (User,))).join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE))


def progress_rows(cohort: Cohort, today: date) -> Iterator[list]:
    """Every trainee's row of the progress CSV, by name, as cohort_progress() orders them."""
    if programme_of(cohort.run) is None:
        # No programme yet: names only, in the member list's order, read from a server-side cursor.
        users = db.session.scalars(_trainees(cohort).order_by(User.name).execution_options(yield_per=EXPORT_BATCH))
        for user in users:
            yield from progress_csv_rows(CohortProgress(cohort, [TraineeProgress(user, None, 0, 0, [], None)], {}))
        return
    # The order the grid sorts by (Python's lower(), which SQL's differs from for accented names):
    # ids and names only, then each batch of trainees built with a fixed number of queries.
    people = db.session.execute(_trainees(cohort, User.id, User.name).execution_options(yield_per=5000))
    ordered = [user_id for user_id, _ in sorted(people, key=lambda row: row[1].lower())]
    for start in range(0, len(ordered), EXPORT_BATCH):
        figures = build_figures(cohort.run, [cohort], today, only_users=ordered[start:start + EXPORT_BATCH])
        # Once written, nothing refers to the batch's figures (plain rows, not memoised), so they go.
        progress = [progress_from(t) for t in figures.by_cohort[cohort.id]]
        yield from progress_csv_rows(CohortProgress(cohort, progress, {}))
