"""Each dashboard table as CSV: (columns, rows) from a Dashboard, the same figures as the page.
The columns are machine names (the API's); LABELS is the CSV header the user reads."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from ..services.dashboard import ACTIVE, DROPPED, FINISHED, Dashboard
from ..timeutil import days_since

#: Every table's column names, as the CSV header says them in the user's language.
LABELS = {
    "cohort": _l("Cohort"), "country": _l("Country"), "trainees": _l("Trainees"), ACTIVE: _l("Active"),
    FINISHED: _l("Finished"), DROPPED: _l("Dropped"),
    "hours_national_done": _l("National hours done (mean per trainee)"),
    "hours_national_planned": _l("National hours planned (mean per trainee)"),
    "hours_transnational_done": _l("Transnational hours done (mean per trainee)"),
    "hours_transnational_planned": _l("Transnational hours planned (mean per trainee)"),
    "overdue_items": _l("Overdue work"), "trainees_behind": _l("Trainees behind"), "missed": _l("Missed"),
    "feedback_count": _l("Feedback released"), "turnaround_median_days": _l("Median days"),
    "turnaround_p90_days": _l("90th percentile, days"), "waiting_for_feedback": _l("Waiting for feedback"),
    "module": _l("Module"), "trainees_done": _l("Trainees done"), "meeting": _l("Meeting"),
    "starts_on": _l("Date"), "present": _l("Present"), "recorded": _l("Recorded"), "activity": _l("Activity"),
    "trainee": _l("Trainee"), "handed_in": _l("Handed in"), "days_waiting": _l("Days waiting"),
    "questionnaire": _l("Questionnaire"), "answered": _l("Answered"), "month_end": _l("Month"),
    "mean_hours_done": _l("Mean hours done per trainee"),
    "mean_hours_planned": _l("Mean hours planned per trainee")}


def _plain(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _country(f) -> str:
    return f.cohort.country.code if f.cohort.country else "transnational"


def cohorts(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    header = ["cohort", "country", "trainees", ACTIVE, FINISHED, DROPPED, "hours_national_done",
              "hours_national_planned", "hours_transnational_done", "hours_transnational_planned",
              "overdue_items", "trainees_behind", "missed", "feedback_count", "turnaround_median_days",
              "turnaround_p90_days", "waiting_for_feedback"]
    rows = [[f.cohort.name, _country(f), f.trainee_count, f.statuses[ACTIVE], f.statuses[FINISHED],
             f.statuses[DROPPED], _plain(f.done["national"]), _plain(f.planned["national"]),
             _plain(f.done["transnational"]), _plain(f.planned["transnational"]), f.overdue, f.behind,
             f.missed, f.turnaround.count, _plain(f.median_days), _plain(f.p90_days), f.waiting]
            for f in d.cohorts]
    return header, rows


def modules(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    return (["cohort", "module", "trainees_done", "trainees"],
            [[f.cohort.name, title, f.modules_done.get(title, 0), f.trainee_count]
             for f in d.cohorts for title in d.module_titles])


def meetings(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    return (["cohort", "meeting", "starts_on", "present", "recorded", "trainees"],
            [[d.cohort_name(m.cohort_id), m.title, m.starts_on.isoformat(), m.present, m.recorded,
              m.expected] for m in d.meetings])


def waiting(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    return (["cohort", "activity", "trainee", "handed_in", "days_waiting"],
            [[d.cohort_name(w.cohort_id), w.activity_title, w.trainee_name, w.submitted_at.date().isoformat(),
              days_since(w.submitted_at)] for w in d.waiting])


def responses(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    return (["cohort", "questionnaire", "answered", "trainees"],
            [[d.cohort_name(r.cohort_id), r.activity_title, r.answered, r.expected] for r in d.rates])


def hours(d: Dashboard) -> tuple[list[str], list[list[Any]]]:
    return (["month_end", "mean_hours_done", "mean_hours_planned"],
            [[p.month.isoformat(), _plain(p.done), _plain(p.planned)] for p in d.months])


TABLES: dict[str, Callable[[Dashboard], tuple[list[str], list[list[Any]]]]] = {
    "cohorts": cohorts, "modules": modules, "meetings": meetings, "waiting": waiting,
    "responses": responses, "hours": hours}
