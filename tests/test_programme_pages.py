"""The trainee's programme pages: overview, module page, resource library, home summary."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Country
from app.services import progress
from app.services.programme import overview, viewer_for

from .programme_data import build_programme, complete, meeting, national_activity
from .queries import counted_queries


def text(response) -> str:
    return response.get_data(as_text=True)


def test_overview_lists_modules_with_status_due_dates_and_hours(client, world, login):
    built = build_programme(3, 2, run=world.run)
    complete(world.trainee, built.activity("test-programme-m1-a1"))
    complete(world.trainee, built.activity("test-programme-m1-a2"))
    complete(world.trainee, built.activity("test-programme-m2-a1"))
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/programme/"))
    assert page.index("Module 1") < page.index("Module 2") < page.index("Module 3")
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    assert "Done" in rows[1] and "In progress" in rows[2] and "Not started" in rows[3]
    # Module 3's first lesson is due 31 days after the run's start (2026-10-01).
    assert "Nov 1, 2026" in rows[3]
    # 2 national hours and 1 transnational hour done, of 18 (3 modules x (2 + 4)).
    assert "3 of 18 hours done" in page
    assert 'aria-label="National hours done" aria-valuenow="2" aria-valuemin="0" aria-valuemax="12"' in \
        re.sub(r"\s+", " ", page)
    assert 'aria-valuenow="1" aria-valuemin="0" aria-valuemax="6"' in re.sub(r"\s+", " ", page)
    assert "w-pct-11" in page and "w-pct-5" in page  # 2/18 and 1/18 of the bar


def test_due_date_after_a_meeting_uses_the_cohorts_meeting_or_the_plan(client, world, login):
    built = build_programme(1, 2, run=world.run)
    lesson = built.activity("test-programme-m1-a2")  # due 7 days after meeting 1 (planned on day 10)
    built.plan("test-programme-meeting-1").duration_days = 5  # counted from the first day all the same
    viewer = viewer_for(world.trainee)
    item = overview(viewer).modules[0].activities[1]
    assert item.activity == lesson
    assert item.due == world.run.starts_on + timedelta(days=10 + 7)
    held = meeting(world.cohort, built.plan("test-programme-meeting-1"), date(2026, 12, 1))
    held.ends_on = date(2026, 12, 5)
    item = overview(viewer).modules[0].activities[1]
    assert item.due == date(2026, 12, 8)
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "Dec 8, 2026" in page and "Linköping" in page


def test_hours_count_completed_activities_and_attended_meetings(world):
    built = build_programme(2, 2, run=world.run)
    complete(world.trainee, built.activity("test-programme-m1-a1"))
    meeting(world.transnational, built.plan("test-programme-meeting-2"), date(2026, 12, 1),
            hours=Decimal("25.5"), attended_by=[world.trainee])
    meeting(world.cohort, built.plan("test-programme-meeting-1"), date(2026, 11, 1))  # not attended
    hours = progress.hours_done(world.trainee, world.run)
    assert hours.done == {"national": Decimal(1), "transnational": Decimal("25.5")}
    assert hours.planned == {"national": Decimal(6), "transnational": Decimal(6)}
    assert progress.hours_done(world.facilitator, world.run) is None  # staff have no hours


def test_national_variant_is_marked_and_replaces_for_its_country_only(client, world, login):
    built = build_programme(1, 2, run=world.run)
    common = built.activity("test-programme-m1-a2")
    national_activity(built, "SE", built.modules[0], replaces=common, slug="se-lesson")
    db.session.commit()
    login(world.trainee)  # Sweden
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "National lesson for SE" in page and "Lesson 1.2" not in page
    assert '<span class="badge text-bg-warning ms-1">National</span>' in page
    overview_page = text(client.get("/programme/"))
    assert "National</span>" in overview_page
    assert client.get("/a/reading/test-programme-m1-a2").status_code == 404

    client.post("/logout")
    login(world.trainee_other)  # Norway
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "Lesson 1.2" in page and "National lesson for SE" not in page
    assert client.get("/a/reading/se-lesson").status_code == 404


def test_a_removed_activity_is_hidden_for_that_country(world):
    built = build_programme(1, 2, run=world.run)
    built.activity("test-programme-m1-a1").omitted_in = ["SE"]
    db.session.flush()
    swedish = [a.activity.slug for a in overview(viewer_for(world.trainee)).modules[0].activities]
    norwegian = [a.activity.slug for a in overview(viewer_for(world.trainee_other)).modules[0].activities]
    assert swedish == ["test-programme-m1-a2"]
    assert norwegian == ["test-programme-m1-a1", "test-programme-m1-a2"]


def test_site_staff_see_every_countrys_variant_labelled(client, world, login):
    built = build_programme(1, 1, run=world.run)
    national_activity(built, "NO", built.modules[0], slug="no-lesson")
    db.session.commit()
    login(world.admin)
    page = text(client.get("/programme/modules/test-programme-m1"))
    norway = db.session.query(Country).filter_by(code="NO").one().name
    assert f"National: {norway}" in page
    assert "Only trainees can mark work as done" in text(client.get("/programme/"))


def test_module_page_shows_outcomes_with_competency_labels_and_resources(client, world, login):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "Outcome 1" in page and "C4 Competency 4" in page
    assert "Resource 1" in page and "Training and education" in page
    assert "<h2>About module 1</h2>" in page  # the summary's heading nests under the page's <h1>
    assert client.get("/programme/modules/nope").status_code == 404


def test_resource_library_filters_by_kind_and_competency(client, world, login):
    build_programme(3, 1, run=world.run)
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/programme/resources"))
    assert all(f"Resource {i}" in page for i in (1, 2, 3)) and "3 resources." in page
    page = text(client.get("/programme/resources?kind=research-based"))
    assert "Resource 2" in page and "Resource 1" not in page and "1 resource matches." in page
    page = text(client.get("/programme/resources?competency=C4"))  # resource 3 has C(3 % 7 + 1)
    assert "Resource 3" in page and "Resource 2" not in page
    page = text(client.get("/programme/resources?kind=gossip"))
    assert "Not a valid choice" in page and "3 resources." in page
    page = text(client.get("/programme/resources/test-programme-resource-1"))
    assert "<em>knowledge</em>" in page and "A source" in page


def test_planned_type_shows_as_coming_soon_and_credits_nothing(client, world, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "LIFE_PLANNED_ACTIVITY_TYPES", ["futuretype"])
    built = build_programme(1, 2, run=world.run)
    later = built.activity("test-programme-m1-a2")
    later.type = "futuretype"
    complete(world.trainee, later)  # even a stray completion credits nothing without a plugin
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/programme/modules/test-programme-m1"))
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "Lesson 1.2" in r)
    assert "Coming soon" in row and "<a href" not in row
    assert progress.hours_done(world.trainee, world.run).done_total == 0


def test_user_without_a_programme_gets_a_plain_message(client, factory, login):
    user = factory.user()
    db.session.commit()
    login(user)
    assert "There is no programme for you to follow yet" in text(client.get("/programme/"))
    assert client.get("/programme/modules/anything").status_code == 404


def test_home_page_shows_hours_and_next_due_item(client, world, login):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    login(world.trainee)
    page = text(client.get("/home"))
    assert "0 of 12 hours done" in page
    assert "Next due:" in page and "Lesson 1.1" in page and "Oct 12, 2026" in page




def _page_queries(client, world, url: str, modules: int, activities: int, expect: str) -> int:
    built = build_programme(modules, activities, run=world.run, slug=f"p{modules}x{activities}")
    for activity in built.activities[::3]:
        complete(world.trainee, activity)
    for plan in built.plans[:2]:
        meeting(world.cohort, plan, date(2026, 11, 1), attended_by=[world.trainee])
    db.session.commit()
    client.get(url)  # warm-up: the login's own queries are not the page's
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert expect.format(modules=modules, hours=modules * (activities + 4)) in text(response)
    return len(statements)


@pytest.mark.parametrize("url, expect", [("/programme/", "Module {modules}</a>"),
                                         ("/home", "of {hours} hours done")])
def test_overview_queries_do_not_grow_with_modules_and_activities(client, world, login, url, expect):
    login(world.trainee)
    small = _page_queries(client, world, url, 3, 3, expect)
    world.run.programme_id = None
    db.session.commit()
    large = _page_queries(client, world, url, 12, 10, expect)
    assert small == large, (small, large)


def test_the_module_page_lists_only_the_resources_the_trainee_may_open(client, world, login):
    from app.models import Resource
    built = build_programme(1, 1, run=world.run)
    module = built.modules[0]
    italian = Resource(programme=built.programme, module=module, slug="it-local-guide", kind="practice-based",
                       title="Guida dei servizi di Cervia", body_md="Solo per l'Italia.",
                       country=db.session.query(Country).filter_by(code="IT").one(), position=9)
    db.session.add(italian)
    db.session.commit()
    login(world.trainee)  # a trainee of the Swedish cohort
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "Resource 1" in page and "Guida dei servizi di Cervia" not in page
    assert client.get("/programme/resources/it-local-guide").status_code == 404
