"""A questionnaire that has closed is "missed", never overdue nor the trainee's next deadline
(issue 11, item 5): the home page and the cohort grid stop pointing at a survey no one can answer."""
from __future__ import annotations

from app.extensions import db
from app.services.cohort_progress import PROGRESS_CSV_LABELS
from tests.csv_columns import csv_dicts
from tests.programme_data import build_programme, complete

from .helpers import add_evaluation, instrument


def _programme_with_a_closed_survey(world):
    built = build_programme(run=world.run, slug="late")   # readings due in October 2026
    for activity in built.activities:
        complete(world.trainee, activity)
    survey = add_evaluation(built.modules[0], "late-survey", instrument(world.run, state="closed"))
    survey.due_rule = {"after_start_days": 1}
    db.session.commit()
    return survey


def test_a_closed_questionnaire_is_not_the_next_deadline(client, world, login):
    survey = _programme_with_a_closed_survey(world)
    login(world.trainee)
    page = client.get("/home").get_data(as_text=True)
    assert survey.title not in page


def test_the_grid_counts_a_closed_questionnaire_as_missed_not_overdue(client, world, login):
    _programme_with_a_closed_survey(world)
    login(world.national_coordinator)
    rows = csv_dicts(client.get(f"/cohorts/{world.cohort.id}/progress.csv").get_data(as_text=True),
                     PROGRESS_CSV_LABELS)
    row = next(r for r in rows if r["trainee"] == world.trainee.name)
    assert (row["overdue"], row["missed"], row["next_due_activity"]) == ("0", "1", "")


def test_an_open_questionnaire_past_its_due_date_is_still_overdue(client, world, login):
    survey = _programme_with_a_closed_survey(world)
    inst = dict(survey.settings["instrument"])
    survey.settings = {"instrument": instrument(world.run, state="open")}
    db.session.commit()
    assert inst != survey.settings["instrument"]
    login(world.national_coordinator)
    rows = csv_dicts(client.get(f"/cohorts/{world.cohort.id}/progress.csv").get_data(as_text=True),
                     PROGRESS_CSV_LABELS)
    row = next(r for r in rows if r["trainee"] == world.trainee.name)
    assert (row["overdue"], row["missed"]) == ("1", "0")
