"""What the pages show, each in a fixed number of queries whatever the number of trainees."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun, User
from app.plugins import AttachedWork, TimelineEvent, registry
from app.services.meetings import day_for
from app.timeutil import utcnow

from .models import Innovation, InnovationComment, StageChange
from .stages import STAGES


def record_of(owner: User, run: ProgrammeRun) -> Innovation | None:
    return db.session.scalar(select(Innovation).where(Innovation.owner_id == owner.id, Innovation.run_id == run.id)
                             .options(selectinload(Innovation.stages), selectinload(Innovation.factors),
                                      selectinload(Innovation.comments).selectinload(InnovationComment.author)))


@dataclass
class Event:
    on: date
    kind: str
    text: str = ""
    html: str = ""
    who: str = ""
    #: Work events (kind "work"): what happened to it ("handed_in", "feedback") and its link.
    work: str = ""
    url: str | None = None
    #: Orders events of one day: what was recorded later comes first on the (newest first) timeline.
    at: datetime | None = None


def timeline(innovation: Innovation, work: list[TimelineEvent] | None = None,
             reader: User | None = None) -> list[Event]:
    """Stage changes, factors, comments and the events of attached work (hand-ins, released
    feedback, from the other plugins' `timeline_events`), newest first. A stage's day is the one
    its owner wrote (their calendar); the other events' moments are dated on the reader's calendar,
    so that a hand-in just after midnight there is not a day before the stage reached that day."""
    def day(moment: datetime) -> date:
        return day_for(reader, moment)

    events = [Event(s.reached_on, "stage", str(STAGES[s.stage]), s.why_html, at=s.recorded_at)
              for s in innovation.stages]
    events += [Event(day(f.created_at), "factor", f.text, at=f.created_at) for f in innovation.factors]
    events += [Event(day(c.created_at), "comment", html=c.body_html, who=c.author.name if c.author else "",
                     at=c.created_at) for c in innovation.comments]
    events += [Event(day(e.on), "work", e.title, who=e.text, work=e.kind, url=e.url, at=e.on) for e in work or []]
    return sorted(events, key=lambda e: (e.on, e.at or datetime.min), reverse=True)


def attached(innovation: Innovation, viewer: User) -> tuple[list[AttachedWork], list[TimelineEvent]]:
    """What the other plugins attach to the record (hand-ins) and their timeline events, as
    `viewer` may open them; asked through the registry, never by plugin name."""
    work: list[AttachedWork] = []
    events: list[TimelineEvent] = []
    for plugin in registry():
        work += plugin.attached_work(innovation.owner, innovation.run, viewer)
        events += plugin.timeline_events(innovation.owner, innovation.run, viewer)
    return work, events


@dataclass
class Board:
    cohort: Cohort
    #: Stage -> the innovations at that stage, by title.
    columns: dict[str, list[Innovation]]
    #: Trainees of the cohort who have not started a record yet.
    not_started: list[User] = field(default_factory=list)


def _trainees(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(select(User).join(Membership).where(
        Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE).order_by(User.name)))


def board(cohort: Cohort) -> Board:
    trainees = _trainees(cohort)
    records = list(db.session.scalars(select(Innovation).where(
        Innovation.run_id == cohort.run_id, Innovation.owner_id.in_([t.id for t in trainees]))
        .options(selectinload(Innovation.owner)).order_by(Innovation.title)))
    columns: dict[str, list[Innovation]] = {stage: [] for stage in STAGES}
    for record in records:
        columns[record.stage].append(record)
    started = {r.owner_id for r in records}
    return Board(cohort, columns, [t for t in trainees if t.id not in started])


def shared_in_group(cohort: Cohort) -> list[Innovation]:
    trainees = select(Membership.user_id).where(Membership.cohort_id == cohort.id,
                                                Membership.role == CohortRole.TRAINEE)
    return list(db.session.scalars(select(Innovation).where(
        Innovation.run_id == cohort.run_id, Innovation.shared.is_(True), Innovation.owner_id.in_(trainees))
        .options(selectinload(Innovation.owner)).order_by(Innovation.title)))


@dataclass
class CountryCounts:
    country: Country
    by_stage: Counter[str]
    #: Titles of the innovations their owners shared (never any other content).
    shared_titles: list[str]
    #: Month (its first day) -> stage -> innovations at that stage at the month's end.
    months: dict[date, Counter[str]]

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
    return months


def _stage_on(changes: list[StageChange], day: date) -> str | None:
    reached = [c for c in changes if c.reached_on <= day]
    return max(reached, key=lambda c: (c.reached_on, c.id)).stage if reached else None


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months(changes: dict[int, list[StageChange]], today: date) -> dict[date, Counter[str]]:
    days = [c.reached_on for rows in changes.values() for c in rows]
    if not days:
        return {}
    return {month: Counter(s for rows in changes.values() if (s := _stage_on(rows, min(today, _month_end(month)))))
            for month in _month_starts(min(days), today)}


def counts(run: ProgrammeRun, country_ids: set[int] | None, today: date | None = None) -> list[CountryCounts]:
    """Per country of the run (only `country_ids` when given): innovations by stage now and at
    each month's end, and the titles of shared ones. Three queries."""
    today = today or utcnow().date()
    rows = db.session.execute(
        select(Innovation, Country).join(Membership, Membership.user_id == Innovation.owner_id)
        .join(Cohort, Cohort.id == Membership.cohort_id).join(Country, Country.id == Cohort.country_id)
        .where(Innovation.run_id == run.id, Cohort.run_id == run.id, Cohort.kind == CohortKind.NATIONAL,
               Membership.role == CohortRole.TRAINEE,
               *([Country.id.in_(country_ids)] if country_ids is not None else []))
        .order_by(Country.name, Innovation.title)).all()
    changes: dict[int, list[StageChange]] = defaultdict(list)
    ids = [innovation.id for innovation, _country in rows]
    for change in db.session.scalars(select(StageChange).where(StageChange.innovation_id.in_(ids))):
        changes[change.innovation_id].append(change)
    by_country: dict[int, list[Any]] = defaultdict(list)
    countries: dict[int, Country] = {}
    for innovation, country in rows:
        by_country[country.id].append(innovation)
        countries[country.id] = country
    return [CountryCounts(countries[cid], Counter(i.stage for i in items),
                          [i.title for i in items if i.shared],
                          _months({i.id: changes[i.id] for i in items}, today))
            for cid, items in by_country.items()]


def runs_with_innovations() -> list[ProgrammeRun]:
    return list(db.session.scalars(select(ProgrammeRun).where(ProgrammeRun.id.in_(select(Innovation.run_id)))
                                   .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.id.desc())))


def count_visible(user: User) -> int:
    """Innovations in the countries a coordinator follows (every country: transnational staff)."""
    from sqlalchemy import func

    from app.models import SiteRole

    from . import access
    query = select(func.count(func.distinct(Innovation.id))).select_from(Innovation)
    if user.site_role not in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        query = (query.join(Membership, Membership.user_id == Innovation.owner_id)
                 .join(Cohort, Cohort.id == Membership.cohort_id)
                 .where(Cohort.run_id == Innovation.run_id, Membership.role == CohortRole.TRAINEE,
                        Cohort.country_id.in_(access.coordinated_country_ids(user))))
    return db.session.scalar(query) or 0
