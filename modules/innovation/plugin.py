from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.models import CohortKind, CohortRole
from app.plugins import ActivityPlugin, DashboardItem, NavLink, RecordValues

from . import access, privacy, queries, record
from .models import MODELS
from .views import bp

if TYPE_CHECKING:
    from app.models import Cohort, ProgrammeRun, User


class InnovationPlugin(ActivityPlugin):
    """Not an activity of the programme's content but the record that runs through it: the
    trainee's micro-innovation, their facilitators' board and the coordinators' counts."""

    def nav_links(self, user: User) -> list[NavLink]:
        if not access.is_trainee(user):
            return []  # staff reach the board from a cohort, coordinators the counts from their home
        return [NavLink(_l("My micro-innovation"), url_for("innovation.mine"), prefix=url_for("innovation.mine"))]

    def dashboard_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        # A trainee follows no cohort's status: no query to find out they are no coordinator.
        if (user.site_role is None and not cohorts) or not access.sees_counts(user):
            return []
        return [DashboardItem(_l("Micro-innovations by stage"), queries.count_visible(user),
                              url_for("innovation.counts"))]

    def cohort_links(self, user: User, cohort: Cohort) -> list[NavLink]:
        roles = {m.role for m in user.memberships if m.cohort_id == cohort.id}
        links = []
        if CohortRole.FACILITATOR in roles:
            links.append(NavLink(_l("Micro-innovations by stage"), url_for("innovation.board", cohort_id=cohort.id)))
        if cohort.kind == CohortKind.NATIONAL and roles & {CohortRole.TRAINEE, CohortRole.FACILITATOR}:
            links.append(NavLink(_l("Shared micro-innovations"), url_for("innovation.group", cohort_id=cohort.id)))
        return links

    def record_fields(self) -> Mapping[str, str]:
        return record.RECORD_FIELDS

    def record_values(self, user: User, run: ProgrammeRun) -> RecordValues | None:
        label, url, values = record.record_values(user, run)
        return RecordValues(label, url, values)

    def record_update(self, user: User, run: ProgrammeRun, name: str, value: str) -> NavLink | None:
        return record.stage_update(user, run, name, value)

    def export_user_data(self, user: User) -> dict[str, Any]:
        return privacy.user_data(user)

    def purge_run_data(self, run: ProgrammeRun, today: date) -> dict[str, int]:
        return privacy.purge_run(run, today)

    def erase_user_data(self, user: User) -> None:
        privacy.erase_user(user)


plugin = InnovationPlugin(name="innovation", label=_l("Micro-innovation"), blueprint=bp, models=MODELS,
                          personal_data=privacy.PERSONAL_DATA)
