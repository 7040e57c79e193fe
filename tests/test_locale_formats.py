"""Figures in the reader's language, through the pages a user with that language opens:
percentages ("50 %" with a no-break space in Swedish, "50%" in Portuguese), decimals ("12,5"),
counts grouped by thousands, dates with the locale's month names, and CSV headers in the
exporting user's language (values stay machine-readable)."""
from __future__ import annotations

import csv
import html
import io
from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import select

from app.csv_export import BOM
from app.dashboard.tables import LABELS
from app.extensions import db
from app.services import cohorts as cohort_service
from app.services.cohort_progress import PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS
from app.timeutil import utcnow
from modules.evaluation.csv_labels import INSTRUMENT_LABELS
from modules.evaluation.results import INSTRUMENT_HEADER

from .programme_data import build_programme, meeting
from .test_dashboard import _assignment, _handed_in

NBSP = "\u00a0"


def _as(client, login, user, lang: str):
    user.locale = lang
    db.session.commit()
    login(user)
    return client


def _in_locale(app, lang: str, fn):
    """What `fn` gives in a request of a user reading `lang` (the catalogue as it is compiled)."""
    with app.test_request_context(), force_locale(lang):
        return fn()


def _header(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return next(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix(BOM))))


# -- percentages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "shown", "not_shown"), [("sv", f"50{NBSP}%", "50%"), ("pt", "50%", f"50{NBSP}%")])
def test_a_response_rate_is_written_as_the_locale_writes_percentages(client, world, factory, login, lang, shown,
                                                                     not_shown):
    from modules.evaluation.tests.helpers import complete_answers, evaluation_for_world, trainees

    activity = evaluation_for_world(world)
    trainees(factory, world.cohort, 1)  # two trainees in the Swedish cohort: one answers
    login(world.trainee)
    assert client.post(f"/a/evaluation/{activity.slug}", data=complete_answers()).status_code == 302
    client.post("/logout")
    _as(client, login, world.facilitator, lang)
    page = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}").get_data(as_text=True)
    assert f">{shown}<" in page and f">{not_shown}<" not in page
    results = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}").get_data(as_text=True)
    assert f"({shown})" in results  # "1 of 2 trainees have answered. (50 %)"


def test_the_dashboard_s_progress_ranges_carry_the_locale_s_percent_sign(client, world, factory, login):
    build_programme(run=world.run, slug="pct")
    _as(client, login, world.national_coordinator, "sv")
    swedish = client.get("/dashboard/").get_data(as_text=True)
    assert f"0–24{NBSP}%" in swedish and f"100{NBSP}%" in swedish
    client.post("/logout")
    _as(client, login, world.national_coordinator, "pt")
    portuguese = client.get("/dashboard/").get_data(as_text=True)
    assert "0–24%" in portuguese and f"{NBSP}%" not in portuguese


# -- decimals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["sv", "pt"])
def test_median_days_of_feedback_have_a_decimal_comma(client, world, login, lang):
    built = build_programme(run=world.run, slug="dec")
    task = _assignment(built)
    _handed_in(task, world.trainee, world.cohort, 20, 12.5)  # feedback after twelve and a half days
    db.session.commit()
    _as(client, login, world.national_coordinator, lang)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert '<td class="text-end">12,5</td>' in page and "12.5" not in page
    report = client.get(f"/dashboard/report?run={world.run.id}").get_data(as_text=True)
    assert '<td class="num text-end">12,5</td>' in report
    # The CSV of the same table stays machine-readable: a decimal point whatever the language.
    csv_text = client.get("/dashboard/cohorts.csv").get_data(as_text=True)
    assert ",12.5,12.5," in csv_text  # median and 90th percentile


# -- counts -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "grouped"), [("sv", f"12{NBSP}345"), ("pt", "12.345"), ("en", "12,345")])
def test_a_count_past_a_thousand_is_grouped_as_the_locale_groups_digits(client, world, login, monkeypatch, lang,
                                                                        grouped):
    real = cohort_service.role_counts

    def many_trainees(cohort_ids):  # a cohort of 12,345 trainees without creating them
        counts = real(cohort_ids)
        counts[world.cohort.id] = Counter(trainee=12345, facilitator=1)
        return counts

    monkeypatch.setattr(cohort_service, "role_counts", many_trainees)
    _as(client, login, world.admin, lang)
    page = client.get(f"/admin/runs/{world.run.id}").get_data(as_text=True)
    assert f'<td class="text-end">{grouped}</td>' in page


# -- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["sv", "pt"])
def test_a_meeting_date_uses_the_locale_s_month_names(client, world, login, lang):
    build_programme(run=world.run, slug="day")
    held = meeting(world.cohort, None, utcnow().date() - timedelta(days=3))
    db.session.commit()
    _as(client, login, world.national_coordinator, lang)
    page = client.get("/dashboard/").get_data(as_text=True)
    shown = _in_locale(client.application, lang, lambda: format_date(held.starts_on, "medium"))
    english = _in_locale(client.application, "en", lambda: format_date(held.starts_on, "medium"))
    assert shown != english and f"<td>{shown}</td>" in page and english not in page


# -- CSV headers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "trainee"), [("sv", "Deltagare"), ("pt", "Formando")])
def test_the_progress_csv_header_is_in_the_exporting_user_s_language(client, world, login, lang, trainee):
    _as(client, login, world.national_coordinator, lang)
    header = _header(client.get(f"/cohorts/{world.cohort.id}/progress.csv"))
    assert header == _in_locale(client.application, lang,
                                lambda: [gettext(PROGRESS_CSV_LABELS[c]._args[0]) for c in PROGRESS_CSV_HEADER])
    assert header[0] == trainee  # "Trainee", a message the catalogue already translates


@pytest.mark.parametrize(("lang", "first"), [("sv", ["Grupp", "Land", "Deltagare"]),
                                             ("pt", ["Coorte", "País", "Formandos"])])
def test_a_dashboard_csv_header_is_in_the_exporting_user_s_language(client, world, login, lang, first):
    _as(client, login, world.national_coordinator, lang)
    header = _header(client.get("/dashboard/cohorts.csv"))
    assert header[:3] == first
    english = _in_locale(client.application, "en", lambda: [str(label) for label in LABELS.values()])
    translated = _in_locale(client.application, lang, lambda: {gettext(label._args[0]) for label in LABELS.values()})
    assert set(header) <= translated and not set(header) & {"cohort", "country", "trainees"}
    assert len(set(header) - set(english)) >= 3


@pytest.mark.parametrize("lang", ["sv", "pt"])
def test_an_evaluation_csv_header_is_in_the_exporting_user_s_language(client, world, login, lang):
    from modules.evaluation.tests.helpers import evaluation_for_world

    activity = evaluation_for_world(world)
    _as(client, login, world.national_coordinator, lang)
    response = client.get(f"/a/evaluation/results/run-{world.run.id}-se/i/{activity.slug}/export.csv")
    header = _header(response)
    assert header == _in_locale(client.application, lang,
                                lambda: [gettext(INSTRUMENT_LABELS[c]._args[0]) for c in INSTRUMENT_HEADER])
    assert header[1] == _in_locale(client.application, lang, lambda: gettext("Questionnaire"))
    assert header[1] != "Questionnaire"  # an existing message: "Enkät", "Questionário"
    # The values stay the machine's: question codes, as stored.
    assert ",eval-survey,overall," in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["sv", "pt"])
def test_a_credential_s_date_of_issue_is_written_in_the_reader_s_language(client, world, login, lang):
    from app.models import IssuedCredential

    from .test_credentials import _complete_all
    from .test_transcript import _programme

    _complete_all(world, _programme(world))
    _as(client, login, world.trainee, lang)
    assert client.get("/credentials/mine/programme.jwt").status_code == 200
    row = db.session.query(IssuedCredential).filter_by(unit_id=None).one()
    page = client.get(f"/credentials/{row.id}").get_data(as_text=True)
    issued = row.issued_at.date()  # the document's own date (UTC), the same for every verifier
    shown = _in_locale(client.application, lang, lambda: format_date(issued, "medium"))
    assert f'<dd class="col-sm-8">{shown}</dd>' in page
    assert f'<dd class="col-sm-8">{issued.isoformat()}</dd>' not in page  # not the document's ISO text


@pytest.mark.parametrize(("lang", "limit"), [("sv", "0,1"), ("pt", "0,1"), ("en", "0.1")])
def test_a_task_s_size_limit_has_the_locale_s_decimal_separator(client, world, login, lang, limit):
    from modules.assignment.tests.test_media import PRESENT, _media_tasks

    _media_tasks(world)  # recordings of at most 0.1 MB
    _as(client, login, world.trainee, lang)
    page = client.get(PRESENT).get_data(as_text=True)
    shown = _in_locale(client.application, lang, lambda: gettext(
        "Recordings: %(types)s, at most %(size)s MB each. Hand in a transcript with every recording.",
        types="MP4, WEBM, M4A, MP3", size=limit))
    assert shown in page


@pytest.mark.parametrize("lang", ["sv", "pt"])
def test_a_refused_stage_date_names_the_last_one_in_the_reader_s_language(client, world, login, lang):
    from app.services.meetings import today_for
    from modules.innovation.models import StageChange
    from modules.innovation.tests.test_innovation import start

    _as(client, login, world.trainee, lang)
    record = start(client)
    last = db.session.scalars(select(StageChange.reached_on)).one()
    early = today_for(world.trainee) - timedelta(days=40)
    response = client.post(f"/a/innovation/{record.id}/stage",
                           data={"stage": "stabilisation", "why": "Used again", "reached_on": early.isoformat()})
    assert response.status_code == 422
    said = _in_locale(client.application, lang, lambda: gettext(
        "The date cannot be before the last stage change (%(day)s).", day=format_date(last)))
    assert said in html.unescape(response.get_data(as_text=True)) and f"({last.isoformat()})" not in said
