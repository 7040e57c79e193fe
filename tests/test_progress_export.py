"""The cohort progress CSV, built from the aggregate figures (app/services/progress_figures.py) a
batch at a time, is byte for byte the CSV made from each trainee's own Overview
(app/services/overviews.py, what the export was built from before): on the benchmark's generated
data (national variants, a transnational cohort, attendance, completions), with extensions, a
deactivated trainee and batches smaller than the cohort."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.csv_export import BOM, header_row, to_csv
from app.extensions import db
from app.models import Activity, Cohort, CohortKind, CohortRole, Membership, User
from app.services import progress_export
from app.services.cohort_progress import PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS, progress_csv_rows, progress_of
from app.services.meetings import today_for
from app.services.overviews import trainee_overviews
from bench.generate import PASSWORD, generate
from bench.pages import LOGINS
from modules.assignment.models import Extension

from .conftest import clean_tables


def _from_each_overview(cohort: Cohort, today) -> bytes:
    by_cohort, _rows = trainee_overviews(cohort.run, [cohort])
    header = header_row(PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS)
    return (BOM + to_csv(header, progress_csv_rows(progress_of(cohort, by_cohort[cohort.id], today)))).encode()


def _extensions_and_a_dropout(cohort: Cohort, today) -> None:
    trainees = list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                       .where(Membership.cohort_id == cohort.id,
                                              Membership.role == CohortRole.TRAINEE).order_by(User.id)))
    assignments = list(db.session.scalars(select(Activity).where(Activity.type == "assignment").order_by(Activity.id)))
    assert len(trainees) >= 4 and len(assignments) >= 3
    for i, user in enumerate(trainees[:3]):
        db.session.add(Extension(activity_id=assignments[i].id, user_id=user.id,
                                 due_on=today + timedelta(days=5 * i - 30)))
    trainees[-1].active = False
    db.session.commit()


def test_the_progress_csv_is_the_one_each_trainees_overview_gives(app, monkeypatch):
    clean_tables()
    generate(app, "1k", trainees=5 * 5 * 2, cohort_size=5)
    csrf = current_app.config.get("WTF_CSRF_ENABLED")
    current_app.config["WTF_CSRF_ENABLED"] = False
    monkeypatch.setattr(progress_export, "EXPORT_BATCH", 2)  # several batches per cohort
    try:
        for role, kind in (("coordinator", CohortKind.NATIONAL), ("transnational", CohortKind.TRANSNATIONAL)):
            user = db.session.scalar(select(User).where(User.email == LOGINS[role]))
            cohort = db.session.scalar(select(Cohort).where(Cohort.kind == kind).order_by(Cohort.id))
            today = today_for(user)
            if kind == CohortKind.NATIONAL:
                _extensions_and_a_dropout(cohort, today)
            with force_locale(user.locale):  # the header is in the exporting user's language
                expected = _from_each_overview(cohort, today)
            client = app.test_client()
            assert client.post("/login", data={"email": LOGINS[role], "password": PASSWORD}).status_code == 302
            response = client.get(f"/cohorts/{cohort.id}/progress.csv")
            assert response.status_code == 200 and response.is_streamed, (role, response.status_code)
            body = response.get_data()
            assert body == expected, role
            assert body.count(b"\n") > 5  # header and the cohort's trainees, not an empty export
    finally:
        current_app.config["WTF_CSRF_ENABLED"] = csrf
