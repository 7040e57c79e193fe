"""The API's routes. Each asks the same services and access rules as the page for the same data:
/api/v1/programme is the programme page, /api/v1/cohorts/<id>/progress the cohort page."""
from __future__ import annotations

from decimal import Decimal

from flask import g, request, session
from flask_login import current_user
from spectree import Response
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from ..access import cohorts_with_status_access_query, get_cohort_for_status_or_403
from ..localized import localized
from ..models import Cohort, Module
from ..services import meetings as meetings_service
from ..services import programme as programme_service
from ..services import transcript as transcript_service
from ..services.cohort_progress import cohort_progress
from ..services.programme import ActivityItem
from . import bp, paging, problems
from .auth import token_required
from .openapi import spec
from .schemas import (
    CohortOut,
    CohortPage,
    CohortProgressPage,
    DueItem,
    HoursOut,
    Me,
    Membership,
    ModuleOut,
    ModuleProgress,
    PageQuery,
    Problem,
    ProgrammeOut,
    ProgressOut,
    TraineeStatus,
    TranscriptOut,
    UnitOut,
)
from .scopes import COHORTS_READ, PROGRAMME_READ, PROGRESS_READ

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_429": Problem}


def _plain(value: Decimal | int | None) -> str:
    return format(Decimal(value or 0).normalize(), "f")


def _due(item: ActivityItem | None) -> DueItem | None:
    if item is None or item.due is None:
        return None
    return DueItem(activity=str(localized(item.activity, "title")), module=item.activity.module.slug,
                   due=item.due.isoformat())


def _viewer_or_404():
    viewer = programme_service.viewer_for(current_user)
    if viewer is None:
        raise problems.NoProgramme
    return viewer


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return problems.from_http_exception(error)


@bp.errorhandler(problems.NoProgramme)
def _no_programme(_error):
    return problems.problem(404, "You are in no cohort of a run with a programme.")


@bp.after_request
def _api_headers(response):
    session.modified = False  # the API never sets the session cookie
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    if getattr(g, "api_rate", None):
        limit, remaining, reset = g.api_rate
        response.headers["RateLimit-Limit"] = str(limit)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(reset)
    if getattr(g, "api_links", None):
        response.headers["Link"] = ", ".join(g.api_links)
    if request.method == "GET" and response.status_code == 200 and response.is_json:
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/me")
@token_required()
@spec.validate(resp=Response(HTTP_200=Me, **ERRORS), tags=["account"])
def me():
    """The token's owner: who they are, their cohorts and roles."""
    user = current_user
    memberships = [Membership(cohort_id=m.cohort_id, cohort=m.cohort.name, role=m.role) for m in user.memberships]
    return Me(id=user.id, name=user.name, email=user.email, locale=user.locale, site_role=user.site_role,
              memberships=memberships, scopes=sorted(g.api_token.scope_set))


@bp.get("/programme")
@token_required(PROGRAMME_READ)
@spec.validate(resp=Response(HTTP_200=ProgrammeOut, HTTP_404=Problem, **ERRORS), tags=["programme"])
def programme():
    """The programme of the owner's run, with its modules (as the programme page lists them)."""
    viewer = _viewer_or_404()
    modules = [m for m in viewer.programme.modules if not m.retired]
    return ProgrammeOut(
        title=str(localized(viewer.programme, "title")), total_hours=_plain(viewer.programme.total_hours),
        run=viewer.run.name if viewer.run else None,
        modules=[_module(m) for m in sorted(modules, key=lambda m: m.order)])


def _module(module: Module) -> ModuleOut:
    return ModuleOut(slug=module.slug, title=str(localized(module, "title")), order=module.order,
                     component=module.component, hours=_plain(module.hours),
                     ecvet_unit=module.ecvet_unit.code if module.ecvet_unit else None,
                     credit_points=_plain(module.credit_points), competencies=list(module.competencies or []))


@bp.get("/me/progress")
@token_required(PROGRESS_READ)
@spec.validate(resp=Response(HTTP_200=ProgressOut, HTTP_404=Problem, **ERRORS), tags=["progress"])
def my_progress():
    """The owner's hours toward the programme total and each module's status (trainees)."""
    viewer = _viewer_or_404()
    if not viewer.is_trainee:
        raise problems.NoProgramme
    view = programme_service.overview(viewer)
    hours = view.hours
    return ProgressOut(
        hours=HoursOut(total=_plain(hours.total), done_national=_plain(hours.done["national"]),
                       done_transnational=_plain(hours.done["transnational"]), done_total=_plain(hours.done_total)),
        modules=[ModuleProgress(slug=item.module.slug, title=str(localized(item.module, "title")),
                                status=item.status,
                                required_done=sum(1 for a in item.activities if a.activity.required and a.done),
                                required_total=sum(1 for a in item.activities if a.activity.required))
                 for item in view.modules],
        next_due=_due(view.next_due))


@bp.get("/me/transcript")
@token_required(PROGRESS_READ)
@spec.validate(resp=Response(HTTP_200=TranscriptOut, HTTP_404=Problem, **ERRORS), tags=["progress"])
def my_transcript():
    """The owner's transcript: ECVET units, hours and credits awarded so far (trainees)."""
    transcript = transcript_service.transcript_for(current_user, meetings_service.today_for(current_user))
    if transcript is None:
        raise problems.NoProgramme
    return TranscriptOut(
        learner=transcript.learner.name, country=transcript.country, awarding_body=transcript.awarding_body,
        issued_on=transcript.issued_on.isoformat(), credits_awarded=_plain(transcript.credits_awarded),
        credits_total=_plain(transcript.credits_total),
        units=[UnitOut(code=u.unit.code, title=str(localized(u.unit, "title")),
                       credit_points=_plain(u.unit.credit_points), credits_awarded=_plain(u.credits_awarded),
                       hours_done=_plain(u.hours_done), hours_planned=_plain(u.hours_planned), complete=u.awarded)
               for u in transcript.units])


def _cohort(cohort: Cohort) -> CohortOut:
    return CohortOut(id=cohort.id, name=cohort.name, kind=cohort.kind,
                     country=cohort.country.code if cohort.country else None, run=cohort.run.name)


@bp.get("/cohorts")
@token_required(COHORTS_READ)
@spec.validate(query=PageQuery, resp=Response(HTTP_200=CohortPage, HTTP_400=Problem, **ERRORS), tags=["cohorts"])
def cohorts(query: PageQuery):
    """The cohorts whose progress the owner may follow (facilitators: theirs; national
    coordinators: their country's; transnational coordinators and admins: all)."""
    statement = cohorts_with_status_access_query(current_user).options(
        joinedload(Cohort.country), joinedload(Cohort.run)).order_by(Cohort.id)
    items, info = paging.rows(statement, query)
    return CohortPage(items=[_cohort(c) for c in items], page=info)


@bp.get("/cohorts/<int:cohort_id>/progress")
@token_required(COHORTS_READ)
@spec.validate(query=PageQuery, resp=Response(HTTP_200=CohortProgressPage, HTTP_400=Problem, HTTP_404=Problem,
                                              **ERRORS), tags=["cohorts"])
def cohort_progress_page(cohort_id: int, query: PageQuery):
    """Where each trainee of the cohort stands: hours, required work done, overdue and missed
    work, what is due next. Status only, never what anyone wrote."""
    cohort = get_cohort_for_status_or_403(cohort_id)
    progress = cohort_progress(cohort, meetings_service.today_for(current_user))
    trainees, info = paging.slice_of(sorted(progress.trainees, key=lambda t: t.user.id), query)
    return CohortProgressPage(cohort=_cohort(cohort), page=info, items=[
        TraineeStatus(user_id=t.user.id, name=t.user.name,
                      hours_done=_plain(t.hours.done_total) if t.hours else None, required_done=t.required_done,
                      required_total=t.required_total, overdue=len(t.overdue), missed=len(t.missed),
                      next_due=_due(t.next_due))
        for t in trainees])

