"""The aggregate figures of the staff pages (app/services/progress_figures.py) are the figures of
the per-trainee Overview they replace (app/services/overviews.py, each trainee's programme as
they see it): on the benchmark's generated data (five countries with their national variants,
transnational cohorts, attendance, completions), with extensions, a deactivated trainee and a
questionnaire that has closed, every trainee's hours, required work, overdue, next and missed
work, modules done and hours planned, and the dashboard's hours over time, are compared."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from app.extensions import db
from app.models import Activity, Attendance, Cohort, CohortRole, Completion, Membership, ProgrammeRun, User
from app.services import dashboard
from app.services.cohort_progress import trainee_progress
from app.services.overviews import trainee_overviews
from app.services.progress_figures import figures_for, unique_trainees
from app.timeutil import utcnow
from bench.generate import generate
from modules.assignment.models import Extension

from .conftest import clean_tables
from .queries import counted_queries


def _planned_by(item, today):
    """The dashboard's hours planned by today, as it was worked out from each Overview."""
    planned = defaultdict(Decimal)
    for module in item.overview.modules:
        for a in module.activities:
            if a.due is not None and a.due <= today:
                planned[module.module.component] += a.activity.hours
        for m in module.meetings:
            if m.starts_on is not None and m.starts_on <= today:
                planned[module.module.component] += m.hours
    return planned


def _months(items, today):
    """The dashboard's planned and done hours by day, as they were summed from each Overview."""
    done, planned = defaultdict(Decimal), defaultdict(Decimal)
    for t in items:
        for module in t.overview.modules:
            for a in module.activities:
                if a.due is not None:
                    planned[a.due] += a.activity.hours
                if a.done and a.completion.completed_at is not None:
                    done[a.completion.completed_at.date()] += a.credited_hours
            for m in module.meetings:
                if m.starts_on is not None:
                    planned[m.starts_on] += m.hours
                    if m.attended:
                        done[m.starts_on] += m.hours
    return done, planned


def _items(progress):
    return [(a.activity.id, a.due) for a in progress]


def _variety(today):
    """Extensions (one earlier than the rule, some later, one on a hidden activity), a deactivated
    trainee, and a done trainee with a questionnaire that closed."""
    users = list(db.session.scalars(select(User).where(User.id.in_(
        select(Membership.user_id).where(Membership.role == CohortRole.TRAINEE))).order_by(User.id)))
    assignments = list(db.session.scalars(select(Activity).where(Activity.type == "assignment")
                                          .order_by(Activity.id)))
    assert len(users) > 20 and len(assignments) > 4
    for i, user in enumerate(users[:12]):
        for k, activity in enumerate(assignments[i % 3:i % 3 + 3]):
            db.session.add(Extension(activity_id=activity.id, user_id=user.id,
                                     due_on=today + timedelta(days=(k - 1) * 9 - i)))
    users[5].active = False
    users[7].erased_at = utcnow()
    # A trainee with nothing done and no meeting attended.
    db.session.execute(delete(Completion).where(Completion.user_id == users[8].id))
    db.session.execute(delete(Attendance).where(Attendance.user_id == users[8].id))
    db.session.commit()


def test_the_aggregate_figures_are_those_of_each_trainees_overview(app):
    clean_tables()
    generate(app, "1k", trainees=5 * 4 * 2, cohort_size=4)
    today = ProgrammeRun.query.one().starts_on + timedelta(days=200)  # past due dates and a closed window
    _variety(today)
    run = db.session.scalar(select(ProgrammeRun))
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.run_id == run.id).order_by(Cohort.id)))
    with app.test_request_context():
        old, rows = trainee_overviews(run, cohorts)
        new = figures_for(run, cohorts, today)
        compared = 0
        missed = overdue = extended = 0
        for cohort in cohorts:
            assert [t.user.id for t in old[cohort.id]] == [t.trainee.id for t in new.by_cohort[cohort.id]]
            for before, after in zip(old[cohort.id], new.by_cohort[cohort.id], strict=True):
                expected = trainee_progress(before.user, before.overview, today)
                assert after.trainee.name == before.user.name and after.trainee.active == before.user.active
                assert after.hours == before.overview.hours
                assert (after.required_done, after.required_total) == (expected.required_done,
                                                                      expected.required_total)
                assert _items(after.overdue) == _items(expected.overdue)
                assert _items([after.next_due] if after.next_due else []) == _items(
                    [expected.next_due] if expected.next_due else [])
                assert _items(after.missed) == _items(expected.missed)
                assert after.modules_done == {m.module.id for m in before.overview.modules if m.status == "done"}
                assert after.planned_by(today) == _planned_by(before, today)
                compared += 1
                missed += len(after.missed)
                overdue += len(after.overdue)
                extended += bool(after.extended)
        # The data reach every case compared: the comparison cannot pass on empty figures.
        assert compared >= 60 and missed and overdue and extended
        assert any(t.hours.done_total for t in new.by_cohort[cohorts[0].id])
        everyone = unique_trainees(new)
        assert any(not t.done and not t.attended for t in everyone)
        assert any(t.trainee.erased_at is not None for t in everyone)
        # Work some country's view credits and another's does not is summed by the trainee's own
        # view (the database sums the rest by day): the hours over time below cover both.
        credited = [set(t.group.credit) for t in everyone]
        alike = set.intersection(*credited)
        assert any(t.done - alike for t in everyone) and any(t.done & alike for t in everyone)
        unique_old = list({t.user.id: t for items in old.values() for t in items}.values())
        done, planned = _months(unique_old, today)
        points = dashboard._months(run, unique_trainees(new), today, new.done_by_day or {})
        n = Decimal(len(unique_old))
        assert len(points) >= 6
        for point in points:
            assert point.done == (sum((h for d, h in done.items() if d <= point.month), Decimal(0))
                                  / n).quantize(Decimal("0.1"))
            assert point.planned == (sum((h for d, h in planned.items() if d <= point.month), Decimal(0))
                                     / n).quantize(Decimal("0.1"))
        assert points[-1].done > 0


def test_the_response_rates_count_the_trainees_the_roster_lists(app):
    """The evaluation's head counts (plain columns) are the lengths of its roster of users."""
    from modules.evaluation.scopes import answering_counts, trainees_answering_in
    clean_tables()
    generate(app, "1k", trainees=5 * 3 * 2, cohort_size=3)
    _variety(ProgrammeRun.query.one().starts_on)
    run = db.session.scalar(select(ProgrammeRun))
    roster = {cohort_id: len(users) for cohort_id, users in trainees_answering_in(run).items()}
    assert answering_counts(run) == roster and sum(roster.values()) == 5 * 3 * 2 - 1  # one deactivated


def test_the_run_counts_are_the_roster_the_participations_and_the_cohorts_of_the_run(app):
    """`run_counts` (one aggregated statement for the dashboard's and the report's response rates)
    gives what the roster of users, the participation counts and the run's cohorts give, with a
    trainee in two national cohorts (the lower id counts) and one in a transnational cohort only."""
    from modules.evaluation.models import Participation
    from modules.evaluation.queries import participation_counts
    from modules.evaluation.scopes import run_cohorts, run_counts, run_nesting, trainees_answering_in
    clean_tables()
    generate(app, "1k", trainees=5 * 3 * 2, cohort_size=3)
    _variety(ProgrammeRun.query.one().starts_on)
    run = db.session.scalar(select(ProgrammeRun))
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.run_id == run.id).order_by(Cohort.id)))
    national = [c for c in cohorts if c.country_id is not None]
    transnational = next(c for c in cohorts if c.country_id is None)
    twice = db.session.scalar(select(Membership.user_id).where(Membership.cohort_id == national[-1].id,
                                                               Membership.role == CohortRole.TRAINEE))
    db.session.add(Membership(user_id=twice, cohort_id=national[0].id, role=CohortRole.TRAINEE))
    only = User(email="only-transnational@example.org", name="Only Transnational", active=True)
    db.session.add(only)
    db.session.flush()
    db.session.add(Membership(user_id=only.id, cohort_id=transnational.id, role=CohortRole.TRAINEE))
    activity_ids = list(db.session.scalars(select(Activity.id).where(Activity.type == "evaluation")))
    assert activity_ids
    db.session.add(Participation(activity_id=activity_ids[0], cohort_id=national[0].id, user_id=twice))
    db.session.commit()
    roster = {cohort_id: len(users) for cohort_id, users in trainees_answering_in(run).items()}
    with app.test_request_context():
        counts = run_counts(run, activity_ids)
        assert counts.roster == roster and roster[transnational.id] >= 1
        assert counts.answered == participation_counts(activity_ids, [c.id for c in cohorts])
        assert counts.answered[(activity_ids[0], national[0].id)] >= 1
        # Kept for the small-group rule of the same request: every cohort of the run, no query.
        with counted_queries() as statements:
            nesting = run_nesting(run.id)
        assert not statements and nesting == {c.id: c.country_id for c in run_cohorts(run.id)}
