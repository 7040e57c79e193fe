from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.utils import secure_filename

from .. import audit
from ..access import (
    can_read_report,
    cohorts_with_status_access,
    get_cohort_for_status_or_403,
    report_country_ids_or_403,
)
from ..csv_export import csv_stream, header_row
from ..extensions import db
from ..input_guard import bounded_int
from ..models import Cohort, Country, ProgrammeRun
from ..services import dashboard as service
from ..services import meetings as meetings_service
from ..services import report as report_service
from ..services import report_pdf
from . import bp
from .tables import LABELS, TABLES


def dashboard_from_args(cohorts=None) -> service.Dashboard:
    """The user's cohorts, for the run and country asked for: an unknown run or a country the
    user may not see is a 404, so nobody learns what exists beyond their cohorts."""
    visible = cohorts if cohorts is not None else cohorts_with_status_access(current_user)
    if not visible:
        abort(403)
    runs = service.runs_for(visible)
    run = runs[0]
    if request.args.get("run"):
        run = next((r for r in runs if str(r.id) == request.args["run"]), None) or abort(404)
    country = None
    if request.args.get("country"):
        code = request.args["country"].upper()
        if not any(c.country is not None and c.country.code == code for c in visible):
            abort(404)
        country = db.session.scalar(select(Country).where(Country.code == code))
    return service.build(visible, run, country, meetings_service.today_for(current_user), keep=True,
                         page=request.args.get("page", type=bounded_int))


@bp.get("/")
@login_required
def index():
    return render_template("dashboard/index.html", d=dashboard_from_args(), cohort=None,
                           may_report=can_read_report(current_user))


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort(cohort_id: int):
    chosen = get_cohort_for_status_or_403(cohort_id)
    d = service.build([chosen], chosen.run, None, meetings_service.today_for(current_user))
    return render_template("dashboard/cohort.html", d=d, cohort=chosen, figures=d.cohorts[0])


@bp.get("/<table>.csv")
@login_required
def table_csv(table: str):
    if table not in TABLES:
        abort(404)
    cohort_id = request.args.get("cohort", type=bounded_int)  # one the database can look up, else none
    d = dashboard_from_args([get_cohort_for_status_or_403(cohort_id)] if cohort_id else None)
    columns, rows = TABLES[table](d)
    audit.record("dashboard.export", None, table=table, run=d.run.id if d.run else None)
    db.session.commit()
    return csv_stream(header_row(columns, LABELS), rows, f"dashboard-{table}.csv")


def report_from_args() -> tuple[report_service.Report, list[ProgrammeRun]]:
    """The report of the run asked for (the latest by default), over the cohorts the user may
    report on; a run they have no cohort in is a 404, as on the dashboard."""
    country_ids = report_country_ids_or_403(current_user)
    # The runs' programmes come with them: the report's figures read the chosen run's programme,
    # a query of its own otherwise (the report's budget is 12).
    query = (select(ProgrammeRun).options(joinedload(ProgrammeRun.programme))
             .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.id.desc()))
    if country_ids is not None:
        query = query.where(ProgrammeRun.id.in_(select(Cohort.run_id).where(Cohort.country_id.in_(country_ids))))
    runs = list(db.session.scalars(query))
    if not runs:
        abort(404)
    run = runs[0]
    if request.args.get("run"):
        run = next((r for r in runs if str(r.id) == request.args["run"]), None) or abort(404)
    # The user's status cohorts (loaded once per request for the navigation too) hold every
    # cohort they may report on: all of them, or all of their country's.
    return report_service.build(run, meetings_service.today_for(current_user), country_ids,
                                among=cohorts_with_status_access(current_user)), runs


@bp.get("/report")
@login_required
def run_report():
    """The printable programme report of a run (national coordinators: their country's cohorts)."""
    report, runs = report_from_args()
    return render_template("report/run.html", report=report, runs=runs, mode="site")


@bp.get("/report.pdf")
@login_required
def run_report_pdf():
    report, _runs = report_from_args()
    try:
        pdf = report_pdf.report_pdf(report)
    except report_pdf.PdfUnavailable:
        current_app.logger.exception("the programme report cannot be made as PDF")
        abort(503)
    audit.record("report.download", report.run, format="pdf",
                 countries=sorted(c.label for c in report.countries))
    db.session.commit()
    name = secure_filename(f"programme-report-{report.run.name}-{report.today.isoformat()}.pdf") or "report.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
