from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.plugins import (
    ActivityPlugin,
    ContentContext,
    DashboardItem,
    NavLink,
    ProgrammeStats,
    ReportTable,
    SelfRating,
)
from app.url_cache import url_for

from . import access, privacy, queries, report, scopes
from .instrument import validate_settings
from .models import AnonymousResponse, NamedResponse, Participation, Reminder
from .questionnaire import instrument_of, window
from .views import bp

if TYPE_CHECKING:
    from app.models import Activity, Cohort, ProgrammeRun, User


class EvaluationPlugin(ActivityPlugin):
    """Questionnaires: the needs survey, the competency self-assessment (start, half-way, end)
    and the interim and final programme evaluation.

        settings:
          instrument: needs-survey     # content/instruments/needs-survey.yaml

    Stored settings: {"instrument": <the whole checked instrument>} (see instrument.py)."""

    def work_counts(self, activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
        return queries.work_counts(activity_ids, user_ids, cohort_ids)

    def init_app(self, app: Flask) -> None:
        key = app.config.get("EVALUATION_PSEUDONYM_KEY") or os.environ.get("EVALUATION_PSEUDONYM_KEY")
        app.config["EVALUATION_PSEUDONYM_KEY"] = key
        weak = not key or len(key) < 32 or key == app.config.get("SECRET_KEY")
        if app.config.get("ENV_NAME") == "production" and weak:
            from app import StartupError
            raise StartupError(
                "EVALUATION_PSEUDONYM_KEY must be set in production to a random value of at least 32 "
                "characters, different from SECRET_KEY, and never changed afterwards: it links a trainee's "
                "anonymous questionnaires over time (README: 'Evaluation anonymity: threat model').")

    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        return validate_settings(raw, context)

    def activity_url(self, activity: Activity) -> str | None:
        return url_for("evaluation.answer", slug=activity.slug)

    def closing_dates(self, run: ProgrammeRun, activities: list[Activity]) -> dict[int, date]:
        return {a.id: window(instrument_of(a), run).closes_on for a in activities}

    def programme_stats(self, cohorts: list[Cohort]) -> ProgrammeStats:
        return ProgrammeStats(response_rates=queries.programme_response_rates(cohorts))

    def programme_report(self, run: ProgrammeRun, cohorts: list[Cohort]) -> list[ReportTable]:
        return report.report_tables(run, cohorts)

    def dashboard_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        items = []
        waiting = queries.open_for_staff(cohorts)
        if cohorts:
            items.append(DashboardItem(_("Evaluation: results and response rates (open questionnaires)"),
                                       len({(i.activity.id, i.cohort.id) for i in waiting}),
                                       url_for("evaluation.results_index")))
        for item in waiting:
            items.append(DashboardItem(
                _("“%(title)s” in %(cohort)s: not answered yet", title=item.activity.title, cohort=item.cohort.name),
                item.missing, url_for("evaluation.instrument_results", scope=f"cohort-{item.cohort.id}",
                                      slug=item.activity.slug), attention=True))
        from app.services.programme import viewer_for
        viewer = viewer_for(user)
        if viewer is not None and viewer.is_trainee:
            for item in queries.open_for_trainee(user, viewer.cohorts):
                items.append(DashboardItem(_("Please answer “%(title)s”", title=item.activity.title), 1,
                                           url_for("evaluation.answer", slug=item.activity.slug), attention=True))
        return items

    def nav_links(self, user: User) -> list[NavLink]:
        if not access.sees_results(user):
            return []
        return [NavLink(_l("Evaluation"), url_for("evaluation.results_index"), "/a/evaluation/results")]

    def cohort_links(self, user: User, cohort: Cohort) -> list[NavLink]:
        scope = scopes.Scope(scopes.COHORT, cohort.run, [cohort], cohort=cohort)
        if not access.can_view_scope(user, scope):
            return []
        return [NavLink(_("Questionnaires: response rates, who has not answered yet, results"),
                        url_for("evaluation.scope_overview", scope=scope.token))]

    def competency_self_ratings(self, user: User, own: bool) -> list[SelfRating]:
        from .competency import self_ratings  # reads the programme service, which reads the plugins
        return self_ratings(user, own)

    def export_user_data(self, user: User) -> dict[str, Any]:
        return privacy.export_user_data(user)

    def erase_user_data(self, user: User) -> None:
        privacy.erase_user_data(user)


plugin = EvaluationPlugin(name="evaluation", label=_l("Questionnaire"), blueprint=bp,
                          models=(Participation, AnonymousResponse, NamedResponse, Reminder),
                          personal_data=privacy.PERSONAL_DATA)
