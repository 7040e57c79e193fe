"""The coordinators' dashboard through the API: each table of the page (and of its CSV files),
for the cohorts the token's owner follows, filtered by run and country as the page is."""
from __future__ import annotations

from typing import Literal

from spectree import Response

from ..dashboard.tables import TABLES
from ..dashboard.views import dashboard_from_args
from . import bp
from .auth import token_required
from .openapi import spec
from .schemas import DashboardQuery, DashboardTable, Problem
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
