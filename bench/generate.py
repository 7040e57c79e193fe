"""Deterministic benchmark data: five countries, N trainees in national cohorts of 25 (one
facilitator each), one national coordinator per country, transnational cohorts that each join one
national cohort per country, the full programme (the real content import), and the run part-way
through: attendance, readings done, submissions with feedback, journal entries (some shared, some
with comments) and evaluation answers.

The structure (run, cohorts, meetings, due dates) goes through the app's own services; the bulk
rows are plain inserts into the models' tables (`session.execute(insert(Model), rows)`), because
the services would only do the same inserts one row and several look-ups at a time. A seeded
random makes two builds of the same size identical (timestamps aside).

Usage: DATABASE_URL=... python bench/generate.py --size 1k|10k  (the database must be empty)."""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Attendance,
    Cohort,
    CohortKind,
    CohortRole,
    Completion,
    CompletionState,
    Country,
    Meeting,
    Membership,
    ProgrammeRun,
    SiteRole,
    User,
)
from app.security import hash_password  # noqa: E402
from app.services.meetings import programme_of, schedule_meetings  # noqa: E402
from app.services.programme import overview, viewer_for  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

SIZES = {"1k": 1000, "10k": 10000}
COUNTRIES = ["SE", "NO", "SI", "PT", "IT"]
COHORT_SIZE = 25
PASSWORD = "bench-password-2026"
DOMAIN = "bench.life-academy.eu"
#: The run started this many days ago: the kick-off and the first transnational week are over.
RUN_DAY = 83
SEED = 17

PARAGRAPHS = [
    "The family I work with has contact with four services. We planned the next step together at "
    "their kitchen table, and the mother set the agenda's first point.",
    "In our team decisions used to reach the family after the professionals had met. We now invite "
    "the family to the start of every network meeting.",
    "I tried the reflective model on a meeting that went badly. Looking at what I felt, I see that I "
    "spoke for the family instead of letting them speak.",
    "Our municipality is starting a pilot with one coordinator for each family. I want to learn how "
    "to keep the family's own goals at the centre of the plan.",
]


def email(role: str, country: str, number: int) -> str:
    return f"{role}{number}.{country.lower()}@{DOMAIN}"


@dataclass
class Built:
    trainees: dict[int, list[int]] = field(default_factory=dict)  # national cohort id -> user ids
    facilitator: dict[int, int] = field(default_factory=dict)  # cohort id -> facilitator id
    transnational_of: dict[int, int] = field(default_factory=dict)  # national -> transnational id
    users: list[int] = field(default_factory=list)


def _insert_users(rows: list[dict[str, Any]]) -> dict[str, int]:
    db.session.execute(insert(User), rows)
    emails = [r["email"] for r in rows]
    found: dict[str, int] = {}
    for start in range(0, len(emails), 1000):
        chunk = emails[start:start + 1000]
        found.update((row[0], row[1]) for row in db.session.execute(
            select(User.email, User.id).where(User.email.in_(chunk))))
    return found


def build_people(run: ProgrammeRun, trainees: int, pw: str, cohort_size: int = COHORT_SIZE) -> Built:
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    per_country = trainees // len(COUNTRIES)
    cohorts_per_country = max(1, per_country // cohort_size)
    now = utcnow()
    built = Built()
    user_rows: list[dict[str, Any]] = [
        {"email": f"admin@{DOMAIN}", "name": "Bench Admin", "password_hash": pw, "locale": "en",
         "site_role": SiteRole.ADMIN, "timezone": "Europe/Stockholm", "active": True, "created_at": now},
        {"email": f"transnational@{DOMAIN}", "name": "Bench Transnational", "password_hash": pw,
         "locale": "en", "site_role": SiteRole.TRANSNATIONAL_COORDINATOR, "timezone": "Europe/Rome",
         "active": True, "created_at": now}]
    plan: list[tuple[str, int, list[str], str]] = []  # (country, index, trainee e-mails, facilitator e-mail)
    for code in COUNTRIES:
        country = countries[code]
        common = {"password_hash": pw, "locale": country.default_locale, "timezone": country.time_zone,
                  "active": True, "created_at": now}
        user_rows.append({**common, "email": email("coordinator", code, 1), "name": f"Coordinator {code}"})
        number = 0
        for index in range(cohorts_per_country):
            mails = []
            for _ in range(cohort_size):
                number += 1
                mails.append(email("trainee", code, number))
                user_rows.append({**common, "email": mails[-1], "name": f"Trainee {number} {code}"})
            facilitator = email("facilitator", code, index + 1)
            user_rows.append({**common, "email": facilitator, "name": f"Facilitator {index + 1} {code}"})
            plan.append((code, index, mails, facilitator))
    ids = _insert_users(user_rows)
    built.users = sorted(ids.values())
    transnational: dict[int, Cohort] = {}
    memberships: list[dict[str, Any]] = []
    for code, index, mails, facilitator in plan:
        cohort = Cohort(run=run, kind=CohortKind.NATIONAL, country=countries[code],
                        name=f"{countries[code].name} {index + 1}")
        if index not in transnational:
            transnational[index] = Cohort(run=run, kind=CohortKind.TRANSNATIONAL, name=f"Transnational {index + 1}")
            db.session.add(transnational[index])
        db.session.add(cohort)
        db.session.flush()
        trans = transnational[index]
        built.trainees[cohort.id] = [ids[m] for m in mails]
        built.facilitator[cohort.id] = ids[facilitator]
        built.facilitator.setdefault(trans.id, ids[facilitator])
        built.transnational_of[cohort.id] = trans.id
        for uid in built.trainees[cohort.id]:
            memberships += [{"user_id": uid, "cohort_id": cohort.id, "role": CohortRole.TRAINEE, "created_at": now},
                            {"user_id": uid, "cohort_id": trans.id, "role": CohortRole.TRAINEE, "created_at": now}]
        memberships += [
            {"user_id": ids[facilitator], "cohort_id": cohort.id, "role": CohortRole.FACILITATOR, "created_at": now},
            {"user_id": ids[facilitator], "cohort_id": trans.id, "role": CohortRole.FACILITATOR, "created_at": now},
            {"user_id": ids[email("coordinator", code, 1)], "cohort_id": cohort.id,
             "role": CohortRole.COORDINATOR, "created_at": now}]
    db.session.execute(insert(Membership), memberships)
    for cohort in db.session.scalars(select(Cohort).where(Cohort.run_id == run.id).order_by(Cohort.id)):
        schedule_meetings(cohort)
    db.session.flush()
    return built


def record_attendance(built: Built, today: date, rnd: random.Random) -> int:
    now = utcnow()
    members: dict[int, list[int]] = defaultdict(list)
    for national, trainees in built.trainees.items():
        members[national] += trainees
        members[built.transnational_of[national]] += trainees
    rows = []
    meetings = list(db.session.execute(select(Meeting.id, Meeting.cohort_id).where(Meeting.ends_on < today)
                                       .order_by(Meeting.id)))
    for meeting_id, cohort_id in meetings:
        for uid in members.get(cohort_id, []):
            rows.append({"meeting_id": meeting_id, "user_id": uid, "present": rnd.random() < 0.9,
                         "recorded_by_id": built.facilitator[cohort_id], "recorded_at": now})
    if rows:
        db.session.execute(insert(Attendance), rows)
    return len(rows)


def _due_items(built: Built, run: ProgrammeRun, today: date) -> dict[int, list]:
    """Per national cohort, its activities due by today, from the overview of one trainee of the
    cohort's country: every cohort of a country has the same programme and, its meetings being
    scheduled from the run's start, the same dates."""
    due: dict[int, list] = {}
    by_country: dict[int | None, list] = {}
    for national, trainees in built.trainees.items():
        country_id = db.session.get(Cohort, national).country_id
        if country_id not in by_country:
            viewer = viewer_for(db.session.get(User, trainees[0]), run)
            items = [item for module in overview(viewer).modules for item in module.activities] if viewer else []
            by_country[country_id] = [(item.activity, item.due) for item in items if item.available
                                      and item.due is not None and item.due <= today + timedelta(days=7)]
        due[national] = by_country[country_id]
    return due


def _when(today: date, due: date, rnd: random.Random) -> datetime:
    day = min(due, today) - timedelta(days=rnd.randint(0, 5))
    return datetime(day.year, day.month, day.day, rnd.randint(7, 21), rnd.randint(0, 59))


def record_work(built: Built, run: ProgrammeRun, today: date, seed: int) -> dict[str, int]:
    """Each trainee's records come from a random seeded by their place (cohort, position,
    activity), so the first trainees' data are the same in a small and a large build."""
    from modules.assignment.models import Feedback, Status, Submission, Version
    from modules.evaluation.models import AnonymousResponse, NamedResponse, Participation
    from modules.evaluation.questionnaire import instrument_of, pseudonym
    from modules.journal.models import Audience, Comment, Entry, Supervisor

    counts: dict[str, int] = defaultdict(int)
    completions: list[dict[str, Any]] = []
    submissions: list[dict[str, Any]] = []
    outcomes: list[tuple[int, str, datetime, int]] = []  # (facilitator, decision, when, text index)
    entries: list[dict[str, Any]] = []
    shared_by: list[tuple[int, int]] = []  # (entry index, facilitator)
    evaluation: list[tuple[Any, int, int, datetime]] = []
    due_items = _due_items(built, run, today)
    for number, (national, trainees) in enumerate(built.trainees.items()):
        trans = built.transnational_of[national]
        facilitator = built.facilitator[national]
        db.session.add(Supervisor(cohort_id=national, supervisor_id=facilitator))
        for index, (activity, due) in enumerate(due_items[national]):
            transnational = activity.module.is_transnational
            cohort_id = trans if transnational else national
            group = bool((activity.settings or {}).get("group"))
            for position, uid in enumerate(trainees):
                rnd = random.Random(f"{seed}-{number}-{position}-{index}")
                pace = (position * 7 + index) % 10  # some trainees lag behind
                if pace >= 8 or (due > today and pace >= 3):
                    continue
                when = _when(today, due, rnd)
                state = CompletionState.DONE
                if activity.type == "assignment" and not group:
                    decision = rnd.choice(["accept", "accept", "revise", "wait"])
                    status = {"accept": Status.ACCEPTED, "revise": Status.REVISION_REQUESTED,
                              "wait": Status.SUBMITTED}[decision]
                    state = CompletionState.DONE if decision == "accept" else CompletionState.STARTED
                    submissions.append({"activity_id": activity.id, "user_id": uid, "cohort_id": cohort_id,
                                        "status": status, "latest_version": 1, "submitted_at": when,
                                        "created_at": when, "updated_at": when})
                    outcomes.append((built.facilitator[cohort_id], decision, when, rnd.randrange(len(PARAGRAPHS))))
                elif activity.type == "assignment":
                    continue  # group work: one country group hands in, not modelled here
                elif activity.type == "journal":
                    shared = rnd.random() < 0.4
                    entries.append({"owner_id": uid, "title": f"{activity.title} — reflection",
                                    "entry_date": when.date(),
                                    "body_html": f"<p>{rnd.choice(PARAGRAPHS)}</p>", "stage_answers": {},
                                    "module_id": activity.module_id, "activity_id": activity.id,
                                    "cohort_id": cohort_id, "prompt": {},
                                    "competencies": list(activity.competencies or []),
                                    "shared": shared, "shared_at": when if shared else None, "version": 1,
                                    "activity_at": when, "created_at": when, "updated_at": when})
                    if shared:
                        shared_by.append((len(entries) - 1, built.facilitator[cohort_id]))
                elif activity.type == "evaluation":
                    evaluation.append((activity, uid, cohort_id, when))
                completions.append({"user_id": uid, "activity_id": activity.id, "state": state,
                                    "completed_at": when if state == CompletionState.DONE else None,
                                    "updated_at": when})
        # A private entry outside any activity: the journal is a diary, not only homework.
        for position, uid in enumerate(trainees):
            rnd = random.Random(f"{seed}-{number}-{position}-diary")
            when = _when(today, today, rnd)
            entries.append({"owner_id": uid, "title": "A note after a home visit", "entry_date": when.date(),
                            "body_html": f"<p>{rnd.choice(PARAGRAPHS)}</p>", "stage_answers": {}, "module_id": None,
                            "activity_id": None, "cohort_id": national, "prompt": {}, "competencies": [],
                            "shared": False, "shared_at": None, "version": 1, "activity_at": when,
                            "created_at": when, "updated_at": when})
    db.session.execute(insert(Completion), completions)
    counts["completions"] = len(completions)
    if submissions:
        ids = list(db.session.scalars(insert(Submission).returning(Submission.id, sort_by_parameter_order=True),
                                      submissions))
        versions, feedback = [], []
        for sid, row, (author, decision, when, text) in zip(ids, submissions, outcomes, strict=True):
            versions.append({"submission_id": sid, "number": 1, "body_html": f"<p>{PARAGRAPHS[text]}</p>",
                             "fields": {}, "submitted_at": when, "submitted_by_id": row["user_id"]})
            if decision != "wait":
                later = when + timedelta(days=2)
                feedback.append({"submission_id": sid, "version_number": 1, "author_id": author,
                                 "body_html": "<p>Thank you: a clear plan. Say more about the family's own goals.</p>",
                                 "field_comments": {}, "decision": decision, "state": "released",
                                 "created_at": later, "updated_at": later, "released_at": later, "review_note": ""})
        db.session.execute(insert(Version), versions)
        if feedback:
            db.session.execute(insert(Feedback), feedback)
        counts["submissions"], counts["feedback"] = len(ids), len(feedback)
    if entries:
        ids = list(db.session.scalars(insert(Entry).returning(Entry.id, sort_by_parameter_order=True), entries))
        audience = [{"entry_id": ids[index], "user_id": fac} for index, fac in shared_by]
        comments = [{"entry_id": ids[index], "author_id": fac, "body_html": "<p>Thank you for sharing this.</p>",
                     "created_at": entries[index]["activity_at"] + timedelta(days=1)}
                    for index, fac in shared_by[::2]]
        if audience:
            db.session.execute(insert(Audience), audience)
        if comments:
            db.session.execute(insert(Comment), comments)
        counts["journal entries"], counts["shared"] = len(ids), len(shared_by)
    _answers(evaluation, random.Random(seed), instrument_of, pseudonym, Participation, AnonymousResponse, NamedResponse)
    counts["evaluation answers"] = len(evaluation)
    return counts


def _answer(question: dict[str, Any], rnd: random.Random) -> Any:
    kind = question["type"]
    if kind in ("scale5", "agreement5"):
        return rnd.randint(1, 5)
    if kind == "single":
        return rnd.choice(question["options"])["key"]
    if kind == "multiple":
        keys = [o["key"] for o in question["options"]]
        return sorted(rnd.sample(keys, min(len(keys), question.get("max_choices") or 2)))
    if kind == "text":
        return rnd.choice(PARAGRAPHS) if rnd.random() < 0.3 else ""
    if kind == "matrix":
        if question.get("retrospective"):
            return {r["key"]: {"then": rnd.randint(1, 3), "now": rnd.randint(3, 5)} for r in question["rows"]}
        return {r["key"]: rnd.randint(1, 5) for r in question["rows"]}
    return None


def _answers(evaluation, rnd, instrument_of, pseudonym, Participation, AnonymousResponse, NamedResponse) -> None:
    from modules.evaluation.instrument import questions

    participations, anonymous, named = [], [], []
    for activity, uid, cohort_id, when in evaluation:
        instrument = instrument_of(activity)
        answers = {q["key"]: _answer(q, rnd) for q in questions(instrument)}
        participations.append({"activity_id": activity.id, "cohort_id": cohort_id, "user_id": uid,
                               "submitted_at": when})
        if instrument["anonymous"]:
            anonymous.append({"id": f"{rnd.getrandbits(128):032x}", "activity_id": activity.id,
                              "cohort_id": cohort_id, "code": pseudonym(uid, instrument["family"]),
                              "answers": answers})
        else:
            named.append({"activity_id": activity.id, "cohort_id": cohort_id, "user_id": uid, "answers": answers,
                          "submitted_at": when, "updated_at": when})
    for model, rows in [(Participation, participations), (AnonymousResponse, anonymous), (NamedResponse, named)]:
        if rows:
            db.session.execute(insert(model), rows)


def import_programme(app) -> None:
    result = app.test_cli_runner().invoke(args=["content", "import"])
    if result.exit_code != 0:
        raise SystemExit(f"content import failed:\n{result.output}")


def generate(app, size: str, seed: int = SEED, trainees: int | None = None,
             cohort_size: int = COHORT_SIZE) -> dict[str, int]:
    """Build the data set into the app's (migrated, empty) database."""
    rnd = random.Random(seed)
    import_programme(app)
    today = date.today()
    starts_on = today - timedelta(days=RUN_DAY)
    run = ProgrammeRun(name=f"Bench run {size}", starts_on=starts_on, ends_on=starts_on + timedelta(days=364))
    db.session.add(run)
    db.session.flush()
    run.programme = programme_of(run)
    built = build_people(run, trainees or SIZES[size], hash_password(PASSWORD), cohort_size)
    counts = {"users": len(built.users), "national cohorts": len(built.trainees)}
    counts["attendance"] = record_attendance(built, today, rnd)
    # The overview builds each activity's link, and links need a request.
    with app.test_request_context():
        counts.update(record_work(built, run, today, seed))
    db.session.commit()
    return counts


def analyse(engine) -> None:
    """Planner statistics for the freshly loaded tables, as autovacuum gathers them on a live
    server. Without them PostgreSQL plans every query for empty tables (nested loops over the
    1,000 trainees: the progress figures' completions took 59 ms instead of 5 ms under load)."""
    with engine.connect() as connection:  # SQLite's ANALYZE fills sqlite_stat1 likewise
        connection.execute(text("ANALYZE"))
        connection.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="1k")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from app import create_app
    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(select(User.id).limit(1)) is not None:
            raise SystemExit("the database is not empty: bench data goes into a database of its own")
        start = time.perf_counter()
        counts = generate(app, args.size, args.seed)
        analyse(db.engine)
    print(f"built {args.size} in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {what}" for what, n in counts.items()))


if __name__ == "__main__":
    main()
