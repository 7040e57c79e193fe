from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit
from ..access import cohorts_with_status_access, get_cohort_for_status_or_403, site_role_required
from ..csv_export import csv_stream
from ..extensions import db
from ..models import Country, ProgrammeRun, SiteRole
from ..services import dashboard as service
from ..services import meetings as meetings_service
from ..services import report as report_service
from . import bp
from .tables import TABLES


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
    return service.build(visible, run, country, meetings_service.today_for(current_user))


@bp.get("/")
@login_required
def index():
    return render_template("dashboard/index.html", d=dashboard_from_args(), cohort=None)


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
    cohort_id = request.args.get("cohort", type=int)
    d = dashboard_from_args([get_cohort_for_status_or_403(cohort_id)] if cohort_id else None)
    header, rows = TABLES[table](d)
    audit.record("dashboard.export", None, table=table, run=d.run.id if d.run else None)
    db.session.commit()
    return csv_stream(header, rows, f"dashboard-{table}.csv")


@bp.get("/report")
@site_role_required(SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR)
def run_report():
    """The printable programme report of a run (every country: transnational staff only)."""
    runs = list(db.session.scalars(select(ProgrammeRun)
                                   .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.id.desc())))
    if not runs:
        abort(404)
    run = runs[0]
    if request.args.get("run"):
        run = next((r for r in runs if str(r.id) == request.args["run"]), None) or abort(404)
    report = report_service.build(run, meetings_service.today_for(current_user))
    return render_template("report/run.html", report=report, inline_css=None)
