"""Words shown for the programme's stored codes, translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..plugins import registry

KIND_LABELS = {
    "practice-based": _l("Practice-based knowledge"),
    "training-education": _l("Training and education"),
    "research-based": _l("Research-based knowledge"),
}
COMPONENT_LABELS = {"national": _l("National"), "transnational": _l("Transnational")}
STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "coming_soon": _l("Coming soon"),
}
STATUS_BADGES = {"not_started": "text-bg-light border", "in_progress": "text-bg-info",
                 "done": "text-bg-success", "coming_soon": "text-bg-secondary"}


def type_label(type_: str):
    plugin = registry().get(type_)
    if plugin is not None and plugin.label:
        return plugin.label
    return type_


def template_helpers() -> dict:
    return {
        "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
        "component_label": lambda component: COMPONENT_LABELS.get(component, component),
        "status_label": lambda status: STATUS_LABELS.get(status, status),
        "status_badge": lambda status: STATUS_BADGES.get(status, "text-bg-light"),
        "activity_type_label": type_label,
    }
