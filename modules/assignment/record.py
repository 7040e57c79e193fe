"""Hand-ins that belong to the trainee's record (their micro-innovation), through the plugin
contract only (app/plugins.py, "the trainee's record"): this plugin never imports the one that
keeps the record.

- An assignment is attached to the record when its settings say `attach_to_record: true`: the
  record lists it and the task's page links to the record.
- A template field with `from_record: <record field>` starts from the record's value when the
  trainee opens the task with no draft and nothing handed in (`prefill`); a draft or a version
  is never overwritten. A group task is not prefilled: the group's work is no one's record.
- The record's page lists the attached hand-ins with their status (`attached_work`) and puts
  their hand-ins and released feedback on its timeline (`timeline_events`): one loader, a
  fixed number of queries, shared by both hooks within a request.
- After a hand-in, a field that starts from the record may say more than the record does (a
  later stage): the task's page offers the record's link to take it over (`record_updates`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.localized import localized
from app.models import Activity, CohortRole, Draft, Membership, ProgrammeRun, User
from app.plugins import AttachedWork, NavLink, RecordValues, TimelineEvent, registry
from app.request_memo import memoised
from app.services import programme as programme_service
from app.services.programme_viewer import is_visible

from .models import FeedbackState, Status, Submission

TYPE = "assignment"


def record_fields() -> dict[str, str]:
    """Every record field some registered plugin offers (what `from_record:` may name)."""
    fields: dict[str, str] = {}
    for plugin in registry():
        fields.update(plugin.record_fields())
    return fields


def is_attached(settings: dict[str, Any]) -> bool:
    return bool(settings.get("attach_to_record"))


def starts_from_record(settings: dict[str, Any]) -> bool:
    """A template field of the task starts from the record."""
    template = settings.get("template") if settings.get("submission") == "template" else None
    return any(f.get("from_record") for f in (template or {}).get("fields", []))


def trainee_record(user: User, run: ProgrammeRun | None) -> RecordValues | None:
    """The first record a plugin keeps for the trainee in the run (one plugin keeps one today)."""
    if run is None:
        return None
    for plugin in registry():
        found = plugin.record_values(user, run)
        if found is not None:
            return found
    return None


# --- prefill ----------------------------------------------------------------------------------

def _fits(spec: dict[str, Any], value: str) -> str | None:
    """The record's text as the field takes it: one line for a short text, within its length;
    a choice only when one of its values is the record's (`scaling_up` matches `scaling-up`)."""
    if spec["type"] == "choice":
        wanted = value.strip().lower().replace("_", "-")
        return next((c["value"] for c in spec["choices"] if c["value"].lower().replace("_", "-") == wanted), None)
    if spec["type"] == "short_text":
        value = re.sub(r"\s+", " ", value).strip()
    limit = spec.get("max_length")
    return value[:limit].rstrip() if limit else value


def prefill(template: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """Form data (the template form's "t-" names) for the fields that start from the record."""
    data: dict[str, str] = {}
    for spec in template["fields"]:
        source = spec.get("from_record")
        if source and values.get(source) and spec["type"] in ("short_text", "long_text", "choice"):
            fitted = _fits(spec, values[source])
            if fitted:
                data[f"t-{spec['name']}"] = fitted
    return data


def record_updates(user: User, run: ProgrammeRun | None, template: dict[str, Any] | None,
                   fields: dict[str, Any]) -> list[NavLink]:
    """What a handed-in version offers to bring into the record (a later stage it states): the
    record's plugins say, through `record_update`; nothing is changed here."""
    if run is None or not template:
        return []
    links = []
    for spec in template.get("fields", []):
        name, value = spec.get("from_record"), fields.get(spec["name"])
        if name and isinstance(value, str) and value:
            links += [link for plugin in registry() if (link := plugin.record_update(user, run, name, value))]
    return links


# --- the record's page ----------------------------------------------------------------------

@dataclass
class _Loaded:
    activities: list[Activity]
    submissions: dict[int, Submission]
    drafted: set[int]


def _load(owner: User, run: ProgrammeRun) -> _Loaded:
    """The owner's attached activities in their version of the programme, their submissions
    (own or their country group's) with versions and feedback, and their drafts. Six queries at
    most, whatever the number of tasks (the programme's rows are memoised per request)."""
    viewer = programme_service.viewer_for(owner, run)
    if viewer is None:
        return _Loaded([], {}, set())
    rows = programme_service.programme_rows(viewer.programme, run)
    replaced = {a.replaces_id for a in rows.activities
                if a.replaces_id and a.country_id is not None and a.country_id == viewer.country_id}
    order = {m.id: i for i, m in enumerate(rows.modules)}
    activities = sorted((a for a in rows.activities if a.type == TYPE and a.module_id in order
                         and is_attached(a.settings) and is_visible(viewer, a, replaced)),
                        key=lambda a: (order[a.module_id], a.position, a.id))
    if not activities:
        return _Loaded([], {}, set())
    ids = [a.id for a in activities]
    groups = select(Membership.cohort_id).where(Membership.user_id == owner.id, Membership.role == CohortRole.TRAINEE)
    submissions = db.session.scalars(select(Submission).where(
        Submission.activity_id.in_(ids), or_(Submission.user_id == owner.id, Submission.group_cohort_id.in_(groups)))
        .options(selectinload(Submission.versions), selectinload(Submission.feedback)))
    keys = {f"{TYPE}:{i}": i for i in ids}
    drafted = {keys[k] for k in db.session.scalars(select(Draft.key).where(Draft.user_id == owner.id,
                                                                            Draft.key.in_(list(keys))))}
    return _Loaded(activities, {s.activity_id: s for s in submissions}, drafted)


def _loaded(owner: User, run: ProgrammeRun) -> _Loaded:
    return memoised("assignment.record_work", (owner.id, run.id), lambda: _load(owner, run))


def _url(submission: Submission | None, activity: Activity, owner: User, viewer: User) -> str | None:
    if viewer.id == owner.id:
        return url_for("assignment.activity_page", slug=activity.slug)
    facilitated = {m.cohort_id for m in viewer.memberships if m.role == CohortRole.FACILITATOR}
    if submission is not None and submission.latest_version and submission.cohort_id in facilitated:
        return url_for("assignment.submission_page", submission_id=submission.id)
    return None


def _status(submission: Submission | None, drafted: bool) -> str:
    if submission is None or not submission.latest_version:
        return "draft" if drafted or submission is not None else "not_started"
    if submission.status == Status.SUBMITTED:
        return "handed_in"
    released = any(f.state == FeedbackState.RELEASED for f in submission.feedback)
    return "feedback" if released else "handed_in"


def attached_work(owner: User, run: ProgrammeRun, viewer: User) -> list[AttachedWork]:
    loaded = _loaded(owner, run)
    work = []
    for activity in loaded.activities:
        submission = loaded.submissions.get(activity.id)
        work.append(AttachedWork(
            title=str(localized(activity, "title")), status=_status(submission, activity.id in loaded.drafted),
            url=_url(submission, activity, owner, viewer),
            handed_in_at=submission.submitted_at if submission and submission.latest_version else None,
            version=submission.latest_version if submission else 0))
    return work


def timeline_events(owner: User, run: ProgrammeRun, viewer: User) -> list[TimelineEvent]:
    loaded = _loaded(owner, run)
    events = []
    for activity in loaded.activities:
        submission = loaded.submissions.get(activity.id)
        if submission is None:
            continue
        title, url = str(localized(activity, "title")), _url(submission, activity, owner, viewer)
        events += [TimelineEvent(v.submitted_at, "handed_in", title, _version_label(v.number), url)
                   for v in submission.versions]
        events += [TimelineEvent(f.released_at, "feedback", title, _version_label(f.version_number), url)
                   for f in submission.feedback if f.state == FeedbackState.RELEASED and f.released_at]
    return events


def _version_label(number: int) -> str:
    return _("version %(n)d", n=number)
