"""Answering questionnaires, the pseudonymous code, who may see which results, reminders.

Answer shapes (what `answers` JSON holds, question key -> value; unanswered questions are left out):
scale5/agreement5: 1..5 or "na"; single: an option key; multiple: a list of option keys; text: a
string; matrix: {row key: 1..5 or "na"}, and with `retrospective`: {row key: {"then": .., "now": ..}}.

Anonymity (the README's "Evaluation anonymity: threat model" says what remains):
- Until a trainee sends an anonymous questionnaire, what they saved part-way is an ordinary draft
  of their own (app/services/drafts.py). Sending deletes the draft and writes the answers as an
  `AnonymousResponse` keyed by the pseudonymous code only, and a `Participation` saying that they
  answered. Nothing joins the two but the code, which cannot be computed without the key.
- Editing until the close date finds the response again through the code; only the running app,
  which holds the key, can do that.
- Nothing in the database orders the anonymous rows or dates them: every sending (and every
  change, and an erasure) rewrites all the answers to that questionnaire in that cohort, with new
  random ids, in a random order, in one transaction (`_rewrite_group`). So neither the physical
  order of rows (what a dump lists first) nor PostgreSQL's per-row transaction id (`xmin`) tells
  which row was written beside which participation."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from app.access import can_view_cohort_status
from app.audit import record
from app.conflicts import SaveRefused
from app.extensions import db
from app.models import (Activity, Cohort, CohortRole, Country, Draft, Membership, Module, Programme, ProgrammeRun,
                        SiteRole, User)
from app.services import drafts as draft_service
from app.services import progress
from app.services.notifications import notify
from app.timeutil import utcnow

from .instrument import questions
from .models import AnonymousResponse, NamedResponse, Participation, Reminder

PLUGIN = "evaluation"
KEY_LABEL = b"life-academy/evaluation-pseudonym/v1"


class EvaluationError(SaveRefused):
    """The action is not allowed now; the message says why (shown to the user)."""


# --- the pseudonymous code -------------------------------------------------------------------

def pseudonym_key() -> bytes:
    """EVALUATION_PSEUDONYM_KEY, or (outside production) a key derived from SECRET_KEY under
    its own label, so the session-signing key itself never touches evaluation data."""
    configured = current_app.config.get("EVALUATION_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), KEY_LABEL, hashlib.sha256).digest()


def pseudonym(user_id: int, family: str) -> str:
    """The same for one trainee's answers to every instrument of a family (before, interim,
    final), different between families, and not reversible without the key."""
    return hmac.new(pseudonym_key(), f"{user_id}:{family}".encode(), hashlib.sha256).hexdigest()


# --- when an instrument is open ----------------------------------------------------------------

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


@dataclass(frozen=True)
class Window:
    opens_on: date
    #: The last day answers are accepted.
    closes_on: date

    def state(self, today: date | None = None) -> str:
        today = today or utcnow().date()
        if today < self.opens_on:
            return UPCOMING
        return OPEN if today <= self.closes_on else CLOSED


def _day(rule: dict[str, Any], run: ProgrammeRun) -> date:
    anchor = run.starts_on if rule["from"] == "start" else run.ends_on
    return anchor + timedelta(days=rule["days"])


def window(instrument: dict[str, Any], run: ProgrammeRun) -> Window:
    return Window(_day(instrument["opens"], run), _day(instrument["closes"], run))


def instrument_of(activity: Activity) -> dict[str, Any]:
    return activity.settings["instrument"]


# --- which cohort a trainee answers in -----------------------------------------------------------

def answering_cohort(cohorts: list[Cohort]) -> Cohort | None:
    """Trainees are in a national cohort and the transnational one; their answers count for the
    national cohort (its country), or the transnational one if that is all they have."""
    national = [c for c in cohorts if c.country_id is not None]
    return (national or cohorts or [None])[0]


def applies_to(activity: Activity, cohort: Cohort, replaced_ids: set[int]) -> bool:
    """Whether the activity is part of the programme of the cohort's trainees (national variants)."""
    if activity.country_id is not None:
        return activity.country_id == cohort.country_id
    code = cohort.country.code if cohort.country is not None else ""
    return activity.id not in replaced_ids and code not in (activity.omitted_in or [])


# --- one trainee and one questionnaire -----------------------------------------------------------

PREVIEW = "preview"


@dataclass
class Situation:
    """Everything the answer page needs about one user and one evaluation activity."""
    activity: Activity
    cohort: Cohort | None
    is_trainee: bool
    window: Window | None = None
    participation: Participation | None = None
    #: The answers already sent (found through the code for anonymous instruments).
    answers: dict[str, Any] | None = None
    draft: Draft | None = None

    @property
    def instrument(self) -> dict[str, Any]:
        return instrument_of(self.activity)

    @property
    def anonymous(self) -> bool:
        return bool(self.instrument["anonymous"])

    @property
    def state(self) -> str:
        if not self.is_trainee or self.cohort is None or self.window is None:
            return PREVIEW
        return self.window.state()

    @property
    def submitted(self) -> bool:
        return self.participation is not None

    @property
    def editable(self) -> bool:
        return self.state == OPEN

    @property
    def draft_key(self) -> str:
        return f"{PLUGIN}:{self.activity.id}:{self.cohort.id if self.cohort else 0}"


def situation(user: User, activity: Activity, cohorts: list[Cohort], is_trainee: bool) -> Situation:
    cohort = answering_cohort(cohorts) if is_trainee else None
    s = Situation(activity=activity, cohort=cohort, is_trainee=is_trainee and cohort is not None)
    if not s.is_trainee:
        return s
    s.window = window(s.instrument, cohort.run)
    s.participation = db.session.scalar(select(Participation).where(
        Participation.activity_id == activity.id, Participation.cohort_id == cohort.id,
        Participation.user_id == user.id))
    if s.participation is not None:
        s.answers = own_answers(user, activity, cohort)
    else:
        s.draft = draft_service.get_draft(user, s.draft_key)
    return s


def own_answers(user: User, activity: Activity, cohort: Cohort) -> dict[str, Any] | None:
    instrument = instrument_of(activity)
    if instrument["anonymous"]:
        response = db.session.scalar(select(AnonymousResponse).where(
            AnonymousResponse.activity_id == activity.id, AnonymousResponse.cohort_id == cohort.id,
            AnonymousResponse.code == pseudonym(user.id, instrument["family"])))
    else:
        response = db.session.scalar(select(NamedResponse).where(
            NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id,
            NamedResponse.user_id == user.id))
    return dict(response.answers) if response is not None else None


def _require_open(s: Situation) -> None:
    if not s.is_trainee:
        raise EvaluationError(_("Only trainees answer questionnaires."))
    if s.state == UPCOMING:
        raise EvaluationError(_("This questionnaire opens on %(date)s.", date=format_date(s.window.opens_on)))
    if s.state == CLOSED:
        raise EvaluationError(_("This questionnaire closed on %(date)s; answers can no longer be changed.",
                                date=format_date(s.window.closes_on)))


def check_partial(user: User, s: Situation) -> None:
    """'Save and continue later' before the first sending: the guarded save path has stored the
    trainee's own draft (never part of any result); after sending, changes are saved whole (see
    `submit`)."""
    _require_open(s)
    if s.submitted:
        raise EvaluationError(_("You have already sent your answers; use “Save changes” to change them."))
    progress.mark_started(user, s.activity)


def submit(user: User, s: Situation, answers: dict[str, Any]) -> bool:
    """Send (or change, until the close date) the answers. Returns True the first time."""
    _require_open(s)
    instrument, activity, cohort = s.instrument, s.activity, s.cohort
    first = s.participation is None
    if instrument["anonymous"]:
        _lock_group(cohort.id)
    if first:
        db.session.add(Participation(activity_id=activity.id, cohort_id=cohort.id, user_id=user.id))
    if instrument["anonymous"]:
        code = pseudonym(user.id, instrument["family"])
        group = _group_answers(activity.id, cohort.id)
        if code not in group and not first:
            # Answered, but the code no longer finds the answers: the key was changed.
            raise EvaluationError(_("Your earlier answers cannot be found any more, so they cannot be "
                                    "changed. Nothing was saved."))
        group[code] = answers
        _rewrite_group(activity.id, cohort.id, group)
    else:
        response = db.session.scalar(select(NamedResponse).where(
            NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id,
            NamedResponse.user_id == user.id))
        if response is None:
            response = NamedResponse(activity_id=activity.id, cohort_id=cohort.id, user_id=user.id)
            db.session.add(response)
        response.answers = answers
        response.updated_at = utcnow()
    # The part-way draft would tie these answers to the trainee: it goes as soon as they are sent.
    draft_service.discard_draft(user, s.draft_key)
    progress.mark_done(user, activity)
    db.session.flush()
    return first


def discard_stale_draft(user: User, s: Situation) -> bool:
    """A tab opened before the answers were sent may autosave a draft afterwards; once sent,
    answers never sit beside the name, so such a draft is removed when the page is next opened."""
    if not s.submitted:
        return False
    return bool(db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == s.draft_key))
                .rowcount)


# --- storing anonymous answers without order or time ---------------------------------------------

#: Shuffles the rows before they are written again (a test replaces it to see its effect).
_shuffle = secrets.SystemRandom().shuffle


def _lock_group(cohort_id: int) -> None:
    """One writer at a time for a cohort's anonymous answers (a row lock on PostgreSQL that does
    not block inserts referring to the cohort; SQLite has a single writer anyway), so a rewrite
    sees every row and two rewrites cannot interleave."""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort_id).with_for_update(key_share=True))


def _group_answers(activity_id: int, cohort_id: int) -> dict[str, dict[str, Any]]:
    """{code: answers} of one questionnaire in one cohort."""
    return dict(db.session.execute(select(AnonymousResponse.code, AnonymousResponse.answers).where(
        AnonymousResponse.activity_id == activity_id, AnonymousResponse.cohort_id == cohort_id)).all())


def _rewrite_group(activity_id: int, cohort_id: int, group: dict[str, dict[str, Any]]) -> None:
    """Delete and write again every anonymous answer of the questionnaire in the cohort, with new
    random ids and in a random order, in the caller's transaction. The row just sent is one of
    many written at once: the order of rows on disk and PostgreSQL's xmin (the id of the
    transaction that last wrote a row, which is also the participation's) say nothing about
    which row it is. Cost: one cohort's answers (a few dozen rows) per sending."""
    table = AnonymousResponse.__table__
    db.session.execute(table.delete().where(table.c.activity_id == activity_id, table.c.cohort_id == cohort_id))
    rows = [{"id": uuid.uuid4().hex, "activity_id": activity_id, "cohort_id": cohort_id, "code": code,
             "answers": answers} for code, answers in group.items()]
    _shuffle(rows)
    if rows:
        db.session.execute(table.insert(), rows)


# --- results: scopes and who may see them --------------------------------------------------------

COHORT, COUNTRY, RUN = "cohort", "country", "run"


@dataclass
class Scope:
    """The cohorts a results page aggregates: one cohort, one country's cohorts in a run, or a
    whole run (transnational)."""
    kind: str
    run: ProgrammeRun
    cohorts: list[Cohort]
    cohort: Cohort | None = None
    country: Country | None = None

    @property
    def token(self) -> str:
        if self.kind == COHORT:
            return f"cohort-{self.cohort.id}"
        if self.kind == COUNTRY:
            return f"run-{self.run.id}-{self.country.code.lower()}"
        return f"run-{self.run.id}"

    @property
    def label(self) -> str:
        if self.kind == COHORT:
            return self.cohort.name
        if self.kind == COUNTRY:
            return _("%(country)s, %(run)s", country=self.country.name, run=self.run.name)
        return _("All countries, %(run)s", run=self.run.name)

    @property
    def cohort_ids(self) -> list[int]:
        return [c.id for c in self.cohorts]


def _run_cohorts(run_id: int) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).where(Cohort.run_id == run_id)
                                   .options(joinedload(Cohort.country), joinedload(Cohort.run))
                                   .order_by(Cohort.name)))


def parse_scope(token: str) -> Scope | None:
    """'cohort-12', 'run-3' or 'run-3-se'; None if it names nothing."""
    parts = token.split("-")
    if len(parts) == 2 and parts[0] == "cohort" and parts[1].isdigit():
        cohort = db.session.get(Cohort, int(parts[1]))
        return Scope(COHORT, cohort.run, [cohort], cohort=cohort) if cohort is not None else None
    if parts[0] != "run" or len(parts) not in (2, 3) or not parts[1].isdigit():
        return None
    run = db.session.get(ProgrammeRun, int(parts[1]))
    if run is None:
        return None
    cohorts = _run_cohorts(run.id)
    if len(parts) == 2:
        return Scope(RUN, run, cohorts)
    code = parts[2].upper()
    country = db.session.scalar(select(Country).where(Country.code == code))
    if country is None or parts[2] != code.lower():
        return None
    return Scope(COUNTRY, run, [c for c in cohorts if c.country_id == country.id], country=country)


def _sees_everything(user: User) -> bool:
    return user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR)


def coordinated_country_ids(user: User) -> set[int]:
    return {m.cohort.country_id for m in user.memberships
            if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}


def sees_results(user: User) -> bool:
    """Whether any results page is the user's to open (for the navigation: no query beyond the
    user's memberships)."""
    return _sees_everything(user) or any(m.role in (CohortRole.FACILITATOR, CohortRole.COORDINATOR)
                                         for m in user.memberships)


def can_view_scope(user: User, scope: Scope) -> bool:
    """ARCHITECTURE.md section 5: facilitators see their cohorts' aggregates, national
    coordinators their country's, transnational coordinators and admins all; trainees none."""
    if _sees_everything(user):
        return True
    if scope.kind == COHORT:
        return can_view_cohort_status(user, scope.cohort)
    if scope.kind == COUNTRY:
        return scope.country.id in coordinated_country_ids(user)
    return False


def can_remind(user: User, scope: Scope) -> bool:
    """Who has not answered (never what anyone answered) is cohort status: the people who may
    see the cohort's status see it and may remind them."""
    return scope.kind == COHORT and can_view_cohort_status(user, scope.cohort)


@dataclass
class ScopeLink:
    scope_token: str
    label: str
    kind: str
    cohorts: list[Cohort] = field(default_factory=list)


def visible_scopes(user: User) -> list[tuple[ProgrammeRun, list[ScopeLink]]]:
    """The results pages a user may open, grouped by run (newest first)."""
    if _sees_everything(user):
        cohorts = list(db.session.scalars(select(Cohort).options(joinedload(Cohort.run), joinedload(Cohort.country))))
    else:
        from app.access import cohorts_with_status_access_query
        cohorts = list(db.session.scalars(cohorts_with_status_access_query(user)
                                          .options(joinedload(Cohort.run), joinedload(Cohort.country))))
    countries = coordinated_country_ids(user)
    by_run: dict[int, list[Cohort]] = defaultdict(list)
    for cohort in cohorts:
        by_run[cohort.run_id].append(cohort)
    result = []
    for run_cohorts in by_run.values():
        run = run_cohorts[0].run
        links = []
        if _sees_everything(user):
            links.append(ScopeLink(Scope(RUN, run, run_cohorts).token, _("All countries"), RUN, run_cohorts))
        seen = set()
        for c in sorted(run_cohorts, key=lambda c: (c.country.name if c.country else "", c.name)):
            if c.country is not None and c.country_id not in seen and (
                    _sees_everything(user) or c.country_id in countries):
                seen.add(c.country_id)
                links.append(ScopeLink(Scope(COUNTRY, run, [], country=c.country).token, c.country.name, COUNTRY,
                                       [x for x in run_cohorts if x.country_id == c.country_id]))
        for c in sorted(run_cohorts, key=lambda c: c.name):
            links.append(ScopeLink(Scope(COHORT, run, [c], cohort=c).token, c.name, COHORT, [c]))
        result.append((run, links))
    result.sort(key=lambda item: (item[0].starts_on, item[0].id), reverse=True)
    return result


def results_links(user: User, activity: Activity) -> list[tuple[ProgrammeRun, list[ScopeLink]]]:
    """The results pages of one questionnaire a member of staff may open (cohorts, countries, all
    countries), by run: the way from the questionnaire in the programme to its results and to
    who has not answered yet."""
    result = []
    for run, links in visible_scopes(user):
        listed = evaluation_activities(run)
        if activity.id not in {a.id for a in listed}:
            continue
        replaced = replaced_by_country(listed)
        shown = [link for link in links if any(applies_to(activity, c, replaced[c.country_id]) for c in link.cohorts)]
        if shown:
            result.append((run, shown))
    return result


# --- which activities and which trainees a scope counts -------------------------------------------

def programme_of(run: ProgrammeRun) -> Programme | None:
    if run.programme is not None:
        return run.programme
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id).limit(2)))
    return programmes[0] if len(programmes) == 1 else None


def evaluation_activities(run: ProgrammeRun) -> list[Activity]:
    """The run's evaluation activities in programme order (national variants included)."""
    programme = programme_of(run)
    if programme is None:
        return []
    return list(db.session.scalars(
        select(Activity).join(Module).where(Module.programme_id == programme.id, Module.retired.is_(False),
                                            Activity.retired.is_(False), Activity.type == PLUGIN)
        .options(joinedload(Activity.module), joinedload(Activity.country))
        .order_by(Module.order, Activity.position, Activity.id)))


def replaced_by_country(activities: list[Activity]) -> dict[int | None, set[int]]:
    """{country id: ids of common activities that country's variant replaces}."""
    replaced: dict[int | None, set[int]] = defaultdict(set)
    for a in activities:
        if a.replaces_id and a.country_id is not None:
            replaced[a.country_id].add(a.replaces_id)
    return replaced


def activities_in_scope(scope: Scope, activities: list[Activity] | None = None) -> list[Activity]:
    """The evaluation activities that apply to at least one cohort of the scope."""
    activities = evaluation_activities(scope.run) if activities is None else activities
    replaced = replaced_by_country(activities)
    return [a for a in activities
            if any(applies_to(a, c, replaced[c.country_id]) for c in scope.cohorts)]


def activity_in_scope_or_none(scope: Scope, slug: str) -> Activity | None:
    return next((a for a in activities_in_scope(scope) if a.slug == slug), None)


def trainees_answering_in(run: ProgrammeRun) -> dict[int, list[User]]:
    """{cohort id: trainees whose answers count for that cohort} for a run, in one query."""
    rows = db.session.scalars(
        select(Membership).join(Cohort).where(Cohort.run_id == run.id, Membership.role == CohortRole.TRAINEE)
        .options(joinedload(Membership.user), joinedload(Membership.cohort)))
    cohorts_of: dict[int, list[Cohort]] = defaultdict(list)
    users: dict[int, User] = {}
    for m in rows:
        cohorts_of[m.user_id].append(m.cohort)
        users[m.user_id] = m.user
    answering: dict[int, list[User]] = defaultdict(list)
    for user_id, cohorts in cohorts_of.items():
        if users[user_id].active:
            answering[answering_cohort(sorted(cohorts, key=lambda c: c.id)).id].append(users[user_id])
    for trainees in answering.values():
        trainees.sort(key=lambda u: u.name.lower())
    return answering


def participation_counts(activity_ids: list[int], cohort_ids: list[int]) -> dict[tuple[int, int], int]:
    if not activity_ids or not cohort_ids:
        return {}
    rows = db.session.execute(
        select(Participation.activity_id, Participation.cohort_id, func.count())
        .where(Participation.activity_id.in_(activity_ids), Participation.cohort_id.in_(cohort_ids))
        .group_by(Participation.activity_id, Participation.cohort_id))
    return {(a, c): n for a, c, n in rows}


@dataclass
class Rate:
    """Response rate of one activity in one scope (who answered, never what)."""
    activity: Activity
    expected: int
    answered: int
    window: Window | None

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.expected) if self.expected else None


def response_rates(scope: Scope, activities: list[Activity] | None = None) -> list[Rate]:
    """One Rate per evaluation activity of the scope (four queries, whatever the scope's size)."""
    return rate_breakdown(scope, activities)[0]


@dataclass
class RateGroup:
    """One row of a breakdown of a scope's response rates: a country or a cohort."""
    label: str
    scope_token: str
    kind: str
    #: {activity id: Rate}; activities that do not apply to the group are missing.
    rates: dict[int, Rate]


def rate_breakdown(scope: Scope, activities: list[Activity] | None = None) -> tuple[list[Rate], list[RateGroup]]:
    """The scope's response rates, and the same per country (for all countries) and per cohort
    (for a country or all countries), so coordinators can see where answers are missing and
    open that cohort's list of who has not answered (four queries in all)."""
    all_activities = evaluation_activities(scope.run)
    activities = activities_in_scope(scope, all_activities) if activities is None else activities
    replaced = replaced_by_country(all_activities)
    roster = trainees_answering_in(scope.run)
    counts = participation_counts([a.id for a in activities], scope.cohort_ids)

    def rates_for(cohorts: list[Cohort]) -> dict[int, Rate]:
        rates = {}
        for a in activities:
            applying = [c for c in cohorts if applies_to(a, c, replaced[c.country_id])]
            if applying:
                rates[a.id] = Rate(a, sum(len(roster.get(c.id, [])) for c in applying),
                                   sum(counts.get((a.id, c.id), 0) for c in applying),
                                   window(instrument_of(a), scope.run))
        return rates

    overall = rates_for(scope.cohorts)
    total = [overall.get(a.id) or Rate(a, 0, 0, window(instrument_of(a), scope.run)) for a in activities]
    groups: list[RateGroup] = []
    if scope.kind == RUN:
        for country in sorted({c.country for c in scope.cohorts if c.country is not None}, key=lambda c: c.name):
            part = Scope(COUNTRY, scope.run, [c for c in scope.cohorts if c.country_id == country.id], country=country)
            groups.append(RateGroup(country.name, part.token, COUNTRY, rates_for(part.cohorts)))
    if scope.kind in (RUN, COUNTRY):
        for c in sorted(scope.cohorts, key=lambda c: c.name):
            groups.append(RateGroup(c.name, Scope(COHORT, scope.run, [c], cohort=c).token, COHORT, rates_for([c])))
    return total, groups


# --- who has not answered, and reminders ---------------------------------------------------------

def non_respondents(cohort: Cohort, activity: Activity) -> list[User]:
    roster = trainees_answering_in(cohort.run).get(cohort.id, [])
    answered = set(db.session.scalars(select(Participation.user_id).where(
        Participation.activity_id == activity.id, Participation.cohort_id == cohort.id)))
    return [u for u in roster if u.id not in answered]


def named_respondents(cohort: Cohort, activity: Activity) -> list[User]:
    """Who answered a named questionnaire (for their facilitators' per-trainee pages)."""
    return list(db.session.scalars(select(User).join(NamedResponse, NamedResponse.user_id == User.id).where(
        NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id).order_by(User.name)))


def last_reminder(cohort: Cohort, activity: Activity) -> Reminder | None:
    return db.session.scalar(select(Reminder).where(Reminder.cohort_id == cohort.id,
                                                    Reminder.activity_id == activity.id)
                             .options(joinedload(Reminder.sent_by))
                             .order_by(Reminder.sent_at.desc(), Reminder.id.desc()).limit(1))


def remind(sender: User, cohort: Cohort, activity: Activity) -> int:
    """Notify every trainee of the cohort who has not answered yet; returns how many."""
    w = window(instrument_of(activity), cohort.run)
    if w.state() != OPEN:
        raise EvaluationError(_("Reminders can only be sent while the questionnaire is open."))
    recipients = non_respondents(cohort, activity)
    if not recipients:
        raise EvaluationError(_("Everyone has answered: there is nobody to remind."))
    url = url_for("evaluation.answer", slug=activity.slug)
    for user in recipients:
        notify(user, "evaluation.reminder",
               lambda: _("Reminder: please answer “%(title)s” by %(date)s. It takes a few minutes.",
                         title=activity.title, date=format_date(w.closes_on)), url)
    db.session.add(Reminder(activity_id=activity.id, cohort_id=cohort.id, sent_by_id=sender.id,
                            recipients=len(recipients)))
    record("evaluation.remind", cohort, actor=sender, activity=activity.slug, recipients=len(recipients))
    db.session.flush()
    return len(recipients)


# --- one trainee's answers over time (the trainee, and their facilitators for named ones) -----------

def can_view_trainee(viewer: User, cohort: Cohort, trainee: User) -> str | None:
    """'self' for the trainee, 'facilitator' for a facilitator of the cohort, else None."""
    is_trainee_here = any(m.cohort_id == cohort.id and m.role == CohortRole.TRAINEE for m in trainee.memberships)
    if not is_trainee_here:
        return None
    if viewer.id == trainee.id:
        return "self"
    if any(m.cohort_id == cohort.id and m.role == CohortRole.FACILITATOR for m in viewer.memberships):
        return "facilitator"
    return None


@dataclass
class PersonalAnswers:
    activity: Activity
    answers: dict[str, Any] | None


def trainee_answers(trainee: User, cohort: Cohort, include_anonymous: bool) -> list[PersonalAnswers]:
    """The trainee's answers to each evaluation activity of the cohort's run; anonymous ones only
    when the trainee themself asks (the app finds them through the code)."""
    all_activities = evaluation_activities(cohort.run)
    replaced = replaced_by_country(all_activities)
    activities = [a for a in all_activities if applies_to(a, cohort, replaced[cohort.country_id])]
    named = {r.activity_id: r.answers for r in db.session.scalars(select(NamedResponse).where(
        NamedResponse.user_id == trainee.id, NamedResponse.cohort_id == cohort.id))}
    anonymous: dict[int, dict] = {}
    if include_anonymous:
        codes = {pseudonym(trainee.id, instrument_of(a)["family"]) for a in activities}
        anonymous = {r.activity_id: r.answers for r in db.session.scalars(select(AnonymousResponse).where(
            AnonymousResponse.cohort_id == cohort.id, AnonymousResponse.code.in_(codes)))}
    result = []
    for a in activities:
        if instrument_of(a)["anonymous"]:
            if include_anonymous:
                result.append(PersonalAnswers(a, anonymous.get(a.id)))
        else:
            result.append(PersonalAnswers(a, named.get(a.id)))
    return result


# --- privacy export and erasure --------------------------------------------------------------------

def export_user_data(user: User) -> dict[str, Any]:
    """Everything about the user, anonymous answers included: the app can find those through the
    code, so they are the user's data too (three queries)."""
    participations = list(db.session.scalars(select(Participation).where(Participation.user_id == user.id)
                                             .options(joinedload(Participation.activity))))
    named = {(r.activity_id, r.cohort_id): r.answers for r in db.session.scalars(
        select(NamedResponse).where(NamedResponse.user_id == user.id))}
    codes = {pseudonym(user.id, instrument_of(p.activity)["family"]) for p in participations}
    anonymous = {}
    if codes:
        anonymous = {(r.activity_id, r.cohort_id, r.code): r.answers for r in db.session.scalars(
            select(AnonymousResponse).where(AnonymousResponse.code.in_(codes)))}
    items = []
    for p in participations:
        instrument = instrument_of(p.activity)
        if instrument["anonymous"]:
            answers = anonymous.get((p.activity_id, p.cohort_id, pseudonym(user.id, instrument["family"])))
        else:
            answers = named.get((p.activity_id, p.cohort_id))
        items.append({"activity": p.activity.slug, "cohort_id": p.cohort_id,
                      "submitted_at": p.submitted_at.isoformat(), "anonymous": instrument["anonymous"],
                      "answers": answers})
    return {"questionnaires": items}


def erase_user_data(user: User) -> None:
    """Named answers and participation go. Anonymous answers stay in the aggregates, but their
    code is replaced by a random one (the same within a family, so before/after pairs still
    count): after erasure not even the key links them to the person."""
    families = {instrument_of(p.activity)["family"] for p in db.session.scalars(
        select(Participation).where(Participation.user_id == user.id).options(joinedload(Participation.activity)))}
    replacement = {pseudonym(user.id, family): secrets.token_hex(32) for family in families}
    groups = set(db.session.execute(select(AnonymousResponse.activity_id, AnonymousResponse.cohort_id).where(
        AnonymousResponse.code.in_(list(replacement))))) if replacement else set()
    for activity_id, cohort_id in sorted(groups):
        # The whole group is rewritten, or the erasure's transaction (and its audit event) would
        # point at exactly the rows whose code it changed.
        _lock_group(cohort_id)
        group = _group_answers(activity_id, cohort_id)
        _rewrite_group(activity_id, cohort_id, {replacement.get(code, code): a for code, a in group.items()})
    for model in (NamedResponse, Participation):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like(f"{PLUGIN}:%")))
    db.session.flush()


# --- the dashboard ---------------------------------------------------------------------------------

@dataclass
class OpenItem:
    activity: Activity
    cohort: Cohort
    window: Window
    missing: int = 0
    expected: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def open_for_staff(cohorts: list[Cohort]) -> list[OpenItem]:
    """Open questionnaires of the cohorts with trainees who have not answered (queries bounded by
    the number of runs, not of trainees)."""
    items = []
    by_run: dict[int, list[Cohort]] = defaultdict(list)
    for c in cohorts:
        by_run[c.run_id].append(c)
    for run_cohorts in by_run.values():
        run = run_cohorts[0].run
        activities = evaluation_activities(run)
        open_ones = [a for a in activities if window(instrument_of(a), run).state() == OPEN]
        if not open_ones:
            continue
        replaced = replaced_by_country(activities)
        roster = trainees_answering_in(run)
        counts = participation_counts([a.id for a in open_ones], [c.id for c in run_cohorts])
        for c in run_cohorts:
            expected = len(roster.get(c.id, []))
            for a in open_ones:
                if expected and applies_to(a, c, replaced[c.country_id]):
                    missing = expected - counts.get((a.id, c.id), 0)
                    if missing > 0:
                        items.append(OpenItem(a, c, window(instrument_of(a), run), missing, expected))
    return items


def open_for_trainee(user: User, cohorts: list[Cohort]) -> list[OpenItem]:
    cohort = answering_cohort(cohorts)
    if cohort is None:
        return []
    activities = evaluation_activities(cohort.run)
    replaced = replaced_by_country(activities)
    candidates = [a for a in activities if applies_to(a, cohort, replaced[cohort.country_id])
                  and window(instrument_of(a), cohort.run).state() == OPEN]
    if not candidates:
        return []
    answered = set(db.session.scalars(select(Participation.activity_id).where(
        Participation.user_id == user.id, Participation.cohort_id == cohort.id,
        Participation.activity_id.in_([a.id for a in candidates]))))
    return [OpenItem(a, cohort, window(instrument_of(a), cohort.run)) for a in candidates if a.id not in answered]


def all_questions(activity: Activity) -> list[dict[str, Any]]:
    return questions(instrument_of(activity))
