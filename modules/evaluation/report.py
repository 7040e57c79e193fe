"""The evaluation's part of the programme report: for each questionnaire of the run that has
opened, the mean rating of every scale question and competency row, from the same `summarise`
the results pages use, so the small-group rule (results.py: a cohort with too few answers to a
figure is left out of it) holds in the report too. Choice and free-text questions stay on the
results pages: a funder's report needs the ratings, and free text never leaves the site."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.models import Cohort, ProgrammeRun
from app.plugins import ReportTable

from .questionnaire import UPCOMING, instrument_of, window
from .results import MIN_RESPONDENTS, Distribution, QuestionSummary, Summary, load_answers, summarise
from .scopes import RUN, Scope, activities_in_scope

NOT_SHOWN = "—"


def report_tables(run: ProgrammeRun, cohorts: list[Cohort]) -> list[ReportTable]:
    """One table per questionnaire that has opened (three queries at most)."""
    scope = Scope(RUN, run, cohorts)
    activities = [a for a in activities_in_scope(scope) if window(instrument_of(a), run).state() != UPCOMING]
    answers = load_answers(activities, scope.cohort_ids)
    tables = []
    for activity in activities:
        instrument = instrument_of(activity)
        summary = summarise(instrument, answers[activity.id])
        tables.append(ReportTable(
            activity.title, [_("Question"), _("Answers counted"), _("Mean (1 to 5)")],
            [row for q in summary.questions for row in _rows(q, summary)],
            _("%(counted)d of %(respondents)d answers are in these figures: a cohort with fewer than "
              "%(min)d answers to a figure is left out of it, so that no one can be singled out.",
              counted=summary.counted, respondents=summary.respondents,
              min=instrument.get("min_group", MIN_RESPONDENTS))))
    return tables


def _mean(dist: Distribution | None) -> str:
    if dist is None or dist.mean is None:
        return NOT_SHOWN
    return format_decimal(Decimal(str(dist.mean)).quantize(Decimal("0.1")), format="0.0")


def _answered(dist: Distribution | None) -> str:
    return str(dist.answered) if dist is not None else NOT_SHOWN


def _rows(q: QuestionSummary, summary: Summary) -> list[list[str]]:
    question = q.question
    kind = question["type"]
    if kind in ("scale5", "agreement5"):
        return [[question["text"], _answered(q.distribution), _mean(q.distribution)]]
    if kind != "matrix":
        return []
    rows = []
    for i, spec in enumerate(question["rows"]):
        row = q.rows[i] if summary.shown else None
        label = f"{question['text']} · {spec['text']}"
        if question.get("retrospective"):
            then, now = (row.then, row.now) if row else (None, None)
            rows.append([_("%(row)s (before the programme → now)", row=label), _answered(now),
                         f"{_mean(then)} → {_mean(now)}"])
        else:
            dist = row.distribution if row else None
            rows.append([label, _answered(dist), _mean(dist)])
    return rows
