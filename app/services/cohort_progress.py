"""Where each trainee of a cohort stands: hours, required work done, overdue work, what is due
next. Status only, never content: facilitators and coordinators see that something is late,
not what anyone wrote."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..models import Cohort, CohortRole, User
from .cohorts import members
from .overviews import TraineeOverview
from .programme import DONE, ActivityItem, Hours, Overview
from .progress_figures import Trainee, TraineeFigures, figures_for


@dataclass
class TraineeProgress:
    #: The trainee (the grid and the dashboard read plain columns: Trainee).
    user: User | Trainee
    #: None when the trainee's run has no programme yet.
    hours: Hours | None
    required_done: int
    required_total: int
    #: Required work past its due date that can still be done, oldest first.
    overdue: list[ActivityItem]
    next_due: ActivityItem | None
    #: Questionnaires (and other work) that closed before the trainee did them: counted apart.
    missed: list[ActivityItem] = field(default_factory=list)
    #: The aggregate figures this row was made from (app/services/progress_figures.py).
    figures: TraineeFigures | None = None


@dataclass
class CohortProgress:
    cohort: Cohort
    trainees: list[TraineeProgress]
    #: Module title -> how many trainees have done all its required work, in programme order.
    modules_done: dict[str, int]

    @property
    def behind(self) -> int:
        return sum(1 for t in self.trainees if t.overdue)


def _required(view: Overview) -> list[ActivityItem]:
    return [a for m in view.modules for a in m.activities if a.activity.required and a.available]


def trainee_progress(user: User, view: Overview, today: date) -> TraineeProgress:
    required = _required(view)
    pending = sorted((a for a in required if not a.done and a.due is not None and not a.missed(today)),
                     key=lambda a: a.due)
    overdue = [a for a in pending if a.due < today]
    upcoming = next((a for a in pending if a.due >= today), None)
    missed = [a for a in required if a.missed(today)]
    return TraineeProgress(user, view.hours, sum(1 for a in required if a.done), len(required),
                           overdue, upcoming, missed)


def progress_of(cohort: Cohort, overviews: list[TraineeOverview], today: date) -> CohortProgress:
    trainees: list[TraineeProgress] = []
    modules_done: Counter[str] = Counter()
    order: dict[str, int] = {}
    for item in overviews:
        trainees.append(trainee_progress(item.user, item.overview, today))
        for module in item.overview.modules:
            order.setdefault(module.module.title, module.module.order)
            modules_done[module.module.title] += module.status == DONE
    titles = sorted(order, key=order.get)
    return CohortProgress(cohort, trainees, {title: modules_done[title] for title in titles})


def progress_from(figures: TraineeFigures) -> TraineeProgress:
    return TraineeProgress(figures.trainee, figures.hours, figures.required_done, figures.required_total,
                           figures.overdue, figures.next_due, figures.missed, figures)


def cohort_progress(cohort: Cohort, today: date) -> CohortProgress:
    """Every trainee's row, from aggregate figures (app/services/progress_figures.py): a fixed
    number of queries, whatever the number of trainees. Trainees of a run without a programme
    are listed without hours."""
    figures = figures_for(cohort.run, [cohort], today)
    if figures.rows is None:
        return CohortProgress(cohort, [TraineeProgress(m.user, None, 0, 0, [], None)
                                       for m in members(cohort) if m.role == CohortRole.TRAINEE], {})
    items = figures.by_cohort[cohort.id]
    modules_done: Counter[str] = Counter()
    order: dict[str, int] = {}
    if items:
        for module in figures.rows.modules:
            order.setdefault(module.title, module.order)
            modules_done[module.title] += sum(1 for t in items if module.id in t.modules_done)
    titles = sorted(order, key=order.get)
    return CohortProgress(cohort, [progress_from(t) for t in items],
                          {title: modules_done[title] for title in titles})


PROGRESS_CSV_HEADER = ["trainee", "email", "hours_national", "hours_transnational", "hours_total",
                       "programme_hours", "required_done", "required_total", "overdue", "next_due_activity",
                       "next_due_on", "missed"]
#: The header the user reads (app/csv_export.header_row), in their language.
PROGRESS_CSV_LABELS = {
    "trainee": _l("Trainee"), "email": _l("E-mail"), "hours_national": _l("National hours done"),
    "hours_transnational": _l("Transnational hours done"), "hours_total": _l("Hours done"),
    "programme_hours": _l("Programme hours"), "required_done": _l("Required work done"),
    "required_total": _l("Required activities"), "overdue": _l("Overdue"), "next_due_activity": _l("Next due"),
    "next_due_on": _l("Next due date"), "missed": _l("Missed")}


def _plain(hours: Decimal) -> str:
    return format(hours.normalize(), "f")  # 1.00 -> "1", 2.50 -> "2.5", 100 -> "100"


def progress_csv_rows(progress: CohortProgress) -> list[list]:
    rows = []
    for t in progress.trainees:
        hours = t.hours
        rows.append([t.user.name, t.user.email,
                     _plain(hours.done["national"]) if hours else "",
                     _plain(hours.done["transnational"]) if hours else "",
                     _plain(hours.done_total) if hours else "", _plain(hours.total) if hours else "",
                     t.required_done, t.required_total, len(t.overdue),
                     t.next_due.activity.title if t.next_due else "",
                     t.next_due.due.isoformat() if t.next_due else "", len(t.missed)])
    return rows
