"""The programme dashboard (issue 11): countries side by side for transnational staff, one
country for its national coordinator, a facilitator's own cohorts; feedback turnaround from the
assignment plugin, response rates from the evaluation plugin; CSV downloads; SVG charts that pass
the CSP; and a fixed number of queries whatever the number of trainees."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.dashboard.tables import LABELS
from app.extensions import db
from app.models import Activity, CohortRole
from app.timeutil import utcnow
from modules.assignment.models import Feedback, FeedbackState, Status, Submission, Version

from .csv_columns import csv_dicts
from .programme_data import build_programme, complete, meeting
from .test_programme_pages import counted_queries


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return csv_dicts(response.get_data(as_text=True), LABELS)


def _assignment(built) -> Activity:
    activity = Activity(module=built.modules[0], slug="dash-task", type="assignment", title="Family map",
                        hours=Decimal(2), required=True, due_rule={"after_start_days": 5}, position=9,
                        settings={"kind": "individual"})
    db.session.add(activity)
    db.session.flush()
    return activity


def _handed_in(activity, user, cohort, days_ago: float, released_after: float | None) -> None:
    handed_in = utcnow() - timedelta(days=days_ago)
    sub = Submission(activity_id=activity.id, user_id=user.id, cohort_id=cohort.id, latest_version=1,
                     submitted_at=handed_in,
                     status=Status.SUBMITTED if released_after is None else Status.REVISION_REQUESTED)
    db.session.add(sub)
    db.session.flush()
    db.session.add(Version(submission_id=sub.id, number=1, body_html="<p>private words</p>", submitted_at=handed_in))
    if released_after is not None:
        db.session.add(Feedback(submission_id=sub.id, version_number=1, body_html="<p>kind words</p>",
                                state=FeedbackState.RELEASED, released_at=handed_in + timedelta(days=released_after)))
    db.session.flush()


def _programme(world, factory):
    built = build_programme(run=world.run, slug="dash")
    task = _assignment(built)
    for activity in [*built.activities, task]:
        complete(world.trainee, activity)
    _handed_in(task, world.trainee, world.cohort, 10, 2)
    second = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Sara Second")
    _handed_in(task, second, world.cohort, 9, 4)
    third = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Tove Third")
    _handed_in(task, third, world.cohort, 20, None)
    _handed_in(task, world.trainee_other, world.other_cohort, 5, 1)
    meeting(world.cohort, built.plans[0], utcnow().date() - timedelta(days=3), attended_by=[world.trainee, second])
    third.active = False
    db.session.commit()
    return built


def test_transnational_coordinator_sees_every_country_and_the_transnational_cohort(client, world, factory, login):
    _programme(world, factory)
    login(world.transnational_coordinator)
    page = client.get("/dashboard/").get_data(as_text=True)
    for name in ("Sweden pilot", "Norway pilot", "Transnational pilot", "Feedback turnaround",
                 "Attendance per meeting", "Completion per module"):
        assert name in page
    assert "private words" not in page and "kind words" not in page   # never anyone's writing
    rows = {r["cohort"]: r for r in _csv(client.get(f"/dashboard/cohorts.csv?run={world.run.id}"))}
    sweden = rows["Sweden pilot"]
    # Tina finished everything, Sara is active, Tove's account is deactivated: dropped.
    assert (sweden["active"], sweden["finished"], sweden["dropped"]) == ("1", "1", "1")
    turnaround = (sweden["feedback_count"], sweden["turnaround_median_days"], sweden["turnaround_p90_days"])
    assert turnaround == ("2", "2", "4")
    assert sweden["waiting_for_feedback"] == "1"
    assert rows["Norway pilot"]["turnaround_median_days"] == "1"
    waiting = _csv(client.get(f"/dashboard/waiting.csv?run={world.run.id}"))
    assert [(w["trainee"], w["days_waiting"]) for w in waiting] == [("Tove Third", "20")]
    meetings = _csv(client.get(f"/dashboard/meetings.csv?run={world.run.id}"))
    assert [(m["cohort"], m["present"], m["trainees"]) for m in meetings] == [("Sweden pilot", "2", "2")]


@pytest.mark.parametrize("cohort", [str(2**63), str(10**20), "-1", "²"])
def test_a_cohort_id_no_database_holds_exports_as_if_none_was_given(client, world, factory, login, cohort):
    _programme(world, factory)
    login(world.national_coordinator)
    # The fuzz test found a 500 here: 2**63 does not fit an SQLite INTEGER (OverflowError).
    assert [r["cohort"] for r in _csv(client.get(f"/dashboard/cohorts.csv?cohort={cohort}"))] == ["Sweden pilot"]


def test_national_coordinator_sees_only_their_country(client, world, factory, login):
    _programme(world, factory)
    login(world.national_coordinator)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Sweden pilot" in page and "Norway pilot" not in page and "Transnational pilot" not in page
    assert client.get("/dashboard/?country=NO").status_code == 404
    assert client.get(f"/dashboard/cohorts/{world.other_cohort.id}").status_code == 403
    assert client.get(f"/dashboard/cohorts.csv?cohort={world.other_cohort.id}").status_code == 403
    assert client.get("/dashboard/cohorts.csv?country=NO").status_code == 404
    assert [r["cohort"] for r in _csv(client.get("/dashboard/cohorts.csv"))] == ["Sweden pilot"]


def test_facilitator_sees_only_their_cohorts(client, world, factory, login):
    _programme(world, factory)
    login(world.facilitator_other)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Norway pilot" in page and "Sweden pilot" not in page
    assert [r["cohort"] for r in _csv(client.get("/dashboard/cohorts.csv"))] == ["Norway pilot"]


def test_trainee_cannot_open_the_dashboard(client, world, login):
    login(world.trainee)
    assert client.get("/dashboard/").status_code == 403


def test_country_filter_and_drill_down_to_a_trainee(client, world, factory, login):
    _programme(world, factory)
    login(world.admin)
    page = client.get(f"/dashboard/?run={world.run.id}&country=SE").get_data(as_text=True)
    assert "Sweden pilot" in page and "Norway pilot" not in page
    cohort_page = client.get(f"/dashboard/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert f"/programme/transcript/{world.trainee.id}" in cohort_page   # the trainee's status page
    assert "private words" not in cohort_page
    assert client.get("/dashboard/?run=999999").status_code == 404
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_csv_cells_are_formula_safe(client, world, factory, login):
    _programme(world, factory)
    world.cohort.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    login(world.admin)
    names = [r["cohort"] for r in _csv(client.get("/dashboard/cohorts.csv"))]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_charts_are_svg_with_a_text_alternative_and_no_style_attribute(client, world, factory, login):
    _programme(world, factory)
    login(world.admin)
    page = client.get("/dashboard/").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) >= 3
    for chart in charts:
        assert "style=" not in chart and "<title" in chart and "<desc" in chart and 'role="img"' in chart
    assert "style=" not in page and "<script>" not in page


def test_the_dashboard_link_is_in_the_navigation_of_coordinators_only(client, world, login):
    login(world.facilitator)
    assert 'href="/dashboard/"' not in client.get("/home").get_data(as_text=True)
    client.post("/logout")
    login(world.national_coordinator)
    assert 'href="/dashboard/"' in client.get("/home").get_data(as_text=True)


def _dashboard_queries(client, world, factory, trainees: int, url: str = "/dashboard/") -> int:
    cohort = factory.cohort(world.run, country="SE", name=f"Size {trainees}")
    users = [factory.enrolled(cohort, CohortRole.TRAINEE, f"Size trainee {trainees}-{i}") for i in range(trainees)]
    task = world._task
    for i, user in enumerate(users):
        factory.member(user, world.transnational, CohortRole.TRAINEE)
        complete(user, world._built.activities[0])
        _handed_in(task, user, cohort, 5 + i % 3, 1 if i % 2 else None)
    meeting(cohort, world._built.plans[0], utcnow().date() - timedelta(days=2), attended_by=users[::2])
    db.session.commit()
    client.get(url)  # warm-up
    with counted_queries() as statements:
        page = client.get(url).get_data(as_text=True)
    assert f"Size {trainees}" in page
    return len(statements)


def test_the_dashboard_costs_the_same_queries_for_3_and_30_trainees(client, world, factory, login):
    world._built = build_programme(run=world.run, slug="size")
    world._task = _assignment(world._built)
    db.session.commit()
    login(world.admin)
    assert _dashboard_queries(client, world, factory, 3) == _dashboard_queries(client, world, factory, 30)


def test_response_rates_come_from_the_evaluation_plugin_as_counts(client, world, factory, login):
    from modules.evaluation.models import Participation
    from modules.evaluation.tests.helpers import add_evaluation, instrument
    built = _programme(world, factory)
    survey = add_evaluation(built.modules[0], "dash-survey", instrument(world.run, state="open"))
    db.session.add(Participation(activity_id=survey.id, cohort_id=world.cohort.id, user_id=world.trainee.id))
    db.session.commit()
    login(world.admin)
    rows = _csv(client.get("/dashboard/responses.csv"))
    sweden = next(r for r in rows if r["cohort"] == "Sweden pilot")
    assert (sweden["questionnaire"], sweden["answered"], sweden["trainees"]) == (survey.title, "1", "2")
    assert "Response rates" in client.get("/dashboard/").get_data(as_text=True)


def test_the_programme_report_on_the_site_and_from_the_cli(app, client, world, factory, login, tmp_path):
    _programme(world, factory)
    login(world.admin)
    page = client.get(f"/dashboard/report?run={world.run.id}").get_data(as_text=True)
    assert "Programme report: Pilot run" in page and "<style" not in page and "style=" not in page
    row = page[page.index("<th scope=\"row\">Sweden</th>"):]
    row = row[:row.index("</tr>")]
    # Sweden: 3 started (Tina, Sara, Tove), 1 finished, 1 dropped; Tina's four 1-hour readings,
    # the 2-hour task and a 4-hour meeting, and Sara's meeting: 14 hours; Tina's two modules of
    # 0.5 credits: 1 credit.
    assert re.findall(r'<td class="num text-end">([^<]*)</td>', row) == ["3", "1", "1", "14", "1"]
    assert "Norway" in page and "kind words" not in page
    assert client.get("/dashboard/report?run=999999").status_code == 404
    out = tmp_path / "report.html"
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--format", "html",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Programme report: Pilot run" in text and "Norway" in text and "@media print" in text
    missing = app.test_cli_runner().invoke(args=["report", "run", "No such run", "--output", str(out)])
    assert missing.exit_code != 0 and "no run is called" in missing.output


def test_the_report_costs_the_same_queries_for_3_and_30_trainees(client, world, factory, login):
    world._built = build_programme(run=world.run, slug="size")
    world._task = _assignment(world._built)
    db.session.commit()
    login(world.admin)
    url = f"/dashboard/report?run={world.run.id}"
    assert _dashboard_queries(client, world, factory, 3, url) == _dashboard_queries(client, world, factory, 30, url)


def test_trainees_count_before_the_programme_is_imported(client, world, login):
    login(world.admin)
    rows = {r["cohort"]: r for r in _csv(client.get("/dashboard/cohorts.csv"))}
    assert rows["Sweden pilot"]["trainees"] == "1" and rows["Transnational pilot"]["active"] == "1"
    assert "Tina Trainee" in client.get(f"/dashboard/cohorts/{world.cohort.id}").get_data(as_text=True)


def test_feedback_turnaround_summary_equals_the_days_listed_one_by_one(world, factory):
    """The database's percentiles (percentile_disc on PostgreSQL) are the nearest-rank ones of
    the days listed one by one: ties, an even count, feedback 'released' before the hand-in
    (0 days), a cohort with waiting work only."""
    from app.plugins import ProgrammeStats, turnaround_of
    from modules.assignment import queries

    built = build_programme(run=world.run, slug="dash")
    task = _assignment(built)
    other = factory.cohort(world.run, name="Waiting only")
    for i, released_after in enumerate([2, 2, 4.5, -1, 7.25, 0.05, 11, None]):
        trainee = factory.enrolled(world.cohort, CohortRole.TRAINEE, f"Trainee {i}")
        _handed_in(task, trainee, world.cohort, 20, released_after)
    _handed_in(task, factory.enrolled(other, CohortRole.TRAINEE, "Wendy Waiting"), other, 3, None)
    stats = queries.feedback_turnaround([world.cohort.id, other.id])
    listed = ProgrammeStats()
    queries._listed_turnaround(listed, *queries.turnaround_statements([world.cohort.id, other.id]))
    expected = {cohort_id: turnaround_of(days) for cohort_id, days in listed.turnaround_days.items()}
    summary = {**{c: turnaround_of(days) for c, days in stats.turnaround_days.items()}, **stats.turnaround}
    assert summary == expected
    assert expected[world.cohort.id].count == 7 and expected[world.cohort.id].median_days == 2.0
    assert expected[world.cohort.id].p90_days == 11.0
    assert stats.waiting_count == listed.waiting_count == {world.cohort.id: 1, other.id: 1}
    # Even count: the nearest rank is the lower middle value, as percentile_disc gives.
    assert turnaround_of([1, 2, 3, 10]).median_days == 2.0

