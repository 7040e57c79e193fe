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
from ..models import Activity, Cohort, CohortRole, Completion, ContentVersion, Country, Membership, ProgrammeRun
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
    #: Set when a national variant hides it from these of the run's countries ("SE, PT").
    countries: str = ""

    def message(self, run_name: str) -> str:
        where = f" for {self.countries} (its national variant)" if self.countries else ""
        return (f"{self.at or self.slug}: the activity '{self.slug}' ({self.title}) is gone from the new "
                f"content{where}, but trainees of the run “{run_name}” have work on it "
                f"({self.work} hand-ins or answers, {self.completions} completions). "
                "Keep it in the files until the run ends; nothing was changed.")


@dataclass
class _Trainees:
    """The run's trainees and cohorts, all and by country code (national cohorts)."""
    user_ids: list[int]
    cohort_ids: list[int]
    by_country: dict[str, tuple[list[int], list[int]]]


def _trainees(run: ProgrammeRun) -> _Trainees:
    rows = db.session.execute(select(Cohort.id, Country.code, Membership.user_id, Membership.role)
                              .outerjoin(Country, Country.id == Cohort.country_id)
                              .outerjoin(Membership, Membership.cohort_id == Cohort.id)
                              .where(Cohort.run_id == run.id)).all()
    cohorts = sorted({cohort_id for cohort_id, *_rest in rows})
    users = sorted({user_id for _c, _code, user_id, role in rows if role == CohortRole.TRAINEE})
    by_country: dict[str, tuple[list[int], list[int]]] = {}
    for cohort_id, code, user_id, role in rows:
        if code:
            country_users, country_cohorts = by_country.setdefault(code, ([], []))
            if cohort_id not in country_cohorts:
                country_cohorts.append(cohort_id)
            if role == CohortRole.TRAINEE and user_id not in country_users:
                country_users.append(user_id)
    return _Trainees(users, cohorts, by_country)


def _work_on(activities: list[Activity], user_ids: list[int], cohort_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(completions, plugin work) by activity id, of these trainees and cohorts."""
    ids = [a.id for a in activities]
    completions = dict(db.session.execute(select(Completion.activity_id, func.count()).where(
        Completion.activity_id.in_(ids), Completion.user_id.in_(user_ids or [-1]))
        .group_by(Completion.activity_id)).all())
    by_type: dict[str, list[int]] = defaultdict(list)
    for activity in activities:
        by_type[activity.type].append(activity.id)
    work: dict[int, int] = defaultdict(int)
    plugins = registry()
    for type_, type_ids in by_type.items():
        plugin = plugins.get(type_)
        if plugin is not None:
            for activity_id, count in plugin.work_counts(type_ids, user_ids, cohort_ids).items():
                work[activity_id] += count
    return {i: (completions.get(i, 0), work.get(i, 0)) for i in ids}


def _hidden_from(old: dict[str, Any], new: dict[str, Any], countries: set[str],
                 country_codes: dict[int, str]) -> dict[str, set[str]]:
    """Common activities the new version hides from some of the run's countries (a variant now
    removes or replaces them there): slug -> country codes."""
    before, after = old.get("activities", {}), new.get("activities", {})

    def replaced_in(items: dict[str, Any], slug: str) -> set[str]:
        return {country_codes.get(a.get("country_id"), "") for a in items.values() if a.get("replaces") == slug}

    hidden: dict[str, set[str]] = {}
    for slug, fields in after.items():
        if slug not in before:
            continue
        newly = (set(fields.get("omitted_in") or []) - set(before[slug].get("omitted_in") or []))
        newly |= replaced_in(after, slug) - replaced_in(before, slug)
        if newly & countries:
            hidden[slug] = newly & countries
    return hidden


def orphaned(run: ProgrammeRun, old: dict[str, Any], new: dict[str, Any]) -> list[Blocker]:
    """The activities the move would take away from the run (or, through a variant, from one of
    its countries) on which the run's trainees have work."""
    trainees = _trainees(run)
    country_codes = dict(db.session.execute(select(Country.id, Country.code)).all())
    gone = {slug for slug in old.get("activities", {}) if slug not in new.get("activities", {})}
    hidden = _hidden_from(old, new, set(trainees.by_country), country_codes)
    if not gone and not hidden:
        return []
    slugs = sorted(gone | set(hidden))
    rows = {a.slug: a for a in db.session.scalars(select(Activity).where(Activity.slug.in_(slugs)))}
    found: dict[str, tuple[int, int]] = {}
    gone_rows = [rows[s] for s in sorted(gone) if s in rows]
    if gone_rows:
        counted = _work_on(gone_rows, trainees.user_ids, trainees.cohort_ids)
        found.update({a.slug: counted[a.id] for a in gone_rows})
    for slug, codes in sorted(hidden.items()):
        if slug not in rows:
            continue
        users = [u for code in codes for u in trainees.by_country[code][0]]
        cohorts = [c for code in codes for c in trainees.by_country[code][1]]
        found[slug] = _work_on([rows[slug]], users, cohorts)[rows[slug].id]
    blockers = []
    for slug, (completions, work) in sorted(found.items()):
        if completions or work:
            fields = old["activities"][slug]
            blockers.append(Blocker(slug, str(fields.get("title", slug)), str(fields.get("at", "")),
                                    completions, work, ", ".join(sorted(hidden.get(slug, set())))
                                    if slug not in gone else ""))
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
