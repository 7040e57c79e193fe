"""Answers sent or changed in another tab after a page was loaded are not replaced unseen by that
page: it gets a clear message, keeps what was chosen on it, and nothing stored changes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from modules.evaluation.models import AnonymousResponse, NamedResponse

from .helpers import complete_answers, evaluation_for_world

COMMENT = "More time for the family meetings."


def base_of(html: str) -> str:
    return re.search(r'name="answers_base" value="([^"]*)"', html).group(1)


def _stored(anonymous: bool) -> dict:
    db.session.expire_all()
    return db.session.scalar(select(AnonymousResponse.answers if anonymous else NamedResponse.answers))


@pytest.mark.parametrize("anonymous", [True, False])
def test_changes_from_a_stale_tab_after_sending_are_refused_not_overwritten(client, world, login, anonymous):
    activity = evaluation_for_world(world, anonymous=anonymous)
    login(world.trainee)
    url = f"/a/evaluation/{activity.slug}"
    client.post(url, data=complete_answers(overall=2))
    tab_a, tab_b = (base_of(client.get(url).get_data(as_text=True)) for _ in range(2))
    assert client.post(url, data=complete_answers(overall=5, answers_base=tab_a)).status_code == 302

    response = client.post(url, data=complete_answers(overall=1, comment=COMMENT, answers_base=tab_b))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "sent or changed in another tab" in html and COMMENT in html
    assert re.search(r'<input checked[^>]*name="overall"[^>]*value="1"', html)  # the choice made here
    assert _stored(anonymous)["overall"] == 5

    again = client.post(url, data=complete_answers(overall=1, comment=COMMENT, answers_base=base_of(html)))
    assert again.status_code == 302
    assert _stored(anonymous)["overall"] == 1


def test_sending_from_a_tab_opened_before_the_first_sending_is_refused(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    url = f"/a/evaluation/{activity.slug}"
    stale = base_of(client.get(url).get_data(as_text=True))
    assert stale == ""
    assert client.post(url, data=complete_answers(overall=4, answers_base=stale)).status_code == 302
    response = client.post(url, data=complete_answers(overall=2, comment=COMMENT, answers_base=stale))
    assert response.status_code == 409 and COMMENT in response.get_data(as_text=True)
    assert _stored(True)["overall"] == 4


def test_a_part_way_save_after_sending_keeps_the_typed_answers_on_the_page(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    url = f"/a/evaluation/{activity.slug}"
    client.post(url, data=complete_answers(overall=4))
    # A tab still showing "Save and continue later" from before the sending.
    response = client.post(url, data={"overall": "1", "comment": COMMENT, "save": "y", "draft_version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "You have already sent your answers" in html and COMMENT in html
    assert _stored(True)["overall"] == 4


def test_a_form_shown_again_for_a_missing_answer_stays_based_on_its_page(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    url = f"/a/evaluation/{activity.slug}"
    client.post(url, data=complete_answers(overall=2))
    stale = base_of(client.get(url).get_data(as_text=True))
    assert client.post(url, data=complete_answers(overall=5)).status_code == 302  # another tab
    incomplete = {k: v for k, v in complete_answers(overall=1, answers_base=stale).items() if k != "overall"}
    page = client.post(url, data=incomplete).get_data(as_text=True)
    assert base_of(page) == stale  # fixing the missing answer does not silently rebase it
    response = client.post(url, data=complete_answers(overall=1, answers_base=base_of(page)))
    assert response.status_code == 409 and _stored(True)["overall"] == 5
