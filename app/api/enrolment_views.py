"""Enrolments through the API: the body is the admin page's CSV file, checked by the same rules,
all or nothing (app/services/enrolment.py). Administrators only, as the import page."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from spectree import Response

from ..extensions import db
from ..models import Cohort, SiteRole
from ..services import enrolment
from . import bp, problems
from .auth import token_required
from .openapi import spec
from .schemas import EnrolmentOut, ImportRefusedOut, Problem
from .scopes import ENROLMENTS_WRITE

MAX_BODY = 2 * 1024 * 1024


@bp.post("/cohorts/<int:cohort_id>/enrolments")
@token_required(ENROLMENTS_WRITE)
@spec.validate(resp=Response(HTTP_201=EnrolmentOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_404=Problem,
                             HTTP_413=Problem, HTTP_415=Problem, HTTP_422=ImportRefusedOut, HTTP_429=Problem),
               tags=["enrolments"])
def enrol(cohort_id: int):
    """Enrol the people of a CSV file (columns email, name, role, country, language; as the
    admin's import page) in the cohort. Every row is checked first: one wrong row and nothing is
    written, and the answer lists every problem with its line. New accounts get their invitation."""
    if current_user.site_role != SiteRole.ADMIN:
        return problems.problem(403, "Only administrators enrol people.")
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        return problems.problem(404)
    if request.mimetype != "text/csv":
        return problems.problem(415, "Send the file as text/csv.")
    if (request.content_length or 0) > MAX_BODY:
        return problems.problem(413, "The file is larger than 2 MB.")
    try:
        summary = enrolment.enrol(cohort, request.get_data(cache=False), "api.csv")
    except enrolment.ImportRefused as exc:
        db.session.rollback()
        return problems.problem(422, "Nothing was enrolled: correct the file and send it again.",
                                problems=[{"line": p.line, "message": p.message} for p in exc.problems])
    created = [u.id for u in summary.created]
    db.session.commit()
    enrolment.send_invitations(created)
    db.session.commit()
    return EnrolmentOut(created=[u.email for u in summary.created], enrolled=[u.email for u in summary.enrolled],
                        skipped=[u.email for u in summary.skipped]), 201
