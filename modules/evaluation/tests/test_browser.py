"""The evaluation journeys in a real browser, with the real questionnaires of content/ and axe
on every page met: Ana answers the needs survey part-way, comes back and finishes it, then the
first self-assessment (Ana 2); at the end she answers the final evaluation and opens her
transcript (Ana 9); João sees the results with their charts and who has not answered, and
reminds them (João 6); Marco compares competency growth by country (Marco 1)."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, CohortRole, Notification
from app.services import drafts
from app.timeutil import utcnow
from modules.evaluation.models import AnonymousResponse, Participation
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in, log_in_and_land_home

from .helpers import RETRO, add_evaluation, complete_answers, evaluation_for_world, full_answers, instrument, trainees

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}
CONTENT = Path(__file__).resolve().parents[3] / "content"
AGREE = "4 – Agree"


def real_programme(app, factory, *, starts_in_days: int, name: str = "Ana Pereira"):
    """The real content, a run starting `starts_in_days` from today (negative: started), and
    Ana with five colleagues in its Portuguese cohort, João their facilitator."""
    today = utcnow().date()
    run = factory.run(starts_on=today + timedelta(days=starts_in_days),
                      ends_on=today + timedelta(days=starts_in_days + 364))
    cohort = factory.cohort(run, country="PT", name="Portugal 2026")
    ana = factory.enrolled(cohort, CohortRole.TRAINEE, name)
    others = [factory.enrolled(cohort, CohortRole.TRAINEE, n)
              for n in ("Rui Santos", "Marta Sousa", "Inês Costa", "Pedro Alves", "Sara Lopes")]
    joao = factory.enrolled(cohort, CohortRole.FACILITATOR, "João Silva")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["content", "import", "--path", str(CONTENT)])
    assert result.exit_code == 0, result.output
    return ana, others, joao


@contextmanager
def answering_through_the_test_client(app):
    """Other trainees answer through the test client, which sends no CSRF token; the browser's
    pages keep the protection (open_page turned it on)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def activity(slug: str) -> Activity:
    return db.session.scalar(select(Activity).where(Activity.slug == slug))


def rate(page: Page, group: str, choice: str) -> None:
    page.get_by_role("group", name=group).get_by_label(choice, exact=True).check()


def wait_until_autosaved(page: Page, user, key: str, field: str) -> None:
    """Until the autosave has stored `field` and the page knows the draft's new version, so a
    click on a button cannot race an autosave in flight."""
    for _ in range(100):
        db.session.expire_all()
        draft = drafts.get_draft(user, key)
        if draft is not None and field in draft.data:
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail(f"the autosave never stored {field}")
    expect(page.locator(".autosave-status")).to_contain_text("Draft saved at")


def log_out_on_a_phone(page: Page) -> None:
    # The menu button works once Bootstrap's deferred script has run, and a click while the menu
    # is still unfolding can be lost: wait for both.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Show menu").click()
    expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").filter(has_text="You are logged out.")).to_be_visible()


def test_ana_answers_the_needs_survey_part_way_comes_back_and_finishes(open_page, app, factory):
    ana, _others, _joao = real_programme(app, factory, starts_in_days=10)
    survey = activity("needs-survey")
    key = f"evaluation:{survey.id}:{ana.memberships[0].cohort_id}"
    page = open_page(**PHONE)
    log_in_and_land_home(page, ana.email)
    page.get_by_role("link", name="Please answer “Needs survey”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs survey")
    expect(page.get_by_text("Your answers are anonymous.")).to_be_visible()
    assert_accessible(page)
    page.wait_for_load_state("load")  # the autosave script listens from here on

    # Half-way through, on her phone: the first questions, then "save and continue later".
    rate(page, "What is your profession?", "Social worker")
    rate(page, "How long have you worked with families?", "6 to 10 years")
    rate(page, "I look at the whole family's situation", AGREE)
    page.get_by_label("What is hardest for you").fill("Too many services around one family.")
    wait_until_autosaved(page, ana, key, "hardest")
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_role("status").filter(has_text="Your answers are saved.")).to_be_visible()
    assert db.session.scalar(select(Participation)) is None  # a private draft, nothing else
    log_out_on_a_phone(page)

    # She comes back later, at the office: her answers are there (kept on the server, not in the phone).
    page = open_page()
    log_in_and_land_home(page, ana.email)
    page.get_by_role("link", name="Please answer “Needs survey”").click()
    expect(page.get_by_role("group", name="What is your profession?").get_by_label("Social worker")).to_be_checked()
    expect(page.get_by_label("What is hardest for you")).to_have_value("Too many services around one family.")
    expect(page.locator(".autosave-status")).to_contain_text("Restored your draft")
    assert_accessible(page)

    # Sending too early: clear messages, each linked to its question.
    page.get_by_role("button", name="Send my answers").click()
    summary = page.get_by_role("alert").filter(has_text="Please check these answers before sending")
    expect(summary).to_contain_text(
        "“Which topics would help you most in your work?”: Please choose at least one option.")
    expect(summary).to_contain_text("Please answer every line (6 not answered yet).")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("Which topics")).click()
    expect(page.get_by_label("Seeing and assessing the whole family's situation")).to_be_focused()

    # She finishes.
    for row in ("The families I work with help decide", "I regularly work with professionals",
                "It is clear who coordinates", "I use research findings", "I have time to reflect",
                "I try out new ways of working"):
        rate(page, row, AGREE)
    page.get_by_label("Seeing and assessing the whole family's situation").check()
    page.get_by_label("Case management").check()
    page.get_by_label("What do you hope to be able to do differently").fill("Plan together with families.")
    for row in ("I will have time set aside", "My manager supports me", "My workplace encourages new ideas",
                "We have regular meetings", "My caseload leaves room", "Emergencies often push",
                "Rules, routines and paperwork", "My service works well with other organisations"):
        rate(page, row, "I don't know" if row.startswith("Rules") else AGREE)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you: your answers are sent.")).to_be_visible()
    assert_accessible(page)
    answers = db.session.scalar(select(AnonymousResponse)).answers
    assert answers["profession"] == "social_worker" and answers["organisation"]["bureaucracy"] == "na"
    assert drafts.get_draft(ana, key) is None

    # Then the first competency self-assessment, from her home page.
    page.get_by_role("link", name="LIFE Academy").click()
    expect(page.get_by_role("link", name="Please answer “Needs survey”")).to_have_count(0)
    page.get_by_role("link", name="Please answer “Competency self-assessment (starting point)”").click()
    assert_accessible(page)
    for code in ("Holistic approach", "Finding where change is possible", "Understanding what innovation means",
                 "Co-creating solutions", "Working with professionals from other disciplines", "Case management:",
                 "Reflecting on theory and practice"):
        rate(page, code, "3 – On my own")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you: your answers are sent.")).to_be_visible()
    page.get_by_role("link", name="See all your questionnaire answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your questionnaire answers")
    expect(page.get_by_role("table")).to_contain_text("3")
    assert_accessible(page)


def test_ana_answers_the_final_evaluation_then_opens_her_transcript(open_page, app, factory):
    ana, _others, _joao = real_programme(app, factory, starts_in_days=-355)
    final = activity("final-evaluation").settings["instrument"]
    rows = {q["key"]: [r["text"] for r in q.get("rows", [])] for s in final["sections"] for q in s["questions"]}
    page = open_page()
    log_in_and_land_home(page, ana.email)
    page.get_by_role("link", name="Please answer “Final evaluation of the programme”").click()
    assert_accessible(page)
    rate(page, "Overall, how would you rate the programme?", "4 – Good")
    rate(page, "Would you recommend the programme to a colleague?", "Yes")
    for text in rows["parts"]:
        rate(page, text, AGREE)
    # Looking back at each competency: "before the programme" and "now", beside the true pretest.
    for text in rows["then_now"]:
        competency = page.get_by_role("group", name=text)
        competency.get_by_role("group", name="Before the programme (looking back)") \
            .get_by_label("2 – With support").check()
        competency.get_by_role("group", name="Now").get_by_label("4 – Confidently").check()
    for text in rows["practice_change"][:-1]:
        rate(page, text, AGREE)
    rate(page, "Where is your micro-innovation now?", "I am still trying and adjusting it")
    page.get_by_role("button", name="Send my answers").click()
    summary = page.get_by_role("alert").filter(has_text="Please check these answers")
    expect(summary).to_contain_text("“Since the programme started ...”: Please answer every line (1 not answered yet).")
    assert_accessible(page)
    rate(page, rows["practice_change"][-1], AGREE)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you: your answers are sent.")).to_be_visible()
    answers = db.session.scalar(select(AnonymousResponse)).answers
    assert answers["then_now"]["C1"] == {"then": 2, "now": 4}

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    page.get_by_role("link", name="Your transcript: units, learning outcomes, hours and credits").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ranscript")
    assert_accessible(page)


def test_joao_sees_the_results_with_charts_and_reminds_who_has_not_answered(open_page, app, factory, client, login):
    ana, others, joao = real_programme(app, factory, starts_in_days=10)
    survey = activity("needs-survey")
    form = full_answers(survey.settings["instrument"])
    with answering_through_the_test_client(app):
        for i, person in enumerate([ana, *others[:4]]):
            login(person)
            data = {**form, "years": ["under_2", "y2_5", "y6_10", "over_10", "y2_5"][i]}
            assert client.post("/a/evaluation/needs-survey", data=data).status_code == 302
            client.post("/logout")
    page = open_page()
    log_in_and_land_home(page, joao.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evaluation").click()
    page.get_by_role("link", name="Portugal 2026").click()
    assert_accessible(page)
    page.get_by_role("link", name="Needs survey", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs survey")
    expect(page.get_by_text("5 of 6 trainees have answered.")).to_be_visible()
    # A chart, with its title for screen readers, and the table right below it as its text alternative.
    chart = page.get_by_role("img", name="Answers to: How long have you worked with families?")
    expect(chart).to_be_visible()
    table = page.get_by_role("table").filter(has=page.locator("caption", has_text="5 answers")).filter(
        has_text="6 to 10 years").first
    expect(table.get_by_role("row", name=re.compile("2 to 5 years 2 40%"))).to_be_visible()
    expect(page.get_by_text("In general terms: more time to reflect.").first).to_be_visible()  # free text, 5 answers
    assert_accessible(page)

    waiting = page.locator("section", has=page.get_by_role("heading", name="Who has not answered yet"))
    expect(waiting.get_by_role("listitem")).to_have_text(["Sara Lopes"])
    waiting.get_by_role("button", name="Send a reminder to these trainees").click()
    expect(page.get_by_role("status").filter(has_text="Reminder sent to 1 trainee.")).to_be_visible()
    assert_accessible(page)
    note = db.session.scalar(select(Notification).where(Notification.kind == "evaluation.reminder"))
    assert note.user_id == others[4].id


def test_marco_compares_competency_growth_country_by_country(open_page, app, world, factory, client, login):
    start = evaluation_for_world(world, slug="sa-start", family="self", phase="before")
    add_evaluation(start.module, "sa-end", instrument(world.run, family="self", phase="final", slug="sa-end"))
    add_evaluation(start.module, "final-eval", instrument(world.run, template=RETRO, slug="final-eval"))
    db.session.commit()
    sweden = [world.trainee, *trainees(factory, world.cohort, 4)]
    norway = [world.trainee_other, *trainees(factory, world.other_cohort, 4, "Norwegian")]
    with answering_through_the_test_client(app):
        for people, before, after in ((sweden, 2, 4), (norway, 3, 3)):
            for person in people:
                login(person)
                for slug, rating in (("sa-start", before), ("sa-end", after)):
                    response = client.post(f"/a/evaluation/{slug}", data=complete_answers(c1=rating, c2=rating))
                    assert response.status_code == 302
                client.post("/logout")
    page = open_page()
    log_in(page, world.transnational_coordinator.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evaluation").click()
    page.get_by_role("link", name="All countries").click()
    expect(page.get_by_role("img", name=re.compile("^Response rate per questionnaire"))).to_be_visible()
    expect(page.get_by_role("heading", name="Response rates by country")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="See competency growth").click()
    for country in ("Norway", "Sweden"):
        expect(page.get_by_role("img", name=f"Average self-assessment per competency, from 1 to 5: {country}"))\
            .to_be_visible()
    sweden_table = page.get_by_role("table").filter(has=page.locator("caption", has_text=": Sweden"))
    expect(sweden_table.get_by_role("row", name=re.compile("^C1 Holistic approach"))).to_contain_text("5 / 0 / 0")
    norway_table = page.get_by_role("table").filter(has=page.locator("caption", has_text=": Norway"))
    expect(norway_table.get_by_role("row", name=re.compile("^C1 Holistic approach"))).to_contain_text("0 / 5 / 0")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the comparison as CSV").click()
    assert "Sweden" in Path(download.value.path()).read_text(encoding="utf-8")
