"""Moving a run to the latest content version: what would change, what would be orphaned, and
the apply itself (`flask content apply --run`, the admin's run page).

An update changes which content version the run reads (`ProgrammeRun.content_version_id`) and
schedules the meetings the new version adds; it never writes a trainee's completions, hand-ins,
answers or attendance. An update that would take away an activity on which a trainee of the run
has work is refused, naming the activity's file:line and the work it holds."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from .. import audit
from ..content.snapshot import SECTIONS
from ..extensions import db
from ..models import Activity, Cohort, CohortRole, Completion, ContentVersion, Membership, ProgrammeRun
from ..plugins import registry
from . import meetings

#: Fields shown as their own kind of change; every other differing field is "changed".
RENAMED, HOURS = "title", "hours"


@dataclass
class Change:
    #: "programme", "modules", "activities" or "meeting_plans".
    section: str
    #: "added", "removed", "renamed", "hours" or "changed".
    kind: str
    slug: str
    title: str
    before: str = ""
    after: str = ""
    fields: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The change in English, for the CLI."""
        what = {"modules": "module", "activities": "activity", "meeting_plans": "meeting",
                "programme": "programme"}[self.section]
        if self.kind == "renamed":
            return f"{what} renamed: “{self.before}” → “{self.after}” ({self.slug})"
        if self.kind == "hours":
            return f"{what} hours changed: {self.title}: {self.before} → {self.after} ({self.slug})"
        if self.kind == "changed":
            return f"{what} changed: {self.title} ({self.slug}): {', '.join(self.fields)}"
        return f"{what} {self.kind}: {self.title} ({self.slug})"


def _item_changes(section: str, slug: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    title = str(new.get("title", slug))
    changes = []
    if old.get(RENAMED) != new.get(RENAMED):
        changes.append(Change(section, "renamed", slug, title, str(old.get(RENAMED)), str(new.get(RENAMED))))
    if old.get(HOURS) != new.get(HOURS):
        changes.append(Change(section, "hours", slug, title, str(old.get(HOURS)), str(new.get(HOURS))))
    others = sorted(k for k in set(old) | set(new) if k not in (RENAMED, HOURS, "at") and old.get(k) != new.get(k))
    if others:
        changes.append(Change(section, "changed", slug, title, fields=others))
    return changes


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What a run moving from snapshot `old` to `new` would see change."""
    changes = []
    old_programme, new_programme = old.get("programme", {}), new.get("programme", {})
    changes += _item_changes("programme", str(new_programme.get("slug", "")), old_programme, new_programme)
    for section in SECTIONS:
        before, after = old.get(section, {}), new.get(section, {})
        for slug, fields in after.items():
            if slug not in before:
                changes.append(Change(section, "added", slug, str(fields.get("title", slug))))
            else:
                changes += _item_changes(section, slug, before[slug], fields)
        for slug, fields in before.items():
            if slug not in after:
                changes.append(Change(section, "removed", slug, str(fields.get("title", slug))))
    return changes


@dataclass
class Blocker:
    """An activity the update would take away from the run although trainees have work on it."""
    slug: str
    title: str
    #: Where the activity was written in the content the run teaches now (file:line).
    at: str
    completions: int
    work: int

    def message(self, run_name: str) -> str:
        return (f"{self.at or self.slug}: the activity '{self.slug}' ({self.title}) is gone from the new content, "
                f"but trainees of the run “{run_name}” have work on it ({self.work} hand-ins or answers, "
                f"{self.completions} completions). Keep it in the files until the run ends; nothing was changed.")


def _trainees(run: ProgrammeRun) -> tuple[list[int], list[int]]:
    cohort_ids = list(db.session.scalars(select(Cohort.id).where(Cohort.run_id == run.id)))
    user_ids = list(db.session.scalars(select(Membership.user_id).distinct().where(
        Membership.cohort_id.in_(cohort_ids or [-1]), Membership.role == CohortRole.TRAINEE)))
    return user_ids, cohort_ids


def orphaned(run: ProgrammeRun, old: dict[str, Any], new: dict[str, Any]) -> list[Blocker]:
    """The activities the move would take away on which the run's trainees have work."""
    gone = {slug: fields for slug, fields in old.get("activities", {}).items()
            if slug not in new.get("activities", {})}
    if not gone:
        return []
    rows = {a.slug: a for a in db.session.scalars(select(Activity).where(Activity.slug.in_(sorted(gone))))}
    if not rows:
        return []
    user_ids, cohort_ids = _trainees(run)
    ids = [a.id for a in rows.values()]
    completions = dict(db.session.execute(select(Completion.activity_id, func.count()).where(
        Completion.activity_id.in_(ids), Completion.user_id.in_(user_ids or [-1]))
        .group_by(Completion.activity_id)).all())
    by_type: dict[str, list[int]] = defaultdict(list)
    for activity in rows.values():
        by_type[activity.type].append(activity.id)
    work: dict[int, int] = defaultdict(int)
    plugins = registry()
    for type_, type_ids in by_type.items():
        plugin = plugins.get(type_)
        if plugin is not None:
            for activity_id, count in plugin.work_counts(type_ids, user_ids, cohort_ids).items():
                work[activity_id] += count
    blockers = []
    for slug, activity in sorted(rows.items()):
        if completions.get(activity.id) or work.get(activity.id):
            fields = gone[slug]
            blockers.append(Blocker(slug, str(fields.get("title", slug)), str(fields.get("at", "")),
                                    completions.get(activity.id, 0), work.get(activity.id, 0)))
    return blockers


class UpdateRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class UpdatePlan:
    run: ProgrammeRun
    current: ContentVersion | None
    target: ContentVersion
    changes: list[Change]
    blockers: list[Blocker]

    @property
    def available(self) -> bool:
        return self.current is not None and self.current.id != self.target.id


def _programme_of(run: ProgrammeRun):
    return meetings.programme_of(run)


def plan_update(run: ProgrammeRun) -> UpdatePlan | None:
    """What moving the run to the latest version would change; None without any content version
    (or for a run that follows the latest by itself: no version of its own)."""
    programme = _programme_of(run)
    if programme is None or programme.content_version_id is None or run.content_version_id is None:
        return None
    target = db.session.get(ContentVersion, programme.content_version_id)
    current = db.session.get(ContentVersion, run.content_version_id)
    if target is None or current is None:
        return None
    if current.id == target.id:
        return UpdatePlan(run, current, target, [], [])
    return UpdatePlan(run, current, target, diff(current.snapshot, target.snapshot),
                      orphaned(run, current.snapshot, target.snapshot))


def apply_update(plan: UpdatePlan) -> int:
    """Move the run to the plan's version; returns the meetings scheduled. The caller commits."""
    if plan.blockers:
        raise UpdateRefused([b.message(plan.run.name) for b in plan.blockers])
    if not plan.available:
        return 0
    before = plan.current.id if plan.current else None
    plan.run.content_version_id = plan.target.id
    db.session.flush()
    scheduled = meetings.schedule_run(plan.run)
    audit.record("content.apply", plan.run, run=plan.run.name, from_version=before, to_version=plan.target.id,
                 changes=len(plan.changes))
    return scheduled


def version_of(run: ProgrammeRun) -> ContentVersion | None:
    return db.session.get(ContentVersion, run.content_version_id) if run.content_version_id else None


@dataclass
class ContentStatus:
    """What the run's admin page says about its content (two primary-key lookups at most)."""
    version: ContentVersion | None
    update_available: bool


def content_status(run: ProgrammeRun) -> ContentStatus:
    programme = _programme_of(run)
    version = version_of(run)
    latest = programme.content_version_id if programme is not None else None
    return ContentStatus(version, version is not None and latest is not None and latest != version.id)
