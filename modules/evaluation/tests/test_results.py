"""Results per cohort, country and run; growth over time linked by the pseudonymous code;
who has not answered and reminders; CSV; one trainee's answers."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification
from modules.evaluation.models import Reminder

from .helpers import RETRO, add_evaluation, complete_answers, evaluation_for_world, instrument, trainees


def send(client, login, user, activity, data):
    login(user)
    response = client.post(f"/a/evaluation/{activity.slug}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


def self_assessment(world):
    """Start and end of one family, and the retrospective final evaluation."""
    start = evaluation_for_world(world, slug="sa-start", family="self", phase="before")
    module = start.module
    end = add_evaluation(module, "sa-end", instrument(world.run, family="self", phase="final", slug="sa-end"))
    retro = add_evaluation(module, "final-eval", instrument(world.run, template=RETRO, slug="final-eval"))
    db.session.commit()
    return start, end, retro


def retro_answers(then: int, now: int) -> dict[str, str]:
    return {"then_now-C1-then": str(then), "then_now-C1-now": str(now), "then_now-C2-then": str(then),
            "then_now-C2-now": str(now), "send": "y"}


def test_growth_counts_trainees_who_grew_on_each_competency(client, world, login, factory):
    start, end, retro = self_assessment(world)
    people = [world.trainee, *trainees(factory, world.cohort, 4)]
    for i, user in enumerate(people):
        send(client, login, user, start, complete_answers(c1=2, c2=4))
        send(client, login, user, end, complete_answers(c1=4 if i < 3 else 2, c2=4 if i < 4 else 3))
        send(client, login, user, retro, retro_answers(then=3, now=4))
    login(world.facilitator)
    html = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/growth").get_data(as_text=True)
    assert "C1 Holistic approach" in html
    # C1: 3 rated higher at the end, 2 the same; C2: 4 the same, 1 lower.
    assert "3 / 2 / 0" in html and "0 / 4 / 1" in html
    assert "2.0 <span class=\"text-body-secondary\">(5)</span>" in html  # C1 at the start
    assert "3.0 → 4.0" in html and "5 of 5" in html  # looking back at the end
    assert 'role="img"' in html and "<caption>" in html
    csv = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/growth/export.csv").get_data(as_text=True)
    assert ",C1,Holistic approach,final (change since before),5,3.2,3,2,0,5," in csv
    assert ",C1,Holistic approach,retrospective then -> now,5,3.0 -> 4.0,5,0,0,5," in csv


def test_growth_is_hidden_with_fewer_than_5_linked_trainees(client, world, login, factory):
    start, end, _retro = self_assessment(world)
    people = [world.trainee, *trainees(factory, world.cohort, 4)]
    for i, user in enumerate(people):
        send(client, login, user, start, complete_answers(c1=2))
        if i < 4:  # one trainee does not answer at the end: only 4 before/after pairs
            send(client, login, user, end, complete_answers(c1=5))
    login(world.facilitator)
    html = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/growth").get_data(as_text=True)
    assert "2.0 <span" in html  # 5 answers at the start: shown
    assert "4 / 0 / 0" not in html and "5.0 <span" not in html
    assert html.count(">hidden<") >= 4


def test_the_run_shows_every_country_side_by_side_for_the_transnational_coordinator(client, world, login, factory):
    start, _end, _retro = self_assessment(world)
    for user in [world.trainee, *trainees(factory, world.cohort, 4)]:
        send(client, login, user, start, complete_answers(c1=2))
    for user in [world.trainee_other, *trainees(factory, world.other_cohort, 4, "Norwegian")]:
        send(client, login, user, start, complete_answers(c1=4))
    login(world.transnational_coordinator)
    html = client.get(f"/a/evaluation/results/run-{world.run.id}/growth").get_data(as_text=True)
    assert html.index("Norway") < html.index("Sweden")
    assert "3.0 <span class=\"text-body-secondary\">(10)</span>" in html  # all countries
    assert "2.0 <span" in html and "4.0 <span" in html  # each country
    overview = client.get(f"/a/evaluation/results/run-{world.run.id}").get_data(as_text=True)
    assert "Response rates by country" in overview and "5 of 5 (100%)" in overview


def test_country_results_are_for_that_country_s_coordinator(client, world, login):
    evaluation_for_world(world)
    login(world.national_coordinator)
    assert client.get(f"/a/evaluation/results/run-{world.run.id}-se").status_code == 200
    assert client.get(f"/a/evaluation/results/run-{world.run.id}-no").status_code == 403
    assert client.get(f"/a/evaluation/results/run-{world.run.id}").status_code == 403
    assert client.get(f"/a/evaluation/results/cohort-{world.other_cohort.id}").status_code == 403
    assert client.get(f"/a/evaluation/results/run-{world.run.id}-xx").status_code == 404
    index = client.get("/a/evaluation/results").get_data(as_text=True)
    assert "Sweden pilot" in index and "Norway pilot" not in index


def test_facilitators_see_who_has_not_answered_and_remind_only_them(client, world, login, factory, outbox):
    activity = evaluation_for_world(world)
    rui, eva = trainees(factory, world.cohort, 2)
    send(client, login, rui, activity, complete_answers(comment="An answer only I know"))
    login(world.facilitator)
    html = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}").get_data(as_text=True)
    waiting = html[html.index("Who has not answered yet"):html.index("Answers</h2>")]
    assert world.trainee.name in waiting and eva.name in waiting and rui.name not in waiting
    assert "An answer only I know" not in html
    response = client.post(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}/remind",
                           follow_redirects=True)
    assert "Reminder sent to 2 trainees." in response.get_data(as_text=True)
    notes = list(db.session.scalars(select(Notification).where(Notification.kind == "evaluation.reminder")))
    assert sorted(n.user_id for n in notes) == sorted([world.trainee.id, eva.id])
    assert all(n.url == f"/a/evaluation/{activity.slug}" for n in notes)
    assert len(outbox) == 2
    reminder = db.session.scalar(select(Reminder))
    assert reminder.recipients == 2 and reminder.sent_by_id == world.facilitator.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.remind"))
    assert event.detail["recipients"] == 2
    assert "Last reminder:" in client.get(
        f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}").get_data(as_text=True)


def test_the_csv_export_is_audited(client, world, login):
    activity = evaluation_for_world(world)
    login(world.national_coordinator)
    response = client.get(f"/a/evaluation/results/run-{world.run.id}-se/i/{activity.slug}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    # The BOM makes Excel read UTF-8; the header is in the user's language.
    assert response.get_data(as_text=True).startswith("\ufeffResults for,Questionnaire,Question code,")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.export"))
    assert event.actor_id == world.national_coordinator.id and event.detail["activity"] == activity.slug


def test_a_trainee_sees_their_own_answers_and_a_facilitator_only_named_ones(client, world, login):
    anonymous = evaluation_for_world(world, slug="anon")
    named = evaluation_for_world(world, slug="named", anonymous=False, family="named-survey")
    send(client, login, world.trainee, anonymous, complete_answers(comment="My anonymous words"))
    send(client, login, world.trainee, named, complete_answers(comment="My named words"))
    url = f"/a/evaluation/trainee/{world.cohort.id}/{world.trainee.id}"
    login(world.trainee)
    html = client.get(url).get_data(as_text=True)
    assert "My anonymous words" in html and "My named words" in html
    client.post("/logout")
    login(world.facilitator)
    html = client.get(url).get_data(as_text=True)
    assert "My named words" in html and "My anonymous words" not in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.read_named")) is not None
    results = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/named").get_data(as_text=True)
    assert url in results  # the facilitator's way to each trainee's named answers
    client.post("/logout")
    login(world.facilitator_other)
    assert client.get(url).status_code == 403


def test_home_pages_point_to_open_questionnaires(client, world, login):
    activity = evaluation_for_world(world)
    login(world.facilitator)
    html = client.get("/home").get_data(as_text=True)
    assert f"“{activity.title}” in Sweden pilot: not answered yet" in html
    assert "/a/evaluation/results" in html  # the way to every result page
    client.post("/logout")
    login(world.trainee)
    html = client.get("/home").get_data(as_text=True)
    assert f"Please answer “{activity.title}”" in html
    send(client, login, world.trainee, activity, complete_answers())
    login(world.trainee)
    assert "Please answer" not in client.get("/home").get_data(as_text=True)


def test_trainees_in_the_transnational_cohort_answer_for_their_national_cohort(client, world, login):
    activity = evaluation_for_world(world)
    send(client, login, world.trainee, activity, complete_answers())
    login(world.admin)
    national = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}").get_data(as_text=True)
    transnational = client.get(f"/a/evaluation/results/cohort-{world.transnational.id}").get_data(as_text=True)
    assert "1 of 1" in national and "0 of 0" in transnational


# --- the small-numbers rule on every scope, and no way around it by comparing pages ---------------

def _page_and_csv(client, scope: str, slug: str) -> tuple[str, str]:
    page = client.get(f"/a/evaluation/results/{scope}/i/{slug}").get_data(as_text=True)
    csv = client.get(f"/a/evaluation/results/{scope}/i/{slug}/export.csv").get_data(as_text=True)
    return page, csv


def test_a_country_and_all_countries_hide_fewer_than_5_answers_on_the_page_and_in_the_csv(
        client, world, login, factory):
    activity = evaluation_for_world(world)
    for i, user in enumerate([world.trainee, *trainees(factory, world.cohort, 2)]):
        send(client, login, user, activity, complete_answers(overall=5, comment=f"Swedish remark {i}"))
    login(world.transnational_coordinator)
    for scope in (f"run-{world.run.id}-se", f"run-{world.run.id}"):
        page, csv = _page_and_csv(client, scope, activity.slug)
        assert "results stay hidden" in page and "<svg" not in page and "Swedish remark" not in page
        assert "Swedish remark" not in csv
        assert all(line.endswith("hidden: fewer than 5 answers") for line in csv.strip().splitlines()[1:])


def test_a_total_that_would_reveal_a_small_cohort_by_subtraction_is_hidden(client, world, login, factory):
    """Sweden 5 answers, Norway 1: all countries (6) minus Sweden (5) would be that one Norwegian
    trainee's answers, so all countries is hidden while Sweden is shown."""
    activity = evaluation_for_world(world)
    for i, user in enumerate([world.trainee, *trainees(factory, world.cohort, 4)]):
        send(client, login, user, activity, complete_answers(overall=4, c1=2, comment=f"Swedish remark {i}"))
    send(client, login, world.trainee_other, activity, complete_answers(overall=1, c1=5, comment="Norwegian secret"))
    login(world.transnational_coordinator)
    sweden_page, sweden_csv = _page_and_csv(client, f"run-{world.run.id}-se", activity.slug)
    all_page, all_csv = _page_and_csv(client, f"run-{world.run.id}", activity.slug)
    norway_page, _csv = _page_and_csv(client, f"run-{world.run.id}-no", activity.slug)
    assert "Norwegian secret" not in all_page + all_csv + norway_page
    assert "Swedish remark 4" in sweden_page
    assert "6 answers, but the results stay hidden" in all_page and "Swedish remark" not in all_page
    assert all(line.endswith("hidden: a smaller group's answers could be worked out by comparing figures")
               for line in all_csv.strip().splitlines()[1:])
    assert ",overall,How useful is the programme?,,,4,4 – High,5,100,4.0,5,5," in sweden_csv
    assert "results stay hidden" in norway_page


def test_growth_hides_a_total_that_would_reveal_a_small_cohort(client, world, login, factory):
    start, end, _retro = self_assessment(world)
    for user in [world.trainee, *trainees(factory, world.cohort, 4)]:
        send(client, login, user, start, complete_answers(c1=2))
        send(client, login, user, end, complete_answers(c1=3))
    for user in [world.trainee_other, *trainees(factory, world.other_cohort, 1, "Norwegian")]:
        send(client, login, user, start, complete_answers(c1=1))
        send(client, login, user, end, complete_answers(c1=5))
    login(world.transnational_coordinator)
    html = client.get(f"/a/evaluation/results/run-{world.run.id}/growth").get_data(as_text=True)
    overall = html[html.index('id="growth-all-h"'):html.index('id="growth-1-h"')]
    assert "(7)" not in overall and "(5)" not in overall and ">hidden<" in overall  # 7 - 5 = Norway's 2
    norway = html[html.index('id="growth-1-h"'):html.index('id="growth-2-h"')]
    assert "Norway" in norway and "5.0" not in norway and ">hidden<" in norway
    sweden = html[html.index('id="growth-2-h"'):]
    assert "2.0 <span class=\"text-body-secondary\">(5)</span>" in sweden and "5 / 0 / 0" in sweden
    csv = client.get(f"/a/evaluation/results/run-{world.run.id}/growth/export.csv").get_data(as_text=True)
    assert ',"All countries, Pilot run",C1,Holistic approach,before,,,' in csv
    assert ",Sweden,C1,Holistic approach,before,5,2.0," in csv
    norway_rows = [line for line in csv.splitlines() if ",Norway,C1," in line]
    assert norway_rows and all(line.endswith("hidden: fewer than 5 answers") for line in norway_rows)


def test_csv_cells_cannot_start_a_formula(client, world, login, factory):
    import csv as csv_module
    import io

    activity = evaluation_for_world(world)
    world.cohort.name = "=HYPERLINK(\"http://evil\",\"x\")"
    inst = dict(activity.settings["instrument"])
    inst["sections"] = [dict(s) for s in inst["sections"]]
    inst["sections"][0]["questions"] = [dict(q) for q in inst["sections"][0]["questions"]]
    role = next(q for q in inst["sections"][0]["questions"] if q["key"] == "role")
    role["text"] = "+cmd|' /C calc'!A0"
    role["options"] = [{"key": "sw", "text": "-2+3"}, {"key": "ot", "text": "@SUM(1)"}]
    activity.settings = {"instrument": inst}
    db.session.commit()
    for user in [world.trainee, *trainees(factory, world.cohort, 4)]:
        send(client, login, user, activity, complete_answers(role="sw"))
    login(world.facilitator)
    text = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}/export.csv") \
        .get_data(as_text=True)
    cells = [cell for row in csv_module.reader(io.StringIO(text)) for cell in row]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'+cmd|' /C calc'!A0" in cells
    assert "'-2+3" in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_a_named_self_assessment_shows_one_trainee_s_growth_to_them_and_their_facilitator(client, world, login):
    start = evaluation_for_world(world, slug="named-start", family="named-self", phase="before", anonymous=False)
    end = add_evaluation(start.module, "named-end", instrument(world.run, family="named-self", phase="final",
                                                               anonymous=False, slug="named-end"))
    db.session.commit()
    send(client, login, world.trainee, start, complete_answers(c1=2, c2=3))
    send(client, login, world.trainee, end, complete_answers(c1=4, c2=3))
    url = f"/a/evaluation/trainee/{world.cohort.id}/{world.trainee.id}"
    for viewer in (world.trainee, world.facilitator):
        login(viewer)
        html = client.get(url).get_data(as_text=True)
        table = html[html.index("Self-assessment over time"):html.index("</table>")]
        row = table[table.index("C1 Holistic approach"):]
        assert re.search(r">2</td>\s*<td[^>]*>4</td>", row), row[:300]
        client.post("/logout")
    login(world.national_coordinator)
    assert client.get(url).status_code == 403  # status only, never one trainee's answers


def test_the_run_s_cohort_table_gives_each_cohort_s_figure_and_links_to_its_results(client, world, login, factory):
    activity = evaluation_for_world(world)
    for user in [world.trainee, *trainees(factory, world.cohort, 2)]:
        send(client, login, user, activity, complete_answers())
    trainees(factory, world.other_cohort, 3, "Norwegian")
    login(world.transnational_coordinator)
    overview = client.get(f"/a/evaluation/results/run-{world.run.id}").get_data(as_text=True)
    cohorts = overview[overview.index("Response rates by cohort"):]
    swedish = f'href="/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}">3 of 3 (100%)'
    norwegian = f'href="/a/evaluation/results/cohort-{world.other_cohort.id}/i/{activity.slug}">0 of '
    assert swedish in cohorts and norwegian in cohorts
    # The country table gives the same figures, without links.
    countries = overview[overview.index("Response rates by country"):overview.index("Response rates by cohort")]
    assert "3 of 3 (100%)" in countries and "/i/" not in countries
