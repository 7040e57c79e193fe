"""How people reach the pages, by following the links a person would click, from the home page,
the navigation, a cohort's page or the questionnaire in the programme; never by typing a URL."""
from __future__ import annotations

import html as html_module
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification

from .helpers import complete_answers, evaluation_for_world, trainees

ANCHOR = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)


def links(page: str) -> list[tuple[str, str]]:
    """(href, visible text) of every link of a page."""
    return [(html_module.unescape(href), html_module.unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for href, text in ANCHOR.findall(page)]


def click(client, page: str, text: str, *, within: str | None = None) -> str:
    """Follow the first link whose text starts with `text` (in the part of the page after
    `within`, when given), as a person would, and return the page it opens."""
    part = page[page.index(within):] if within else page
    href = next((h for h, t in links(part) if t.startswith(text)), None)
    assert href is not None, f"no link {text!r} in {[t for _h, t in links(part)]}"
    response = client.get(href)
    assert response.status_code == 200, (href, response.status_code)
    return response.get_data(as_text=True)


def remind_from(client, page: str) -> str:
    action = re.search(r'<form method="post" action="([^"]+/remind)"', page).group(1)
    return client.post(action, follow_redirects=True).get_data(as_text=True)


def answered_by_one_of_three(client, login, world, factory):
    activity = evaluation_for_world(world)
    rui, eva = trainees(factory, world.cohort, 2)
    login(rui)
    assert client.post(f"/a/evaluation/{activity.slug}", data=complete_answers()).status_code == 302
    client.post("/logout")
    return activity, rui, eva


def test_a_facilitator_goes_from_the_home_page_to_who_has_not_answered_and_reminds(client, world, login, factory):
    activity, rui, eva = answered_by_one_of_three(client, login, world, factory)
    login(world.facilitator)
    home = client.get("/home").get_data(as_text=True)
    page = click(client, home, f"“{activity.title}” in Sweden pilot: not answered yet")
    waiting = page[page.index("Who has not answered yet"):]
    assert eva.name in waiting and world.trainee.name in waiting and rui.name not in waiting[:waiting.index("</ul>")]
    assert "Reminder sent to 2 trainees." in remind_from(client, page)
    # ... and the same list through the navigation and the results pages.
    index = click(client, home, "Evaluation", within='id="nav-main"')
    overview = click(client, index, "Sweden pilot")
    page = click(client, overview, activity.title)
    assert "Who has not answered yet" in page


def test_a_facilitator_reaches_the_results_from_the_cohort_page_and_from_the_questionnaire(
        client, world, login, factory):
    activity, _rui, _eva = answered_by_one_of_three(client, login, world, factory)
    login(world.facilitator)
    cohorts = click(client, client.get("/home").get_data(as_text=True), "Cohorts", within='id="nav-main"')
    cohort = click(client, cohorts, "Sweden pilot")
    overview = click(client, cohort, "Questionnaires: response rates, who has not answered yet, results")
    assert "1 of 3" in overview and 'role="img"' in overview
    # From the questionnaire in the programme (the module page links to it).
    programme = click(client, cohort, "Programme", within='id="nav-main"')
    module = click(client, programme, activity.module.title)
    preview = click(client, module, activity.title)
    assert "Preview: only trainees answer this questionnaire." in preview
    page = click(client, preview, "Sweden pilot", within="Response rate, who has not answered yet, and results")
    assert "Who has not answered yet" in page and "Norway pilot" not in preview


def test_a_national_coordinator_goes_from_the_country_to_a_cohort_s_missing_answers(client, world, login, factory):
    activity, _rui, eva = answered_by_one_of_three(client, login, world, factory)
    login(world.national_coordinator)
    home = client.get("/home").get_data(as_text=True)
    index = click(client, home, "Evaluation", within='id="nav-main"')
    assert "Norway" not in index
    country = click(client, index, "Sweden")
    assert "Response rates by cohort" in country and "Norway" not in country
    page = click(client, country, "1 of 3 (33%)", within="Response rates by cohort")
    assert eva.name in page[page.index("Who has not answered yet"):]
    assert "Reminder sent to 2 trainees." in remind_from(client, page)
    # The questionnaire's page for the whole country lists the cohorts with missing answers.
    country_questionnaire = click(client, country, activity.title)
    assert "Who has not answered yet, by cohort" in country_questionnaire
    assert eva.name not in country_questionnaire  # names only on the cohort's page
    page = click(client, country_questionnaire, "Sweden pilot", within="Who has not answered yet, by cohort")
    assert eva.name in page


def test_a_transnational_coordinator_sees_every_country_and_reaches_any_cohort(client, world, login, factory):
    activity, _rui, eva = answered_by_one_of_three(client, login, world, factory)
    login(world.transnational_coordinator)
    index = click(client, client.get("/home").get_data(as_text=True), "Evaluation", within='id="nav-main"')
    run = click(client, index, "All countries")
    countries = run[run.index("Response rates by country"):run.index("Response rates by cohort")]
    assert "Sweden" in countries and "Norway" in countries and "1 of 3 (33%)" in countries
    assert 'role="img"' in run  # the response rates as a chart, the table as its text alternative
    page = click(client, run, "1 of 3 (33%)", within="Response rates by cohort")
    assert eva.name in page[page.index("Who has not answered yet"):]
    remind_from(client, page)
    notes = db.session.scalars(select(Notification).where(Notification.kind == "evaluation.reminder"))
    assert {n.user_id for n in notes} == {world.trainee.id, eva.id}


def test_trainees_get_no_results_links(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    home = client.get("/home").get_data(as_text=True)
    nav = home[home.index('id="nav-main"'):home.index("</nav>")]
    assert "/a/evaluation/results" not in nav
    page = click(client, home, f"Please answer “{activity.title}”")
    assert "Response rate, who has not answered yet" not in page
    own = click(client, page, "See all your questionnaire answers")
    assert "Your questionnaire answers" in own


def test_a_second_reminder_within_48_hours_skips_those_already_reminded(client, world, login, factory):
    from datetime import timedelta

    from app.models import ReminderSent
    activity, rui, eva = answered_by_one_of_three(client, login, world, factory)
    login(world.facilitator)
    page = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}").get_data(as_text=True)
    assert "Reminder sent to 2 trainees." in remind_from(client, page)
    again = remind_from(client, page)
    assert "Reminder sent to" not in again
    assert "Not reminded:" in again and eva.name in again and "already reminded of this in the last 48 hours" in again
    assert len(db.session.scalars(select(Notification).where(Notification.kind == "evaluation.reminder")).all()) == 2
    # Two days later the limit has passed for Eva, who is reminded again.
    db.session.execute(db.update(ReminderSent).where(ReminderSent.user_id == eva.id)
                       .values(sent_at=ReminderSent.sent_at - timedelta(hours=49)))
    db.session.commit()
    third = remind_from(client, page)
    assert "Reminder sent to 1 trainee." in third and world.trainee.name in third
