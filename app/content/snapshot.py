"""A content version's snapshot: the fields of the programme, its modules, activities and meeting
plans that a run's pages show, as plain JSON, and the hash that tells two imports apart.

The snapshot is built from the rows an import has just written, so it is exactly what a run at
that version saw. Every item also keeps "at", the file:line it came from, so a refused update can
point at the content; "at" is left out of the hash (moving a line is not a new version)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import time
from decimal import Decimal
from typing import Any

PROGRAMME = ("title", "version", "total_hours", "duration_months", "summary_md", "translations", "variants")
MODULE = ("order", "title", "component", "hours", "credit_points", "competencies", "summary_md",
          "learning_outcomes", "translations")
ACTIVITY = ("type", "title", "hours", "required", "due_rule", "settings", "competencies", "position",
            "omitted_in", "translations")
PLAN = ("kind", "title", "hours", "after_start_days", "duration_days", "starts_at", "ends_at", "agenda_md",
        "position", "translations", "country_code", "omitted_in", "place")
NUMBERS = {"hours", "total_hours", "credit_points"}
TIMES = {"starts_at", "ends_at"}
SECTIONS = ("modules", "activities", "meeting_plans")


def _encode(name: str, value: Any) -> Any:
    if name in NUMBERS:
        return format(Decimal(value).normalize(), "f")
    if name in TIMES:
        return value.isoformat() if isinstance(value, time) else str(value)
    return value


def decode(name: str, value: Any) -> Any:
    """A snapshot value as the row's attribute holds it."""
    if name in NUMBERS:
        return Decimal(value)
    if name in TIMES:
        return time.fromisoformat(value)
    return value


def _fields(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _encode(name, getattr(row, name)) for name in names}


def build(programme: Any, modules: list[Any], activities: list[Any], plans: list[Any],
          locations: Mapping[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """The snapshot of rows (ORM objects or Core rows alike: only attributes are read)."""
    where = locations or {}
    module_slugs = {m.id: m.slug for m in modules}
    activity_slugs = {a.id: a.slug for a in activities}

    def item(kind: str, row: Any, names: Iterable[str], **extra: Any) -> dict[str, Any]:
        return {**_fields(row, names), **extra, "at": where.get((kind, row.slug), "")}

    return {
        "programme": {"slug": programme.slug, **_fields(programme, PROGRAMME)},
        "modules": {m.slug: item("modules", m, MODULE) for m in modules},
        "activities": {a.slug: item("activities", a, ACTIVITY, module=module_slugs.get(a.module_id),
                                    replaces=activity_slugs.get(a.replaces_id), country_id=a.country_id)
                       for a in activities if a.module_id in module_slugs},
        "meeting_plans": {p.slug: item("meeting_plans", p, PLAN, module=module_slugs.get(p.module_id))
                          for p in plans if p.module_id in module_slugs},
    }


def without_locations(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {key: ({slug: {k: v for k, v in fields.items() if k != "at"} for slug, fields in value.items()}
                  if key in SECTIONS else value) for key, value in snapshot.items()}


def content_hash(snapshot: Mapping[str, Any]) -> str:
    canonical = json.dumps(without_locations(snapshot), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
