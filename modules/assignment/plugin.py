from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.access import can_view_cohort_status
from app.plugins import (
    ActivityPlugin,
    AttachedWork,
    CompetencyEvidence,
    CompetencyLevelCount,
    ContentContext,
    DashboardItem,
    NavLink,
    ProgrammeStats,
    TimelineEvent,
)
from app.timeutil import utcnow
from app.url_cache import url_for

from . import access, handin_views, privacy, queries, record, rubric_ratings, submissions
from .models import MODELS
from .rubric_models import RubricRating
from .settings import validate_settings
from .views import bp

#: Imported for the routes it adds to the blueprint (recordings, the zip, bulk extensions).
HANDIN_ROUTES = handin_views

if TYPE_CHECKING:
    from app.models import Activity, Cohort, ProgrammeRun, User


class AssignmentPlugin(ActivityPlugin):
    """Settings and template files: see settings.py. Completion: when the facilitator accepts the
    work, or when it is handed in if the settings say `completion: submitted`."""

    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        return validate_settings(raw, context)

    def activity_url(self, activity: Activity) -> str | None:
        return url_for("assignment.activity_page", slug=activity.slug)

    def due_dates(self, user: User, activity_ids: list[int]) -> dict[int, date]:
        return submissions.due_dates(user, activity_ids)

    def due_dates_for(self, users: list[User], trainee_cohorts: Mapping[int, list[int]],
                      activity_ids: list[int]) -> dict[tuple[int, int], date]:
        return submissions.due_dates_for([u.id for u in users], trainee_cohorts, activity_ids)

    def work_counts(self, activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
        return queries.work_counts(activity_ids, user_ids, cohort_ids)

    def programme_stats(self, cohorts: list[Cohort]) -> ProgrammeStats:
        return queries.feedback_turnaround([c.id for c in cohorts])

    def digest_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        waiting, oldest = queries.waiting_in([c.id for c in cohorts])
        if not waiting:
            return []
        days = (utcnow() - oldest).days if oldest else 0
        label = ngettext("%(num)d submission awaits feedback (oldest: %(days)d days)",
                         "%(num)d submissions await feedback (oldest: %(days)d days)", waiting, days=days)
        return [DashboardItem(label, waiting, url_for("assignment.queue"), attention=days >= 7)]

    def dashboard_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        items = []
        waiting, oldest = queries.waiting_summary(user)
        if waiting:
            days = (utcnow() - oldest).days if oldest else 0
            items.append(DashboardItem(
                ngettext("%(num)d submission awaits your feedback (oldest: %(days)d days)",
                         "%(num)d submissions await your feedback (oldest: %(days)d days)", waiting, days=days),
                waiting, url_for("assignment.queue"), attention=days >= 7))
        elif access.facilitated_cohort_ids(user):
            # The queue stays one click away when it is empty (its other tabs: revisions, accepted).
            items.append(DashboardItem(_("Feedback queue: nothing waits for your feedback"), 0,
                                       url_for("assignment.queue")))
        to_review = queries.review_count(user)
        if to_review:
            items.append(DashboardItem(_("Feedback waiting for your review"), to_review,
                                       url_for("assignment.review_list"), attention=True))
        unread = queries.unread_feedback(user)
        if unread:
            items.append(DashboardItem(_("Feedback to read"), len(unread),
                                       url_for("assignment.activity_page", slug=unread[0]), attention=True))
        return items

    def nav_links(self, user: User) -> list[NavLink]:
        if not access.facilitated_cohort_ids(user):
            return []
        return [NavLink(_l("Feedback queue"), url_for("assignment.queue"), prefix=url_for("assignment.queue"))]

    def cohort_links(self, user: User, cohort: Cohort) -> list[NavLink]:
        links = []
        if can_view_cohort_status(user, cohort):
            links.append(NavLink(_l("Assignments: status and feedback"),
                                 url_for("assignment.cohort_overview", cohort_id=cohort.id)))
        if access.may_change_settings(user, cohort):
            links.append(NavLink(_l("Feedback settings"), url_for("assignment.cohort_settings", cohort_id=cohort.id)))
        return links

    def competency_evidence(self, user: User) -> list[CompetencyEvidence]:
        return rubric_ratings.evidence_for(user)

    def competency_level_counts(self, cohorts: list[Cohort]) -> list[CompetencyLevelCount]:
        return rubric_ratings.level_counts(cohorts)

    def attached_work(self, owner: User, run: ProgrammeRun, viewer: User) -> list[AttachedWork]:
        return record.attached_work(owner, run, viewer)

    def timeline_events(self, owner: User, run: ProgrammeRun, viewer: User) -> list[TimelineEvent]:
        return record.timeline_events(owner, run, viewer)

    def seed_demo(self, run: ProgrammeRun, today: date) -> None:
        from .demo import seed_demo
        seed_demo(run, today)

    def export_user_data(self, user: User) -> dict[str, Any]:
        return privacy.export_for(user)

    def export_user_files(self, user: User) -> list[tuple[str, Path]]:
        return privacy.export_files(user)

    def purge_run_data(self, run: ProgrammeRun, today: date) -> dict[str, int]:
        return privacy.purge_run(run, today)

    def erase_user_data(self, user: User) -> None:
        privacy.erase_for(user)


plugin = AssignmentPlugin(name="assignment", label=_l("Assignment"), blueprint=bp, models=(*MODELS, RubricRating),
                           personal_data=privacy.PERSONAL_DATA)
