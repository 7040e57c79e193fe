"""A trainee answers once, can save part-way and edit until the close date; required questions
are enforced with messages that name the question."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Completion, Draft
from modules.evaluation.models import AnonymousResponse, NamedResponse, Participation

from .helpers import complete_answers, evaluation_for_world, set_window


def checked(html: str, name: str, value: str) -> bool:
    return re.search(rf'<input checked[^>]*name="{re.escape(name)}"[^>]*value="{re.escape(value)}"', html) is not None


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_trainee_sees_sections_questions_and_the_anonymity_note(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    html = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert "About the programme" in html and "Your competencies" in html
    assert "How useful is the programme?" in html and "Holistic approach" in html
    assert "Your answers are anonymous" in html
    assert 'data-autosave' in html and f'value="evaluation:{activity.id}:{world.cohort.id}"' in html
    assert "<legend" in html  # radio groups are fieldsets named by the question


def test_save_part_way_keeps_a_private_draft_and_nothing_else(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    response = client.post(f"/a/evaluation/{activity.slug}", data={"overall": "4", "comment": "Half done",
                                                                   "save": "y"})
    assert response.status_code == 302
    draft = db.session.scalar(select(Draft).where(Draft.user_id == world.trainee.id))
    assert draft.data["overall"] == "4" and draft.data["comment"] == "Half done"
    assert _count(AnonymousResponse) == 0 and _count(Participation) == 0
    html = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert checked(html, "overall", "4") and "Half done" in html
    assert db.session.scalar(select(Completion.state).where(Completion.user_id == world.trainee.id)) == "started"


def test_required_questions_are_enforced_with_messages_naming_them(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    response = client.post(f"/a/evaluation/{activity.slug}",
                           data={"overall": "", "competencies-C1": "3", "send": "y", "comment": "Kept"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“How useful is the programme?”: Please answer this question." in html
    assert "“Where are you today?”: Please answer every line (1 not answered yet)." in html
    assert 'href="#overall-0"' in html  # the summary links to the first radio of the question
    assert "Kept" in html  # what was typed stays on the page
    assert _count(AnonymousResponse) == 0 and _count(Participation) == 0 and _count(Draft) == 0


def test_answers_outside_the_offered_choices_are_refused(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    response = client.post(f"/a/evaluation/{activity.slug}",
                           data=complete_answers(overall=9, topics=["family", "cases", "research"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose one of the options shown." in html and "Choose at most 2 options." in html
    assert _count(AnonymousResponse) == 0


def test_sending_writes_the_answers_apart_from_the_name_and_completes_the_activity(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    client.post(f"/a/evaluation/{activity.slug}", data={"overall": "2", "save": "y"})
    response = client.post(f"/a/evaluation/{activity.slug}",
                           data=complete_answers(role="sw", topics=["family", "research"], comment="Great"))
    assert response.status_code == 302
    row = db.session.scalar(select(AnonymousResponse))
    assert row.answers == {"overall": 4, "role": "sw", "topics": ["family", "research"], "comment": "Great",
                           "competencies": {"C1": 3, "C2": 3}}
    assert row.cohort_id == world.cohort.id  # the national cohort, not the transnational one
    participation = db.session.scalar(select(Participation))
    assert participation.user_id == world.trainee.id and participation.cohort_id == world.cohort.id
    assert _count(Draft) == 0  # the part-way draft would tie the answers to the trainee
    assert db.session.scalar(select(Completion.state).where(Completion.user_id == world.trainee.id)) == "done"
    assert "Thank you: your answers are sent." in client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)


def test_the_trainee_can_change_the_answers_until_the_close_date(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(overall=2))
    html = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert "You can change them until" in html and checked(html, "overall", "2") and "data-autosave" not in html
    response = client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(overall=5))
    assert response.status_code == 302
    assert [r.answers["overall"] for r in db.session.scalars(select(AnonymousResponse))] == [5]
    assert _count(Participation) == 1
    # Once sent, changes are saved whole: a part-way save would put answers back beside the name.
    client.post(f"/a/evaluation/{activity.slug}", data={"overall": "1", "save": "y"})
    assert _count(Draft) == 0
    assert db.session.scalar(select(AnonymousResponse)).answers["overall"] == 5


def test_a_closed_questionnaire_refuses_answers_and_changes(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(overall=3))
    set_window(activity, world.run, "closed")
    response = client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(overall=5), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "answers can no longer be changed" in html
    assert db.session.scalar(select(AnonymousResponse)).answers["overall"] == 3
    assert "<fieldset disabled>" in html and "Send my answers" not in html
    assert "These are the answers you sent." in html and checked(html, "overall", "3")


def test_a_questionnaire_not_open_yet_cannot_be_answered(client, world, login):
    activity = evaluation_for_world(world, state="upcoming")
    login(world.trainee)
    html = client.post(f"/a/evaluation/{activity.slug}", data={"overall": "3", "save": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "This questionnaire opens on" in html
    assert _count(Draft) == 0


def test_staff_see_a_preview_and_cannot_answer(client, world, login):
    activity = evaluation_for_world(world)
    login(world.facilitator)
    html = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert "Preview: only trainees answer this questionnaire." in html and "<fieldset disabled>" in html
    assert client.post(f"/a/evaluation/{activity.slug}", data=complete_answers()).status_code == 403


def test_free_text_passes_the_privacy_guard_before_sending(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    data = complete_answers(comment="Call the mother on 070-123 45 67 about it")
    response = client.post(f"/a/evaluation/{activity.slug}", data=data)
    assert response.status_code == 422
    assert "this text may identify a family" in response.get_data(as_text=True)
    assert _count(AnonymousResponse) == 0
    assert client.post(f"/a/evaluation/{activity.slug}", data={**data, "privacy_confirmed": "y"}).status_code == 302
    assert _count(AnonymousResponse) == 1


def test_named_questionnaires_keep_the_trainee_with_the_answers(client, world, login):
    activity = evaluation_for_world(world, anonymous=False)
    login(world.trainee)
    client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(overall=5))
    row = db.session.scalar(select(NamedResponse))
    assert row.user_id == world.trainee.id and row.answers["overall"] == 5
    assert _count(AnonymousResponse) == 0
    assert "stored with your name" in client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)


def test_the_autosave_endpoint_keeps_part_way_answers_too(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    response = client.post("/drafts/save", data={"draft_key": f"evaluation:{activity.id}:{world.cohort.id}",
                                                  "draft_version": "0", "overall": "5",
                                                  "topics": ["family", "cases"]})
    assert response.status_code == 200
    html = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert checked(html, "overall", "5") and checked(html, "topics", "cases")


def test_free_text_saved_part_way_passes_the_privacy_guard_too(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    data = {"overall": "3", "comment": "Her e-mail is anna.berg@example.org", "save": "y"}
    response = client.post(f"/a/evaluation/{activity.slug}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "this text may identify a family" in html and "anna.berg@example.org" in html  # kept on the page
    # Nothing typed is lost (one rule for every form, app/guarded_save.py): the text waits in the
    # trainee's own private draft, never in any result, until they decide.
    [draft] = db.session.scalars(select(Draft))
    assert draft.user_id == world.trainee.id and draft.data["comment"] == data["comment"]
    assert _count(AnonymousResponse) == 0
    version = re.search(r'name="draft_version" value="(\d+)"', html).group(1)
    # The page carries the version just stored: confirming saves, and is not taken for another tab's save.
    confirmed = client.post(f"/a/evaluation/{activity.slug}",
                            data={**data, "privacy_confirmed": "y", "draft_version": version}, follow_redirects=True)
    assert "Your answers are saved." in confirmed.get_data(as_text=True)
    assert db.session.scalar(select(Draft)).data["comment"] == "Her e-mail is anna.berg@example.org"


def test_a_part_way_save_from_a_stale_tab_keeps_both_tabs_answers(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    url = f"/a/evaluation/{activity.slug}"
    # Two tabs opened on no draft (version 0); the first one's save stores the draft.
    assert client.post(url, data={"overall": "4", "comment": "From the first tab", "save": "y",
                                  "draft_version": "0"}).status_code == 302
    response = client.post(url, data={"overall": "2", "comment": "From the second tab", "save": "y",
                                      "draft_version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "another tab" in html and "From the second tab" in html  # what was typed stays on the page
    [draft] = db.session.scalars(select(Draft))
    assert draft.data["comment"] == "From the first tab" and draft.version == 1  # nothing overwritten
    assert _count(AnonymousResponse) == 0
