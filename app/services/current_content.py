"""The programme's current content (its modules, activities, meeting plans, resources and
competency elements as the latest import left them), cached per process until it changes
(app/content_cache.py). Runs pinned to an
older content version lay that version over these rows instead (app/services/pinned.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import content_cache
from ..models import Activity, Competency, MeetingPlan, Module, Programme, Resource


@dataclass(frozen=True)
class CurrentContent:
    """A programme's current (not retired) modules, activities and meeting plans, in order, as
    the latest import left them; cached per process until the content changes (app/content_cache.py)."""
    modules: tuple[Module, ...]
    activities: tuple[Activity, ...]
    plans: tuple[MeetingPlan, ...]


def current_content(programme_id: int) -> CurrentContent:
    return content_cache.cached("programme content", programme_id,
                                lambda session, detached: _load_current_content(session, programme_id, detached))


#: What pages read through the rows' relationships: loaded with the rows when they are to be
#: cached, since a lazy load on a detached row fails.
_DETACHED_MODULE = (joinedload(Module.programme), joinedload(Module.ecvet_unit),
                    selectinload(Module.activities), selectinload(Module.meeting_plans))
_DETACHED_ACTIVITY = (joinedload(Activity.module), selectinload(Activity.replaces))
_DETACHED_PLAN = (joinedload(MeetingPlan.module),)


def _load_current_content(session: Session, programme_id: int, detached: bool) -> CurrentContent:
    programme_modules = select(Module.id).where(Module.programme_id == programme_id, Module.retired.is_(False))
    modules = tuple(session.scalars(
        select(Module).where(Module.id.in_(programme_modules))
        .options(*(_DETACHED_MODULE if detached else ())).order_by(Module.order, Module.id)))
    activities = tuple(session.scalars(
        select(Activity).where(Activity.module_id.in_(programme_modules), Activity.retired.is_(False))
        .options(joinedload(Activity.country), *(_DETACHED_ACTIVITY if detached else ()))
        .order_by(Activity.position, Activity.id)))
    plans = tuple(session.scalars(
        select(MeetingPlan).where(MeetingPlan.module_id.in_(programme_modules), MeetingPlan.retired.is_(False))
        .options(*(_DETACHED_PLAN if detached else ())).order_by(MeetingPlan.position, MeetingPlan.id)))
    return CurrentContent(modules, activities, plans)


def current_resources(programme_id: int) -> tuple[Resource, ...]:
    """The programme's current resources (common and national) in their order, with their module
    and country."""
    return content_cache.cached("programme resources", programme_id, lambda session, _detached: tuple(
        session.scalars(select(Resource).where(Resource.programme_id == programme_id, Resource.retired.is_(False))
                        .options(joinedload(Resource.module), joinedload(Resource.country),
                                 joinedload(Resource.programme))
                        .order_by(Resource.position, Resource.id))))


def current_competencies(programme_id: int) -> tuple[Competency, ...]:
    """The programme's competency elements in their order."""
    return content_cache.cached("programme competencies", programme_id, lambda session, _detached: tuple(
        session.scalars(select(Competency).where(Competency.programme_id == programme_id)
                        .options(joinedload(Competency.programme)).order_by(Competency.position, Competency.id))))


def programme_variants(programme: Programme) -> dict[str, Any]:
    """Programme.variants (what the national variants say). The session lookup leaves this column
    out (app/sessions.py): it is the programme's largest (tens of kB of JSON), and sending and
    decoding it with every request cost more than the rest of the lookup. When the row has it
    (a pinned run's overlay, a row loaded in full), that value; else the current one, cached
    until the content changes."""
    if "variants" not in inspect(programme).unloaded:
        return programme.variants or {}
    programme_id = programme.id
    return content_cache.cached("programme variants", programme_id, lambda session, _detached: session.scalar(
        select(Programme.variants).where(Programme.id == programme_id)) or {})
