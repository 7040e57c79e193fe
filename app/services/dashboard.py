"""The programme dashboard: each cohort of a run side by side (trainees, hours against plan,
module completion, overdue work, feedback turnaround, attendance, response rates), in a fixed
number of queries whatever the number of trainees (tests/test_dashboard.py counts them).

Trainee status, from memberships and completions:
- dropped: the trainee's account is deactivated or erased;
- finished: not dropped, and every required activity of their programme is done;
- active: every other trainee.
Hours planned at this date: the hours of the activities due by today and of the meetings held by
today, in the trainee's own programme (national variants included); done and planned are means
per trainee. Status and counts only, never anyone's writing or answers.

A run's dashboard (`build(..., keep=True)`: the run page, its CSV tables, the report) is made of
plain values only, which app/figures_cache.py keeps a few minutes and shares between the
workers; a cohort's own page (with its trainees' rows) is made for each request."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import cast

from flask_babel import format_decimal
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..figures_cache import kept
from ..models import Cohort, Component, Country, Meeting, Module, ProgrammeRun, User
from ..numbers import count, percent
from ..plugins import (
    ProgrammeStats,
    ResponseRate,
    Turnaround,
    WaitingWork,
    registry,
    turnaround_of,
)
from ..timeutil import utcnow
from .cohort_progress import TraineeProgress, progress_from
from .progress_figures import Trainee, TraineeFigures, figures_for, unique_trainees

COMPONENTS = (Component.NATIONAL, Component.TRANSNATIONAL)
ACTIVE, FINISHED, DROPPED = "active", "finished", "dropped"
#: Cohorts the dashboard's tables show at a time: a run of 480 cohorts made a page of megabytes
#: (their 3,440 meetings, 1,400 response rates); the CSV files hold every cohort.
COHORTS_PER_PAGE = 25


@dataclass
class CohortFigures:
    cohort: Cohort
    statuses: dict[str, int]
    #: Mean hours per trainee, by component.
    done: dict[str, Decimal]
    planned: dict[str, Decimal]
    #: Module title -> trainees who have done all its required work.
    modules_done: dict[str, int]
    overdue: int
    behind: int
    missed: int
    turnaround: Turnaround
    waiting: int
    #: Hours done by all its trainees, and the ECVET credit points of the modules they completed.
    hours_done: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)
    #: The cohort's trainees' figures, by name (a cohort's own page only: see `build`).
    items: list[TraineeFigures] = field(default_factory=list)

    @cached_property
    def trainees(self) -> list[TraineeProgress]:
        """A row per trainee, for the cohort's own page (its progress grid)."""
        return [progress_from(t) for t in self.items]

    @property
    def trainee_count(self) -> int:
        return sum(self.statuses.values())

    @property
    def median_days(self) -> float | None:
        return self.turnaround.median_days

    @property
    def p90_days(self) -> float | None:
        return self.turnaround.p90_days


@dataclass(frozen=True)
class MeetingFigures:
    """A meeting of the page's cohorts and who came (plain values: the figures are kept)."""
    meeting_id: int
    title: str
    starts_on: date
    cohort_id: int
    present: int
    recorded: int
    expected: int


@dataclass
class MonthPoint:
    month: date
    done: Decimal
    planned: Decimal


@dataclass(frozen=True)
class CohortPage:
    """Which of the dashboard's cohorts its tables show: page `page` of `per_page` (the admin
    pages' pager reads it: admin/_pagination.html)."""
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self):
        """The first two pages, two before and four after this one, the last two; None for a gap."""
        shown = [n for n in range(1, self.pages + 1)
                 if n <= 2 or n > self.pages - 2 or self.page - 2 <= n <= self.page + 4]
        previous = 0
        for n in shown:
            if n != previous + 1:
                yield None
            yield n
            previous = n


def cohort_page(asked: int | None, total: int) -> CohortPage:
    """The page asked for, within the pages there are (a page past the end shows the last)."""
    page = CohortPage(1, COHORTS_PER_PAGE, total)
    return replace(page, page=min(max(asked or 1, 1), page.pages))


@dataclass
class Dashboard:
    run: ProgrammeRun | None
    runs: list[ProgrammeRun]
    countries: list[Country]
    country: Country | None
    cohorts: list[CohortFigures]
    module_titles: list[str]
    meetings: list[MeetingFigures]
    waiting: list[WaitingWork]
    rates: list[ResponseRate]
    months: list[MonthPoint]
    today: date
    #: Trainees (each once) by the share of their required work done: 0-24, 25-49, 50-74, 75-99,
    #: 100 %.
    buckets: list[int] = field(default_factory=list)
    #: When the figures were made (UTC); None for a page with no figures.
    as_of: datetime | None = None
    #: The cohorts the page's tables show (`shown`); `cohorts` are all of them.
    page: CohortPage | None = None

    @cached_property
    def shown(self) -> list[CohortFigures]:
        if self.page is None:
            return self.cohorts
        return self.cohorts[self.page.first - 1:self.page.last]

    @cached_property
    def _shown_ids(self) -> set[int]:
        return {f.cohort.id for f in self.shown}

    # Cached: the template asks for each list more than once, and the run's lists are long (3,440
    # meetings, 1,400 rates at 10,000 trainees).
    @cached_property
    def shown_meetings(self) -> list[MeetingFigures]:
        return [m for m in self.meetings if m.cohort_id in self._shown_ids]

    @cached_property
    def shown_rates(self) -> list[ResponseRate]:
        return [r for r in self.rates if r.cohort_id in self._shown_ids]

    def cohort_name(self, cohort_id: int) -> str:
        return self._cohort_names.get(cohort_id, "")

    @cached_property
    def _cohort_names(self) -> dict[int, str]:
        # Looked up once per row of the rates and waiting tables (1,400 rates of 480 cohorts at
        # 10,000 trainees): a dict, not a scan of the cohorts each time.
        return {f.cohort.id: f.cohort.name for f in self.cohorts}

    # Bars for the charts: (label, value, maximum, text shown beside the bar).

    def progress_buckets(self) -> list[tuple[str, int, int, str]]:
        """Trainees (each once) by the share of their required work done, in five bands."""
        if not any(self.buckets):
            return []
        # A range takes the locale's percent sign once, at its end: "0–24 %" in sv, "0–24%" in pt.
        labels = [f"{count(low)}–{percent(high)}" for low, high in ((0, 24), (25, 49), (50, 74), (75, 99))]
        labels.append(percent(100))
        top = max(self.buckets)
        return [(label, n, top, count(n)) for label, n in zip(labels, self.buckets, strict=True)]

    def turnaround_bars(self) -> list[tuple[str, float, float, str]]:
        shown = [(f.cohort.name, f.median_days) for f in self.shown if f.median_days is not None]
        top = max((days for _, days in shown), default=0) or 1
        return [(name, days, top, format_decimal(days, format="#,##0.0")) for name, days in shown]

    def rate_bars(self) -> list[tuple[str, int, int, str]]:
        return [(f"{r.activity_title} · {self.cohort_name(r.cohort_id)}", r.answered, r.expected,
                 f"{count(r.answered)}/{count(r.expected)}") for r in self.shown_rates]


def runs_for(cohorts: list[Cohort]) -> list[ProgrammeRun]:
    runs = {c.run.id: c.run for c in cohorts}
    return sorted(runs.values(), key=lambda r: (r.starts_on, r.id), reverse=True)


def build(visible: list[Cohort], run: ProgrammeRun | None, country: Country | None, today: date,
          keep: bool = False, page: int | None = None) -> Dashboard:
    """`visible`: the cohorts the user may see (app/access.py); `run` one of their runs. With
    `keep`, the figures may be a set made for the same run, cohorts and day less than
    FIGURES_MAX_AGE seconds ago (app/figures_cache.py), and the cohorts carry no trainee rows.
    `page`: which cohorts the tables show (COHORTS_PER_PAGE at a time)."""
    runs = runs_for(visible)
    _load_countries(visible)
    countries = sorted({c.country.id: c.country for c in visible if c.country is not None}.values(),
                       key=lambda c: c.name)
    cohorts = [c for c in visible if run is not None and c.run_id == run.id
               and (country is None or c.country_id == country.id)]
    cohorts.sort(key=lambda c: (c.country is None, c.country.name if c.country else "", c.name))
    if run is None or not cohorts:
        return Dashboard(run, runs, countries, country, [], [], [], [], [], [], today)
    if keep:
        run_id, cohort_ids = run.id, [c.id for c in cohorts]
        numbers, as_of = kept("dashboard", (run_id, tuple(cohort_ids), today),
                              lambda: _numbers(run, cohorts, today, with_items=False),
                              renew=lambda: _numbers_of(run_id, cohort_ids, today))
    else:
        numbers, as_of = _numbers(run, cohorts, today, with_items=True), utcnow()
    by_id = {c.id: c for c in cohorts}
    # The kept figures name their cohorts by id: each is given this request's own cohort.
    cohort_figures = [replace(f, cohort=by_id[cohort_id]) for cohort_id, f in numbers.cohorts]
    return Dashboard(run, runs, countries, country, cohort_figures, numbers.module_titles, numbers.meetings,
                     numbers.waiting, numbers.rates, numbers.months, today, numbers.buckets, as_of,
                     cohort_page(page, len(cohort_figures)))


@dataclass(frozen=True)
class _Numbers:
    """A dashboard's figures as plain values, which may be kept between requests."""
    cohorts: list[tuple[int, CohortFigures]]
    module_titles: list[str]
    meetings: list[MeetingFigures]
    waiting: list[WaitingWork]
    rates: list[ResponseRate]
    months: list[MonthPoint]
    buckets: list[int]


def run_and_cohorts(run_id: int, cohort_ids: list[int]) -> tuple[ProgrammeRun, list[Cohort]]:
    """The run and cohorts of kept figures, loaded again (with their countries) to make the
    figures again after a response, in a session of their own."""
    run = db.session.get(ProgrammeRun, run_id)
    found = {c.id: c for c in db.session.scalars(
        select(Cohort).where(Cohort.id.in_(cohort_ids)).options(joinedload(Cohort.country)))}
    if run is None or len(found) != len(cohort_ids):
        raise LookupError("a run or cohort of the kept figures is gone")
    return run, [found[i] for i in cohort_ids]


def _numbers_of(run_id: int, cohort_ids: list[int], today: date) -> _Numbers:
    run, cohorts = run_and_cohorts(run_id, cohort_ids)
    return _numbers(run, cohorts, today, with_items=False)


def _numbers(run: ProgrammeRun, cohorts: list[Cohort], today: date, with_items: bool) -> _Numbers:
    figures = figures_for(run, cohorts, today)
    stats = _plugin_stats(cohorts)
    rows = figures.rows
    modules = rows.modules if rows else []
    cohort_figures = [_figures(c, figures.by_cohort[c.id], modules, stats, today) for c in cohorts]
    unique = unique_trainees(figures)
    return _Numbers(
        [(c.id, f if with_items else _plain(f)) for c, f in zip(cohorts, cohort_figures, strict=True)],
        [m.title for m in modules],
        _meetings(cohorts, cohort_figures, figures.meetings, figures.attendance or {}),
        sorted(stats.waiting, key=lambda w: w.submitted_at)[:10], stats.response_rates,
        _months(run, unique, today, figures.done_by_day or {}), _buckets(unique))


def _plain(figures: CohortFigures) -> CohortFigures:
    """The figures without the cohort's row or its trainees' figures, to be kept and shared
    (app/figures_cache.py); `build` gives them the request's own cohort again."""
    return replace(figures, cohort=cast(Cohort, None), items=[])


def _buckets(items: list[TraineeFigures]) -> list[int]:
    counts = [0] * 5
    for t in items:
        share = t.required_done / t.required_total if t.required_total else 0
        counts[4 if share >= 1 else min(3, int(share * 4))] += 1
    return counts


def _load_countries(cohorts: list[Cohort]) -> None:
    """The cohorts' countries in one query where the caller did not load them (else one query
    per country), set on each cohort as if loaded."""
    unloaded = [c for c in cohorts if c.country_id is not None and "country" in inspect(c).unloaded]
    if unloaded:
        by_id = {country.id: country for country in db.session.scalars(
            select(Country).where(Country.id.in_({c.country_id for c in unloaded})))}
        for cohort in unloaded:
            set_committed_value(cohort, "country", by_id.get(cohort.country_id))


def _plugin_stats(cohorts: list[Cohort]) -> ProgrammeStats:
    merged = ProgrammeStats()
    for plugin in registry():
        part = plugin.programme_stats(cohorts)
        for cohort_id, days in part.turnaround_days.items():
            merged.turnaround_days.setdefault(cohort_id, []).extend(days)
        merged.turnaround.update(part.turnaround)
        for cohort_id, n in part.waiting_count.items():
            merged.waiting_count[cohort_id] = merged.waiting_count.get(cohort_id, 0) + n
        merged.waiting += part.waiting
        merged.response_rates += part.response_rates
    merged.turnaround.update((cohort_id, turnaround_of(days)) for cohort_id, days in merged.turnaround_days.items())
    return merged


def status_of(user: User | Trainee, progress: TraineeProgress | TraineeFigures) -> str:
    if not user.active or user.erased_at is not None:
        return DROPPED
    if progress.required_total and progress.required_done == progress.required_total:
        return FINISHED
    return ACTIVE


def _mean_of(total: Decimal, n: int) -> Decimal:
    return (total / n).quantize(Decimal("0.1")) if n else Decimal(0)


def _figures(cohort: Cohort, items: list[TraineeFigures], modules: list[Module], stats: ProgrammeStats,
             today: date) -> CohortFigures:
    """One cohort's counts and means, summed from the trainees' figures in one pass: no row
    object per trainee (`CohortFigures.trainees` makes those for the cohort's own page only)."""
    statuses = {ACTIVE: 0, FINISHED: 0, DROPPED: 0}
    done = dict.fromkeys(COMPONENTS, Decimal(0))
    planned = dict.fromkeys(COMPONENTS, Decimal(0))
    overdue = behind = missed = 0
    for t in items:
        statuses[status_of(t.trainee, t)] += 1
        # Without extensions a trainee plans what their group plans (no copy per trainee).
        own = t.planned_by(today) if t.extended else t.group.planned_today
        for c in COMPONENTS:
            done[c] += t.hours.done[c]
            planned[c] += own.get(c, Decimal(0))
        overdue += len(t.overdue)
        behind += bool(t.overdue)
        missed += len(t.missed)
    modules_done: dict[str, int] = defaultdict(int)
    credits = Decimal(0)
    if items:
        for module in modules:
            module_id = module.id  # read once, not once per trainee (an ORM attribute read)
            done_it = sum(1 for t in items if module_id in t.modules_done)
            modules_done[module.title] += done_it
            credits += (module.credit_points or Decimal(0)) * done_it
    n = len(items)
    return CohortFigures(
        cohort, statuses, done={c: _mean_of(done[c], n) for c in COMPONENTS},
        planned={c: _mean_of(planned[c], n) for c in COMPONENTS},
        modules_done=dict(modules_done), overdue=overdue, behind=behind, missed=missed,
        turnaround=stats.turnaround.get(cohort.id, Turnaround()), waiting=stats.waiting_count.get(cohort.id, 0),
        hours_done=sum(done.values(), Decimal(0)), credits=credits, items=items)


def _meetings(cohorts: list[Cohort], figures: list[CohortFigures], loaded: list[Meeting],
              counts: dict[int, tuple[int, int]]) -> list[MeetingFigures]:
    """Each meeting of the cohorts with who came: `loaded` are the meetings already read for
    the figures, `counts` their attendance rows (present, recorded), counted from the figures'
    own statement."""
    page = {c.id for c in cohorts}
    expected = {f.cohort.id: f.trainee_count - f.statuses[DROPPED] for f in figures}
    return [MeetingFigures(m.id, m.title, m.starts_on, m.cohort_id, *counts.get(m.id, (0, 0)),
                           expected.get(m.cohort_id, 0)) for m in loaded if m.cohort_id in page]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _months(run: ProgrammeRun, items: list[TraineeFigures], today: date,
            work_done: dict[date, Decimal]) -> list[MonthPoint]:
    """Mean hours per trainee done and planned by the end of each month from the run's start to
    today (done: completions, `work_done` summed by day in the database, and attended meetings;
    planned: due dates and meeting days). What trainees of one group plan alike is added once
    per group, times its trainees."""
    if not items:
        return []
    ends: list[date] = []
    month = _month_start(run.starts_on)
    while month <= today and len(ends) < 36:
        ends.append(min(_next_month(month) - timedelta(days=1), today))
        month = _next_month(month)
    done: dict[date, Decimal] = defaultdict(Decimal, work_done)
    planned: dict[date, Decimal] = defaultdict(Decimal)
    groups: dict[int, tuple] = {}
    for t in items:
        group, n = groups.get(id(t.group), (t.group, 0))
        groups[id(t.group)] = (group, n + 1)
        for by_rule, due, _component, hours in t.extensions():  # their own due date, not the rule's
            if by_rule is not None:
                planned[by_rule] -= hours
            planned[due] += hours
        for meeting_id, starts_on, _component, hours in t.group.meetings:
            if meeting_id is not None and meeting_id in t.attended and starts_on is not None:
                done[starts_on] += hours
    for group, n in groups.values():
        for _activity_id, by_rule, _component, hours in group.activities:
            if by_rule is not None:
                planned[by_rule] += hours * n
        for _meeting_id, starts_on, _component, hours in group.meetings:
            if starts_on is not None:
                planned[starts_on] += hours * n
    n = Decimal(len(items))
    return [MonthPoint(end, (sum((h for d, h in done.items() if d <= end), Decimal(0)) / n).quantize(Decimal("0.1")),
                       (sum((h for d, h in planned.items() if d <= end), Decimal(0)) / n).quantize(Decimal("0.1")))
            for end in ends]
