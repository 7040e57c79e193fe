"""Answers aggregate by question key, not by wording: a Slovenian and an English trainee answer
the same question, shown in their own language, and land in one figure; the CSV keeps the key and
the English wording."""
from __future__ import annotations

from app.extensions import db

from .helpers import complete_answers, evaluation_for_world, trainees
from .test_results import send

SLOVENIAN = {"settings": {"instrument": {"sections": [{"questions": [
    {"text": "Kako koristen je program?"}, {"text": "Kakšna je vaša vloga?",
                                            "options": [{"text": "Socialni delavec"}, None]}]}]}}}


def test_slovenian_and_english_answers_land_in_one_figure(client, world, login, factory):
    activity = evaluation_for_world(world)
    activity.translations = {"sl": SLOVENIAN}
    people = [world.trainee, *trainees(factory, world.cohort, 4)]
    for user in people[:2]:
        user.locale = "sl"
    db.session.commit()
    login(people[0])
    page = client.get(f"/a/evaluation/{activity.slug}").get_data(as_text=True)
    assert "Kako koristen je program?" in page and "How useful is the programme?" not in page
    assert "Socialni delavec" in page and 'name="role"' in page  # same field names as in English
    client.post("/logout")
    for i, user in enumerate(people):
        send(client, login, user, activity, complete_answers(overall=4 if i < 2 else 2))
    login(world.facilitator)
    url = f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}"
    assert "How useful is the programme?" in client.get(url).get_data(as_text=True)
    csv = client.get(f"{url}/export.csv").get_data(as_text=True)
    rows = [line for line in csv.splitlines() if ",overall," in line]
    assert rows and all("How useful is the programme?" in line for line in rows)
    assert any(",5," in line and "2.8" in line for line in rows), rows  # (4+4+2+2+2)/5, one figure of 5
    assert "Kako koristen" not in csv
