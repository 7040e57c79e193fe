"""The content version of a run, resolved once, in the service layer.

A run pinned to an older content version sees the same rows as every other run (the rows hold
the latest import) with its version's snapshot laid over them: titles, hours, settings, order.
The overlay uses `set_committed_value`, so the session takes it for what the database holds and
never writes it back; the next transaction reloads the rows as they are. Page queries stay the
same: the run's version is one primary-key lookup (the session's identity map keeps it), and the
rows are chosen by the snapshot's slugs instead of by `retired`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from ..content import snapshot as snap
from ..extensions import db
from ..models import Activity, ContentVersion, MeetingPlan, Module, Programme, ProgrammeRun
from .current_content import programme_variants


@dataclass
class Pinned:
    """An older content version a run teaches."""
    version: ContentVersion

    def section(self, name: str) -> dict[str, dict[str, Any]]:
        return self.version.snapshot.get(name, {})

    def slugs(self, name: str) -> list[str]:
        return sorted(self.section(name))


def is_behind(run: ProgrammeRun | None, programme: Programme | None) -> bool:
    """Whether the run teaches another version than the latest (no query)."""
    return (run is not None and programme is not None and run.content_version_id is not None
            and run.content_version_id != programme.content_version_id)


def pinned_content(run: ProgrammeRun | None, programme: Programme | None) -> Pinned | None:
    """The run's older content version, or None when it teaches the latest (no query then)."""
    if not is_behind(run, programme):
        return None
    assert run is not None and run.content_version_id is not None
    version = db.session.get(ContentVersion, run.content_version_id)
    return Pinned(version) if version is not None else None


def _lay(row: Any, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in fields:
            value = snap.decode(name, fields[name])
            if getattr(row, name) != value:
                set_committed_value(row, name, value)


def overlay_programme(programme: Programme, pinned: Pinned) -> None:
    if "variants" in inspect(programme).unloaded:
        # The session lookup leaves the column out (app/sessions.py); comparing with the snapshot
        # would load it with a query of its own.
        set_committed_value(programme, "variants", programme_variants(programme))
    _lay(programme, pinned.version.snapshot.get("programme", {}), snap.PROGRAMME)


def overlay_modules(modules: list[Module], pinned: Pinned) -> list[Module]:
    """The modules in the version's order."""
    section = pinned.section("modules")
    for module in modules:
        _lay(module, section.get(module.slug, {}), snap.MODULE)
    return sorted(modules, key=lambda m: (m.order, m.id))


def _move(row: Activity | MeetingPlan, module_slug: str | None, modules: dict[str, Module]) -> None:
    module = modules.get(module_slug or "")
    if module is not None and row.module_id != module.id:
        set_committed_value(row, "module_id", module.id)
        set_committed_value(row, "module", module)


def overlay_activities(activities: list[Activity], pinned: Pinned, modules: dict[str, Module],
                       by_slug: dict[str, Activity] | None = None) -> list[Activity]:
    section = pinned.section("activities")
    known = by_slug if by_slug is not None else {a.slug: a for a in activities}
    for activity in activities:
        fields = section.get(activity.slug, {})
        _lay(activity, fields, snap.ACTIVITY)
        _move(activity, fields.get("module"), modules)
        replaces = known.get(fields.get("replaces") or "")
        replaces_id = replaces.id if replaces is not None else activity.replaces_id
        if "replaces" in fields and fields["replaces"] is None:
            replaces_id = None
        if activity.replaces_id != replaces_id:
            set_committed_value(activity, "replaces_id", replaces_id)
    return sorted(activities, key=lambda a: (a.position, a.id))


def overlay_plans(plans: list[MeetingPlan], pinned: Pinned, modules: dict[str, Module]) -> list[MeetingPlan]:
    section = pinned.section("meeting_plans")
    for plan in plans:
        fields = section.get(plan.slug, {})
        _lay(plan, fields, snap.PLAN)
        _move(plan, fields.get("module"), modules)
    return sorted(plans, key=lambda p: (p.position, p.id))
