"""The API's request and response shapes (pydantic), from which the OpenAPI document is made.
Hours are decimal strings ("12.5"), as the CSV exports write them, so no float rounding creeps in."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(50, ge=1, le=100, description="Items per page (at most 100).")


class PageInfo(BaseModel):
    page: int
    per_page: int
    total: int
    next: str | None = Field(None, description="The next page's URL, if there is one.")
    prev: str | None = Field(None, description="The previous page's URL, if there is one.")


class Membership(BaseModel):
    cohort_id: int
    cohort: str
    role: str


class Me(BaseModel):
    id: int
    name: str
    email: str
    locale: str | None
    site_role: str | None
    memberships: list[Membership]
    scopes: list[str] = Field(description="What the token in use may read.")


class ModuleOut(BaseModel):
    slug: str
    title: str
    order: int
    component: str = Field(description="'national' or 'transnational'.")
    hours: str
    ecvet_unit: str | None
    credit_points: str
    competencies: list[str]


class ProgrammeOut(BaseModel):
    title: str
    total_hours: str
    run: str | None
    modules: list[ModuleOut]


class HoursOut(BaseModel):
    total: str = Field(description="The programme's total hours.")
    done_national: str
    done_transnational: str
    done_total: str


class ModuleProgress(BaseModel):
    slug: str
    title: str
    status: str = Field(description="not_started, in_progress or done.")
    required_done: int
    required_total: int


class DueItem(BaseModel):
    activity: str
    module: str
    due: str = Field(description="ISO date.")


class ProgressOut(BaseModel):
    hours: HoursOut
    modules: list[ModuleProgress]
    next_due: DueItem | None


class UnitOut(BaseModel):
    code: str
    title: str
    credit_points: str
    credits_awarded: str
    hours_done: str
    hours_planned: str
    complete: bool


class TranscriptOut(BaseModel):
    learner: str
    country: str | None
    awarding_body: str
    issued_on: str
    credits_awarded: str
    credits_total: str
    units: list[UnitOut]


class CohortOut(BaseModel):
    id: int
    name: str
    kind: str
    country: str | None
    run: str


class CohortPage(BaseModel):
    items: list[CohortOut]
    page: PageInfo


class TraineeStatus(BaseModel):
    user_id: int
    name: str
    hours_done: str | None
    required_done: int
    required_total: int
    overdue: int
    missed: int
    next_due: DueItem | None


class CohortProgressPage(BaseModel):
    cohort: CohortOut
    items: list[TraineeStatus]
    page: PageInfo


class DashboardQuery(Strict):
    run: int | None = Field(None, ge=1, le=2**31 - 1, description="The run's id (default: the latest one you follow).")
    country: str | None = Field(None, pattern="^[A-Za-z]{2}$", description="A country code, e.g. SE.")


class DashboardTable(BaseModel):
    table: str
    run: str | None
    country: str | None
    columns: list[str]
    rows: list[list[str | int | float | None]]


class ReportQuery(Strict):
    run: int | None = Field(None, ge=1, le=2**31 - 1, description="The run's id (default: the latest one).")


class ReportCountry(BaseModel):
    country: str
    started: int
    finished: int
    dropped: int
    hours_delivered: str
    ecvet_credits_awarded: str


class ReportTableOut(BaseModel):
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = Field(description="What was left out of the figures and why (the small-group rule).")


class ReportOut(BaseModel):
    run: str
    on: str = Field(description="ISO date the figures are for.")
    countries: list[ReportCountry]
    evaluation: list[ReportTableOut] = Field(
        description="Questionnaire ratings, aggregates only, each under its small-group rule.")


class EnrolmentOut(BaseModel):
    created: list[str] = Field(description="E-mail addresses of the accounts created and invited.")
    enrolled: list[str] = Field(description="Existing users added to the cohort.")
    skipped: list[str] = Field(description="Already members in that role: nothing done.")


class ImportProblem(BaseModel):
    line: int | None = Field(description="Line of the CSV (the header is line 1); null for the whole file.")
    message: str


class ImportRefusedOut(BaseModel):
    """RFC 9457 problem details, with every problem of the file."""
    type: str
    title: str
    status: int
    instance: str
    detail: str | None = None
    problems: list[ImportProblem]


class Problem(BaseModel):
    """RFC 9457 problem details."""
    type: str
    title: str
    status: int
    instance: str
    detail: str | None = None
