"""Due dates of a viewer's activities: from the content's rule (days after a meeting or after the
run's start) and, for a trainee, their own extensions (each plugin's `due_dates`)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..extensions import db
from ..models import Activity, Meeting, MeetingPlan
from ..plugins import registry
from ..timeutil import add_days
from .current_content import current_content
from .programme_viewer import Viewer, cohort_meetings

if TYPE_CHECKING:
    from .programme import ActivityItem


def due_date(activity: Activity, viewer: Viewer, plans: dict[str, MeetingPlan],
              meetings: dict[int, Meeting]) -> date | None:
    rule = activity.due_rule or {}
    if "after_meeting" in rule:
        plan = plans.get(rule["after_meeting"])
        if plan is None:
            return None
        # Counted from the meeting's first day (content/README.md, "Due dates"): days 0 is that day.
        meeting = meetings.get(plan.id)
        if meeting is not None:
            return add_days(meeting.starts_on, rule.get("days", 0))
        if viewer.starts_on is None:
            return None
        return add_days(viewer.starts_on, plan.after_start_days + rule.get("days", 0))
    if "after_start_days" in rule and viewer.starts_on is not None:
        return add_days(viewer.starts_on, rule["after_start_days"])
    return None



def apply_due_overrides(viewer: Viewer, items: list[ActivityItem]) -> None:
    """A trainee's own due dates (extensions), asked of each plugin once for all its activities."""
    if not viewer.is_trainee:
        return
    by_plugin: dict[str, list[ActivityItem]] = defaultdict(list)
    for item in items:
        if item.plugin is not None:
            by_plugin[item.plugin.name].append(item)
    for group in by_plugin.values():
        overrides = group[0].plugin.due_dates(viewer.user, [item.activity.id for item in group])
        for item in group:
            item.due = overrides.get(item.activity.id, item.due)


def due_date_of(viewer: Viewer, activity: Activity) -> date | None:
    """One activity's due date for the viewer (three small queries at most)."""
    rule = activity.due_rule or {}
    plans: dict[str, MeetingPlan] = {}
    meetings: dict[int, Meeting] = {}
    if "after_meeting" in rule:
        plan = _plan(viewer, rule["after_meeting"])
        if plan is not None:
            plans[plan.slug] = plan
            meeting = next((m for m in cohort_meetings(viewer) if m.plan_id == plan.id), None)
            if meeting is not None:
                meetings[plan.id] = meeting
    plugin = registry().get(activity.type) if viewer.is_trainee else None
    override = plugin.due_dates(viewer.user, [activity.id]).get(activity.id) if plugin is not None else None
    return override or due_date(activity, viewer, plans, meetings)


def _plan(viewer: Viewer, slug: str) -> MeetingPlan | None:
    """From the programme's current content (no query once cached); a plan not there (retired
    since, kept by a run pinned to an older version) from the database."""
    cached = next((p for p in current_content(viewer.programme.id).plans if p.slug == slug), None)
    return cached or db.session.scalar(select(MeetingPlan).where(MeetingPlan.slug == slug))


