"""The evaluation's part of the programme report: for each questionnaire of the run that has
opened, the mean rating of every scale question and competency row, from the same `summarise`
the results pages use, so the small-group rule and the differencing guard (disclosure.py: a
figure needs the instrument's `min_group` answers, and is hidden when subtracting a country's
or a cohort's figure from it would isolate fewer) hold in the report too. Choice and free-text questions stay on the
results pages: a funder's report needs the ratings, and free text never leaves the site."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.models import Cohort, ProgrammeRun
from app.plugins import ReportTable

from .disclosure import COUNTRY, DEFAULT_MIN_GROUP, Rule, min_group_of
from .questionnaire import UPCOMING, instrument_of, window
from .results import Distribution, QuestionSummary, Summary, load_answers, rule_for, summarise
from .scopes import RUN, Scope, activities_in_scope

NOT_SHOWN = "—"
#: The question types the report shows (`_rows`): ratings, never choices or free text.
REPORTED = frozenset({"scale5", "agreement5", "matrix"})


def report_tables(run: ProgrammeRun, cohorts: list[Cohort]) -> list[ReportTable]:
    """One table per questionnaire that has opened (three queries at most)."""
    scope = Scope(RUN, run, cohorts)
    activities = [a for a in activities_in_scope(scope) if window(instrument_of(a), run).state() != UPCOMING]
    run_rule = _rule(scope)
    answers = load_answers(activities, sorted(run_rule.nesting.country_of))
    tables = []
    for activity in activities:
        instrument = instrument_of(activity)
        rule = run_rule.with_min_group(min_group_of(instrument))
        summary = summarise(instrument, answers[activity.id], rule, REPORTED)
        tables.append(ReportTable(
            activity.title, [_("Question"), _("Answers counted"), _("Mean (1 to 5)")],
            [row for q in summary.questions for row in _rows(q, summary)],
            _("%(respondents)d answers. A figure is shown only when it counts at least %(min)d answers and "
              "comparing it with a country's or a cohort's figures cannot reveal the answers of fewer people, "
              "so that no one can be singled out.", respondents=summary.respondents, min=rule.min_group)))
    return tables


def _rule(scope: Scope) -> Rule:
    """The run's figure for all its cohorts, one country's for one country's cohorts; any other
    selection is not a scope of the results pages and could be differenced with them: hidden."""
    rule = rule_for(scope, DEFAULT_MIN_GROUP)
    everyone = set(rule.nesting.country_of)
    mine = set(scope.cohort_ids)
    countries = {rule.nesting.country_of.get(c) for c in mine}
    if mine == everyone:
        return rule
    if len(countries) == 1 and None not in countries:
        (country,) = countries
        if mine == {c for c, k in rule.nesting.country_of.items() if k == country}:
            return rule.within((COUNTRY, country), mine)
    return rule.within(("selection", None), mine)


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
