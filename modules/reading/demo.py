"""Demo data of the reading plugin: the demo run's national trainees have done some of their
readings (see app/services/demo_progress.py, which calls every plugin's `seed_demo`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortRole, Membership, ProgrammeRun, User
from app.services import progress
from app.services.programme import overview, viewer_for

TYPE = "reading"


def seed_demo(run: ProgrammeRun, today: date) -> None:
    for position, user in enumerate(_national_trainees(run)):
        _complete_readings(user, today, position % 3)


def _national_trainees(run: ProgrammeRun) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).join(Cohort).where(Cohort.run_id == run.id, Cohort.country_id.is_not(None),
                                                        Membership.role == CohortRole.TRAINEE)
        .order_by(Cohort.id, User.id)))


def _complete_readings(user: User, today: date, pace: int) -> None:
    """pace 0: every reading due so far but the latest; 1: half of them; 2: the first one."""
    viewer = viewer_for(user)
    if viewer is None:
        return
    due = sorted((item for module in overview(viewer).modules for item in module.activities
                  if item.activity.type == TYPE and item.available and item.due is not None
                  and item.due <= today), key=lambda item: item.due)
    count = {0: len(due) - 1, 1: len(due) // 2, 2: min(1, len(due))}[pace]
    for item in due[:max(count, 0)]:
        progress.mark_done(user, item.activity)
