"""The coordinators' dashboard through the API: each table of the page (and of its CSV files),
for the cohorts the token's owner follows, filtered by run and country as the page is."""
from __future__ import annotations

from typing import Literal

from spectree import Response

from ..dashboard.tables import TABLES
from ..dashboard.views import dashboard_from_args, report_from_args
from . import bp
from .auth import token_required
from .openapi import spec
from .schemas import DashboardQuery, DashboardTable, Problem, ReportCountry, ReportOut, ReportQuery, ReportTableOut
from .scopes import COHORTS_READ

Table = Literal["cohorts", "modules", "meetings", "waiting", "responses", "hours"]
assert set(Table.__args__) == set(TABLES)  # type: ignore[attr-defined]


@bp.get("/dashboard/<any(cohorts, modules, meetings, waiting, responses, hours):table>")
@token_required(COHORTS_READ)
@spec.validate(query=DashboardQuery, resp=Response(HTTP_200=DashboardTable, HTTP_400=Problem, HTTP_401=Problem,
                                                   HTTP_403=Problem, HTTP_404=Problem, HTTP_429=Problem),
               tags=["dashboard"])
def dashboard_table(table: str, query: DashboardQuery):
    """One table of the programme dashboard: cohorts (trainees, hours, overdue and missed work,
    feedback turnaround), modules (completion), meetings (attendance), waiting (work waiting for
    feedback), responses (questionnaire response rates: counts, never answers), hours (per month)."""
    d = dashboard_from_args()
    columns, rows = TABLES[table](d)
    return DashboardTable(table=table, run=d.run.name if d.run else None,
                          country=d.country.code if d.country else None, columns=columns,
                          rows=[[v if isinstance(v, (str, int, float)) or v is None else str(v) for v in row]
                                for row in rows])


def _plain(value) -> str:
    return format(value.normalize(), "f")


@bp.get("/report")
@token_required(COHORTS_READ)
@spec.validate(query=ReportQuery, resp=Response(HTTP_200=ReportOut, HTTP_400=Problem, HTTP_401=Problem,
                                                HTTP_403=Problem, HTTP_404=Problem, HTTP_429=Problem),
               tags=["dashboard"])
def report(query: ReportQuery):
    """The programme report of a run, as on the report page: participants, hours and ECVET
    credits per country, and the questionnaires' ratings under each one's small-group rule
    (coordinators and admins; national coordinators their own country)."""
    built, _runs = report_from_args()
    return ReportOut(
        run=built.run.name, on=built.today.isoformat(),
        countries=[ReportCountry(country=c.label, started=c.started, finished=c.finished, dropped=c.dropped,
                                 hours_delivered=_plain(c.hours), ecvet_credits_awarded=_plain(c.credits))
                   for c in built.countries],
        evaluation=[ReportTableOut(title=str(t.title), columns=[str(h) for h in t.header],
                                   rows=[[str(v) for v in row] for row in t.rows], note=str(t.note))
                    for t in built.evaluation])
