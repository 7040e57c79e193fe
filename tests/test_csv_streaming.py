"""CSV exports stream: the response is a generator, rows are built a batch of trainees at a time
while it is sent (a 10,000-trainee cohort is never one file in memory), and the bytes are the
same as the export built in one piece, formula safety included."""
from __future__ import annotations

import pytest

from app import csv_export
from app.csv_export import BOM, header_row, to_csv
from app.extensions import db
from app.models import CohortRole
from app.services import progress_export
from app.services.cohort_progress import PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS, cohort_progress, progress_csv_rows
from app.services.meetings import today_for

from .programme_data import build_programme, complete

NAMES = ["Åsa Öberg", "=HYPERLINK(\"http://x\")", "bo Berg", "Émile Ába", "Ana Šimić", "Zoë Alves", "+Oskar"]


def _cohort_with_progress(world, factory, programme: bool = True):
    if programme:
        built = build_programme(run=world.run)
        complete(world.trainee, built.activity("test-programme-m1-a1"))
    people = [factory.enrolled(world.cohort, CohortRole.TRAINEE, name) for name in NAMES]
    if programme:
        complete(people[2], built.activity("test-programme-m2-a1"))
    db.session.commit()


def _in_one_piece(world) -> bytes:
    """The export as it was built before it streamed: the whole grid, then the whole text."""
    progress = cohort_progress(world.cohort, today_for(world.national_coordinator))
    return (BOM + to_csv(header_row(PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS), progress_csv_rows(progress))).encode()


@pytest.fixture
def counted_batches(monkeypatch):
    calls: list[int] = []
    original = progress_export.build_figures

    def counting(run, cohorts, today, only_users=None):
        calls.append(len(only_users))
        return original(run, cohorts, today, only_users=only_users)

    monkeypatch.setattr(progress_export, "build_figures", counting)
    return calls


@pytest.mark.parametrize("programme", [True, False])
def test_the_progress_export_streams_the_same_bytes(client, world, factory, login, programme):
    _cohort_with_progress(world, factory, programme)
    expected = _in_one_piece(world)
    login(world.national_coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/progress.csv")
    assert response.is_streamed
    assert response.get_data() == expected
    assert b"'=HYPERLINK" in expected and b"'+Oskar" in expected  # formula-safe, as before


def test_rows_are_built_a_batch_at_a_time_while_they_are_sent(client, world, factory, login, monkeypatch,
                                                               counted_batches):
    _cohort_with_progress(world, factory)
    expected = _in_one_piece(world)
    monkeypatch.setattr(progress_export, "EXPORT_BATCH", 3)
    monkeypatch.setattr(csv_export, "CHUNK_CHARS", 1)  # every line leaves as it is made
    login(world.national_coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/progress.csv")
    pieces = iter(response.response)
    first = next(pieces)
    assert first.startswith(BOM.encode() + b"Trainee,") and counted_batches == []  # nothing built yet
    rest = b"".join(pieces)
    response.close()
    assert first + rest == expected
    assert counted_batches == [3, 3, 2]  # 8 trainees, never more than 3 at once


def test_dashboard_and_evaluation_exports_stream(client, world, factory, login):
    from modules.evaluation.tests.helpers import complete_answers, evaluation_for_world, trainees
    activity = evaluation_for_world(world)
    for user in trainees(factory, world.cohort, 5):
        login(user)
        client.post(f"/a/evaluation/{activity.slug}", data=complete_answers())
        client.post("/logout")
    login(world.facilitator)
    dashboard = client.get(f"/dashboard/cohorts.csv?cohort={world.cohort.id}")
    assert dashboard.status_code == 200 and dashboard.is_streamed
    assert dashboard.get_data(as_text=True).startswith(BOM + "Cohort,Country,Trainees")
    results = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}/export.csv")
    assert results.status_code == 200 and results.is_streamed, results.status_code
    assert ",overall,How useful is the programme?," in results.get_data(as_text=True)
