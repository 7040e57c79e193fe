"""Demo data: one run, five national cohorts, the transnational cohort and a user for every
role, with the names the design's user journeys use.

The run is dated around the day the demo is first loaded: it started DEMO_DAY days earlier, so the
kick-off (day 14) and the first transnational week (day 56) are over and the national meeting on
innovation theory (day 84) is tomorrow. With the programme imported, the cohorts get their
meetings and demo_progress.py records attendance (and lets each plugin add its records) up to today."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun, SiteRole, User
from ..security import hash_password
from ..timezones import FALLBACK_ZONE, today_in, zone_for_country
from .demo_progress import has_progress, seed_progress
from .meetings import programme_of, schedule_meetings

DEMO_PASSWORD = "life-demo-2026"
DEMO_DOMAIN = "demo.life-academy.eu"
RUN_PREFIX = "LIFE pilot"
#: How many days before the first `demo load` the demo run started.
DEMO_DAY = 83

# country code: (coordinator, facilitator, trainees)
PEOPLE = {
    "SE": ("Eva Lind", "Karin Berg", ["Lars Nilsson", "Sara Holm", "Maja Ek"]),
    "NO": ("Ingrid Dahl", "Ola Haugen", ["Kari Nordmann", "Jonas Lie", "Sigrid Bakke"]),
    "SI": ("Mojca Novak", "Tomaž Kranjc", ["Nina Zupan", "Luka Horvat", "Petra Kos"]),
    "PT": ("Helena Costa", "João Silva", ["Ana Pereira", "Rui Santos", "Marta Sousa"]),
    "IT": ("Giulia Bianchi", "Paolo Romano", ["Chiara Ricci", "Luca Greco", "Sofia Conti"]),
}


def _email(name: str, country: str) -> str:
    first = name.split()[0].lower().translate(str.maketrans("ãáàâéêíóôõúçžšč", "aaaaeeiooouczsc"))
    return f"{first}.{country.lower()}@{DEMO_DOMAIN}" if country else f"{first}@{DEMO_DOMAIN}"


def _user(name: str, email: str, password_hash: str, locale: str | None, site_role: str | None = None,
          timezone: str = FALLBACK_ZONE) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, locale=locale, site_role=site_role,
                    timezone=timezone)
        db.session.add(user)
        db.session.flush()
    return user


def _member(user: User, cohort: Cohort, role: CohortRole) -> None:
    exists = db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                        Membership.cohort_id == cohort.id))
    if exists is None:
        db.session.add(Membership(user=user, cohort=cohort, role=role))


def _cohort(run: ProgrammeRun, name: str, kind: CohortKind, country: Country | None) -> Cohort:
    cohort = db.session.scalar(select(Cohort).where(Cohort.run_id == run.id, Cohort.name == name))
    if cohort is None:
        cohort = Cohort(run=run, name=name, kind=kind, country=country)
        db.session.add(cohort)
        db.session.flush()
        schedule_meetings(cohort)
    return cohort


def years(run: ProgrammeRun) -> str:
    return f"{run.starts_on.year}–{run.ends_on.year}"


def demo_run(today: date) -> ProgrammeRun:
    """The demo run: the one loaded before, or a new one that started DEMO_DAY days ago."""
    run = db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name.startswith(RUN_PREFIX))
                            .order_by(ProgrammeRun.id).limit(1))
    if run is None:
        starts_on = today - timedelta(days=DEMO_DAY)
        run = ProgrammeRun(starts_on=starts_on, ends_on=starts_on + timedelta(days=364))
        run.name = f"{RUN_PREFIX} {years(run)}"
        db.session.add(run)
        db.session.flush()
    if run.programme is None:
        run.programme = programme_of(run)
    return run


def load_demo(password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    """Create (or complete) the demo data and return (role, e-mail) pairs to print."""
    pw = hash_password(password)
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    logins = [("admin", _email("Admin", "")), ("transnational coordinator", _email("Marco", ""))]
    _user("Admin", logins[0][1], pw, "en", SiteRole.ADMIN)
    _user("Marco Ferri", logins[1][1], pw, "it", SiteRole.TRANSNATIONAL_COORDINATOR, zone_for_country(countries["IT"]))
    # "Today" in the westernmost partner zone (each user sees their country's), so that the
    # meeting planned for tomorrow is not yet today on anyone's pages.
    today = min(today_in(zone_for_country(countries[code])) for code in PEOPLE)
    run = demo_run(today)
    transnational = _cohort(run, f"Transnational cohort {years(run)}", CohortKind.TRANSNATIONAL, None)
    for code, (coordinator, facilitator, trainees) in PEOPLE.items():
        country = countries[code]
        cohort = _cohort(run, f"{country.name} {years(run)}", CohortKind.NATIONAL, country)
        locale, zone = country.default_locale, zone_for_country(country)
        for name, role in [(coordinator, CohortRole.COORDINATOR), (facilitator, CohortRole.FACILITATOR)]:
            user = _user(name, _email(name, code), pw, locale, timezone=zone)
            _member(user, cohort, role)
            logins.append((f"{role_text(role)} ({code})", user.email))
            if role == CohortRole.FACILITATOR:
                _member(user, transnational, role)
        for name in trainees:
            user = _user(name, _email(name, code), pw, locale, timezone=zone)
            _member(user, cohort, CohortRole.TRAINEE)
            _member(user, transnational, CohortRole.TRAINEE)
            logins.append((f"trainee ({code})", user.email))
    db.session.flush()
    if run.programme is not None and not has_progress(run):
        seed_progress(run, today)
    return logins


def role_text(role: CohortRole) -> str:
    return {"coordinator": "national coordinator"}.get(role, str(role))
