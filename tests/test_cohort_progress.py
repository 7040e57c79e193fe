"""The cohort's progress grid (João sees who is behind) and its CSV export (Eva, for the
municipality): status only, from the same overview the trainee sees."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CohortRole
from app.services.cohort_progress import PROGRESS_CSV_LABELS

from .csv_columns import csv_dicts
from .programme_data import build_programme, complete


def _programme_with_one_done(world):
    built = build_programme(run=world.run)  # 2 modules x 2 one-hour readings, all due in October 2026
    complete(world.trainee, built.activity("test-programme-m1-a1"))
    db.session.commit()
    return built


def test_facilitator_sees_who_is_behind(client, world, login):
    _programme_with_one_done(world)
    login(world.facilitator)
    page = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Trainees&#39; progress" in page or "Trainees' progress" in page
    row = page[page.index(world.trainee.name, page.index('id="progress-h"')):]
    row = row[:row.index("</tr>")]
    assert "1 of 4" in row                       # required work done
    assert "Lesson 1.2" in row                    # the oldest overdue item is named
    assert '<span class="badge text-bg-warning">3</span>' in row
    assert "Module 1: 0 of 1 trainees" in page


def test_csv_export_has_a_row_per_trainee_and_is_audited(client, world, login, factory):
    _programme_with_one_done(world)
    factory.member(factory.user("=HYPERLINK(\"http://x\")"), world.cohort, CohortRole.TRAINEE)
    db.session.commit()
    login(world.national_coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/progress.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = csv_dicts(response.get_data(as_text=True), PROGRESS_CSV_LABELS)
    by_name = {row["trainee"]: row for row in rows}
    assert by_name[world.trainee.name]["required_done"] == "1"
    assert by_name[world.trainee.name]["overdue"] == "3"
    assert by_name[world.trainee.name]["hours_national"] == "1"
    assert "'=HYPERLINK(\"http://x\")" in by_name    # a formula is written as plain text
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == world.cohort.id))
    assert "cohort.export" in list(actions)


def test_another_cohorts_facilitator_cannot_export(client, world, login):
    login(world.facilitator_other)
    assert client.get(f"/cohorts/{world.cohort.id}/progress.csv").status_code == 403


def _grid_queries(client, world, factory, trainees: int) -> int:
    from .test_programme_pages import counted_queries
    cohort = factory.cohort(world.run, country="SE", name=f"Grid {trainees}")
    factory.member(world.facilitator, cohort, CohortRole.FACILITATOR)
    transnational = world.transnational
    users = [factory.enrolled(cohort, CohortRole.TRAINEE, f"Grid trainee {trainees}-{i}") for i in range(trainees)]
    for user in users[::2]:
        factory.member(user, transnational, CohortRole.TRAINEE)
        complete(user, world._grid.activity("grid-m1-a1"))
    db.session.commit()
    client.get(f"/cohorts/{cohort.id}")  # warm-up
    with counted_queries() as statements:
        page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert users[-1].name in page and "1 of 4" in page
    return len(statements)


def test_the_progress_grid_costs_the_same_queries_for_5_and_50_trainees(client, world, factory, login):
    world._grid = build_programme(run=world.run, slug="grid")
    db.session.commit()
    login(world.facilitator)
    assert _grid_queries(client, world, factory, 5) == _grid_queries(client, world, factory, 50)
