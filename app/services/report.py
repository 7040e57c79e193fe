"""The programme report for a run (the funder's report): participants per country, hours
delivered, module completion, meetings and attendance, feedback turnaround, response rates, the
evaluation summary and ECVET credits awarded. Aggregates only, from the dashboard's figures and
the plugins' report tables (the evaluation's means, under its small-group rule), in a fixed number
of queries. A national coordinator's report covers their country's cohorts only (`country_ids`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..figures_cache import kept
from ..localized import country_name
from ..models import Cohort, ProgrammeRun
from ..plugins import ReportTable, registry
from . import dashboard


@dataclass
class CountryRow:
    label: str
    started: int
    finished: int
    dropped: int
    hours: Decimal
    credits: Decimal


@dataclass
class HeldRow:
    """A cohort's meetings held by the report's day, and the attendances over them."""
    cohort: str
    held: int
    present: int
    expected: int


@dataclass
class Report:
    run: ProgrammeRun
    board: dashboard.Dashboard
    countries: list[CountryRow]
    today: date
    evaluation: list[ReportTable]

    @cached_property
    def held(self) -> list[dashboard.MeetingFigures]:
        return [m for m in self.board.meetings if m.starts_on <= self.today]

    @property
    def held_by_cohort(self) -> list[HeldRow]:
        """One row per cohort that has held a meeting, in the dashboard's order: a report of 480
        cohorts listed their 3,440 meetings one by one (the dashboard and its CSV file still do)."""
        rows: dict[int, HeldRow] = {}
        for m in self.held:
            row = rows.setdefault(m.cohort_id, HeldRow(self.board.cohort_name(m.cohort_id), 0, 0, 0))
            row.held += 1
            row.present += m.present
            row.expected += m.expected
        order = {f.cohort.id: i for i, f in enumerate(self.board.cohorts)}
        return [rows[c] for c in sorted(rows, key=lambda c: order.get(c, len(order)))]

    @property
    def attendance(self) -> tuple[int, int]:
        """Present and expected over every meeting held."""
        return sum(m.present for m in self.held), sum(m.expected for m in self.held)

    @property
    def total(self) -> CountryRow:
        rows = self.countries
        return CountryRow("", sum(r.started for r in rows), sum(r.finished for r in rows),
                          sum(r.dropped for r in rows), sum((r.hours for r in rows), Decimal(0)),
                          sum((r.credits for r in rows), Decimal(0)))


def run_by_name(name: str) -> ProgrammeRun:
    run = db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name == name))
    if run is None:
        raise NotFound
    return run


def run_names() -> list[str]:
    return list(db.session.scalars(select(ProgrammeRun.name).order_by(ProgrammeRun.starts_on.desc(),
                                                                      ProgrammeRun.id.desc())))


def build(run: ProgrammeRun, today: date, country_ids: set[int] | None = None,
          among: list[Cohort] | None = None) -> Report:
    """The report of the run's cohorts, or of those in `country_ids` only. `among`: cohorts
    already loaded (with run and country) that include all of those, to pick them from."""
    if among is not None:
        cohorts = [c for c in among if c.run_id == run.id and (country_ids is None or c.country_id in country_ids)]
    else:
        query = select(Cohort).where(Cohort.run_id == run.id)
        if country_ids is not None:
            query = query.where(Cohort.country_id.in_(country_ids))
        cohorts = list(db.session.scalars(query.options(joinedload(Cohort.country), joinedload(Cohort.run))))
    board = dashboard.build(cohorts, run, None, today, keep=True)
    countries: dict[str, CountryRow] = {}
    for figures in board.cohorts:
        if figures.cohort.country is None:
            continue  # every trainee counts once, in their national cohort
        row = countries.setdefault(figures.cohort.country.code, CountryRow(
            country_name(figures.cohort.country), 0, 0, 0, Decimal(0), Decimal(0)))
        row.started += figures.trainee_count
        row.finished += figures.statuses[dashboard.FINISHED]
        row.dropped += figures.statuses[dashboard.DROPPED]
        row.hours += figures.hours_done
        row.credits += figures.credits
    shown = board_cohorts(board)
    # The evaluation's tables hold words in the reader's language: kept per language.
    locale, run_id, cohort_ids = str(get_locale()), run.id, [c.id for c in shown]
    evaluation, _as_of = kept("report-evaluation", (run_id, tuple(cohort_ids), locale),
                              lambda: _evaluation(run, shown), renew=lambda: _evaluation_of(run_id, cohort_ids, locale))
    return Report(run, board, list(countries.values()), today, evaluation)


def _evaluation(run: ProgrammeRun, cohorts: list[Cohort]) -> list[ReportTable]:
    return [table for plugin in registry() for table in plugin.programme_report(run, cohorts)]


def _evaluation_of(run_id: int, cohort_ids: list[int], locale: str) -> list[ReportTable]:
    """`_evaluation` made again after a response, in the reader's language."""
    run, cohorts = dashboard.run_and_cohorts(run_id, cohort_ids)
    with force_locale(locale):
        return _evaluation(run, cohorts)


def board_cohorts(board: dashboard.Dashboard) -> list[Cohort]:
    return [f.cohort for f in board.cohorts]
