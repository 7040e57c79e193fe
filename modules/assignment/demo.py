"""Demo records: in every national cohort, written work handed in some days ago and waiting for
the facilitator's feedback, so the queue and the home pages of the demo show real work."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Membership, ProgrammeRun, User
from app.services.programme import overview, viewer_for
from app.timeutil import utcnow

from .submissions import TYPE, find_submission, is_group_activity, kind_of, trainee_context
from .writes import Work, submit

TEXTS = [
    "<p>I work in a municipal family service team of six social workers. Most of the families we meet "
    "have contact with at least three other services at the same time. What I want to learn is how to "
    "plan together with the whole family instead of with each service separately.</p>",
    "<p>In our team the family usually hears about decisions after the professionals have met. My first "
    "idea is small: invite the family to the start of every network meeting and let them set the "
    "agenda's first point.</p>",
]
#: How many days ago each hand-in happened: the oldest waits almost a week.
DAYS_AGO = [6, 4, 2]


def _national_trainees(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership).where(
        Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE).order_by(User.id)))


def _text_tasks_due(user: User, run: ProgrammeRun, today: date) -> list:
    viewer = viewer_for(user, run)
    if viewer is None:
        return []
    items = [item for module in overview(viewer).modules for item in module.activities
             if item.activity.type == TYPE and item.due is not None and item.due <= today
             and kind_of(item.activity) == "text" and not is_group_activity(item.activity)]
    return sorted(items, key=lambda item: item.due)[:2]


def _hand_in(user: User, run: ProgrammeRun, activity, text: str, days_ago: int) -> None:
    ctx = trainee_context(viewer_for(user, run), activity)
    if find_submission(ctx) is not None:
        return
    version = submit(ctx, Work(body_html=text), 0)
    when = utcnow() - timedelta(days=days_ago)
    version.submitted_at = when
    version.submission.submitted_at = when


def seed_demo(run: ProgrammeRun, today: date) -> None:
    """The first trainee of each national cohort has handed in two tasks, the second one."""
    for cohort in db.session.scalars(select(Cohort).where(Cohort.run_id == run.id,
                                                          Cohort.kind == CohortKind.NATIONAL)):
        trainees = _national_trainees(cohort)
        hand_ins = [(0, 0), (0, 1), (1, 0)]  # (trainee, task)
        for number, (trainee, task) in enumerate(hand_ins):
            if trainee >= len(trainees):
                continue
            tasks = _text_tasks_due(trainees[trainee], run, today)
            if task < len(tasks):
                _hand_in(trainees[trainee], run, tasks[task].activity, TEXTS[task], DAYS_AGO[number])
    db.session.flush()
