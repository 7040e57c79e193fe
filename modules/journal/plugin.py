from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.plugins import ActivityPlugin, ContentContext, DashboardItem, NavLink
from app.timeutil import utcnow
from app.url_cache import url_for

from . import access, privacy, queries
from .models import MODELS
from .settings import validate_settings
from .views import bp

if TYPE_CHECKING:
    from app.models import Activity, Cohort, ProgrammeRun, User


class JournalPlugin(ActivityPlugin):
    """Settings in content (see settings.py):

        settings:
          prompt: borton-kickoff      # a prompt in content/prompts.yaml
          min_entries: 1              # entries on the prompt that complete the activity

    Stored settings: {"prompt": {slug, title, model, intro_md, stages: [{key, label, help}]},
    "min_entries": N}."""

    def work_counts(self, activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
        return queries.work_counts(activity_ids, user_ids)

    def init_app(self, app: Flask) -> None:
        app.config.setdefault("JOURNAL_RETENTION_DAYS",
                              int(os.environ.get("JOURNAL_RETENTION_DAYS", privacy.DEFAULT_RETENTION_DAYS)))
        from .cli import journal_cli
        app.cli.add_command(journal_cli)

    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        return validate_settings(raw, context)

    def activity_url(self, activity: Activity) -> str | None:
        return url_for("journal.activity", slug=activity.slug)

    def digest_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        """Flags are counted for their supervisor only, whatever the cohorts."""
        flagged = queries.count_open_flags_for(user)
        return [DashboardItem(_l("Journal entries flagged to you"), flagged, url_for("journal.flags"),
                              attention=True)] if flagged else []

    def dashboard_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        """Each count is the user's own: a facilitator's shared entries, a trainee's new comments,
        a supervisor's flags. Flags are never counted for anyone but their supervisor."""
        items = []
        shared, flagged, commented = queries.home_counts(user)
        if shared:
            items.append(DashboardItem(_l("Shared journal entries with new activity"), shared,
                                       url_for("journal.shared"), attention=True))
        if flagged:
            items.append(DashboardItem(_l("Journal entries flagged to you"), flagged,
                                       url_for("journal.flags"), attention=True))
        unnamed = queries.count_cohorts_without_supervisor(user, utcnow().date())
        if unnamed:
            items.append(DashboardItem(_l("Cohorts without a supervisor for flagged journal entries"), unnamed,
                                       url_for("journal.index") + "#supervisors-h"))
        if commented:
            items.append(DashboardItem(_l("Your journal entries with new comments"), commented,
                                       url_for("journal.index")))
        return items

    def nav_links(self, user: User) -> list[NavLink]:
        if not access.takes_part(user):
            return []
        return [NavLink(_l("Journal"), url_for("journal.index"), prefix=url_for("journal.index"))]

    def cohort_links(self, user: User, cohort: Cohort) -> list[NavLink]:
        links = []
        if access.is_group_member(user, cohort):
            links.append(NavLink(_l("Group reflection"), url_for("journal.group", cohort_id=cohort.id)))
        if access.can_manage_supervisors(user, cohort):
            links.append(NavLink(_l("Supervisors for flagged journal entries"),
                                 url_for("journal.supervisors", cohort_id=cohort.id)))
        return links

    def seed_demo(self, run: ProgrammeRun, today: date) -> None:
        from .demo import seed_demo
        seed_demo(run)

    def export_user_data(self, user: User) -> dict[str, Any]:
        return privacy.user_data(user)

    def purge_run_data(self, run: ProgrammeRun, today: date) -> dict[str, int]:
        return privacy.purge_run_data(run, today)

    def erase_user_data(self, user: User) -> None:
        privacy.erase_user(user)


# Flags speak about a trainee's distress: the supervisor's download leaves them out, and the
# trainee's own has them with the entry (export_user_data).
plugin = JournalPlugin(name="journal", label=_l("Journal"), blueprint=bp, models=MODELS,
                       confidential_notification_kinds=("journal.flag", "journal.flag.reply", "journal.flag.answer"),
                       safety_notification_kinds=("journal.flag", "journal.flag.reply", "journal.flag.answer"),
                       personal_data=privacy.PERSONAL_DATA)
