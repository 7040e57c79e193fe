"""After an import: freeze the programme as a content version and decide which runs read it.

Runs that have not started yet follow the new version (nothing is done in them yet, unless a
trainee has started early: then the check below applies); runs under way keep the version they
teach until an admin applies the update (`flask content apply --run`, the run's admin page). A
run that would follow but holds trainees' work on an activity the new content removes refuses
the whole import: the caller rolls back, so nothing is imported half."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Activity, ContentVersion, MeetingPlan, Module, Programme, ProgrammeRun
from ..timeutil import utcnow
from . import snapshot
from .loader import ContentTree


@dataclass
class VersionReport:
    version: ContentVersion | None = None
    created: bool = False
    #: Runs moved to the new version (not started yet).
    followed: list[str] = field(default_factory=list)
    #: Runs under way that keep an older version until an admin applies the update.
    behind: list[str] = field(default_factory=list)


def _locations(tree: ContentTree) -> dict[tuple[str, str], str]:
    where: dict[tuple[str, str], str] = {}
    for module in tree.modules:
        where[("modules", module.slug)] = str(module.loc)
    for meeting in tree.meetings():
        where[("meeting_plans", meeting.slug)] = str(meeting.loc)
    for activity in tree.activities():
        where[("activities", activity.slug)] = str(activity.loc)
    return where


def current_snapshot(programme: Programme, tree: ContentTree | None = None) -> dict:
    """The programme's rows as they are now (not retired), as a snapshot."""
    modules = list(db.session.scalars(select(Module).where(Module.programme_id == programme.id,
                                                           Module.retired.is_(False))))
    ids = [m.id for m in modules] or [-1]
    activities = list(db.session.scalars(select(Activity).where(Activity.module_id.in_(ids),
                                                                Activity.retired.is_(False))))
    plans = list(db.session.scalars(select(MeetingPlan).where(MeetingPlan.module_id.in_(ids),
                                                              MeetingPlan.retired.is_(False))))
    return snapshot.build(programme, modules, activities, plans, _locations(tree) if tree else None)


def runs_of(programme: Programme) -> list[ProgrammeRun]:
    """The runs teaching the programme: their own, or the installation's only one."""
    sole = len(db.session.scalars(select(Programme.id).limit(2)).all()) == 1
    condition = ProgrammeRun.programme_id == programme.id
    if sole:
        condition = or_(condition, ProgrammeRun.programme_id.is_(None))
    return list(db.session.scalars(select(ProgrammeRun).where(condition).order_by(ProgrammeRun.starts_on,
                                                                                   ProgrammeRun.id)))


def record_version(programme: Programme, tree: ContentTree | None = None) -> VersionReport:
    """Make a new version if the content differs from the latest; move the runs not started yet
    to it. Raises content_updates.UpdateRefused (the caller rolls back) when a run that would
    follow has trainees' work on an activity the new content removes."""
    from ..services.content_updates import UpdateRefused, orphaned
    db.session.flush()
    frozen = current_snapshot(programme, tree)
    digest = snapshot.content_hash(frozen)
    latest = db.session.get(ContentVersion, programme.content_version_id) if programme.content_version_id else None
    if latest is not None and latest.content_hash == digest:
        return VersionReport(latest)
    version = ContentVersion(programme_id=programme.id, label=programme.version, content_hash=digest,
                             snapshot=frozen)
    db.session.add(version)
    db.session.flush()
    programme.content_version_id = version.id
    report = VersionReport(version, created=True)
    refusals: list[str] = []
    today = utcnow().date()
    for run in runs_of(programme):
        if run.content_version_id is None:
            if latest is None:
                # The programme's first version: runs opened before any import teach it from now on.
                run.content_version_id = version.id
            continue  # later, a run without a version of its own (the demo's) follows the latest
        if run.starts_on > today:
            taught = db.session.get(ContentVersion, run.content_version_id)
            blockers = orphaned(run, taught.snapshot, frozen) if taught is not None else []
            refusals += [b.message(run.name) for b in blockers]
            run.content_version_id = version.id
            report.followed.append(run.name)
        else:
            report.behind.append(run.name)
    if refusals:
        raise UpdateRefused(refusals)
    db.session.flush()
    return report


def latest_version_id(programme: Programme | None) -> int | None:
    return programme.content_version_id if programme is not None else None
