"""A hand-in shown against the template version it was written for.

Each Version keeps the template's field definitions as they were when it was handed in
(`Version.template`). Reading it later, the fields come from there, so a field the content has
since removed still shows its answer, and a field added since is not asked of an old hand-in.
Labels are shown in the reader's language wherever the field is unchanged since (the current
translation then describes it exactly); a changed or removed field keeps its own words."""
from __future__ import annotations

from typing import Any

from app.localized import localized_settings
from app.models import Activity

from .models import Version
from .submissions import kind_of, template_of


def _by_name(template: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in (template or {}).get("fields", [])}


def template_at(activity: Activity, version: Version | None) -> dict[str, Any] | None:
    """The template to show `version` against (the current one, translated, for a version
    handed in before templates were kept, or for none)."""
    current = template_of(activity)
    shown = localized_settings(activity).get("template") if kind_of(activity) == "template" else None
    written = version.template if version is not None and version.template else None
    if written is None:
        return shown
    if written == current:
        return shown
    now, translated = _by_name(current), _by_name(shown)
    fields = [translated.get(f["name"], f) if now.get(f["name"]) == f else f for f in written.get("fields", [])]
    known = {f["name"] for f in fields}
    # An answer with no field at all (a hand-in older than its stored template): still shown.
    fields += [{"name": name, "label": name, "type": "long_text"} for name in version.fields or {}
               if name not in known and not isinstance(version.fields[name], list)]
    same_title = current is not None and written.get("title") == current.get("title")
    title = (shown or {}).get("title") if same_title else written.get("title")
    return {**written, "title": title, "fields": fields}


def templates_by_number(activity: Activity, versions: list[Version]) -> dict[int, dict[str, Any] | None]:
    return {v.number: template_at(activity, v) for v in versions}


def feedback_settings(submission) -> dict[str, Any]:
    """The settings the feedback form's per-field comments are built from: those of the template
    the latest version was written against (feedback answers that version)."""
    latest = submission.versions[-1] if submission.versions else None
    if latest is not None and latest.template:
        return {"submission": "template", "template": latest.template}
    return submission.activity.settings
