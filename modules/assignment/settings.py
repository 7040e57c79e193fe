"""An assignment's `settings:` in the content files, and the structured templates they name.

    settings:
      instructions: tasks/micro-innovation-plan.md   # Markdown beside module.yaml
      submission: template          # text | files | template
      template: micro-innovation-plan                # content/templates/<slug>.yaml
      allowed_types: [pdf, docx, odt]                # files: what may be uploaded
      max_size_mb: 10                                # files: per file
      max_files: 5                                   # files: per hand-in
      completion: accepted          # accepted (by the facilitator) | submitted
      group: false                  # true: one submission per country group

A template file, content/templates/<slug>.yaml, declares its fields (types: short_text,
long_text, choice, date, scale, rows):

    slug: micro-innovation-plan       # the file's own name
    title: Micro-innovation plan
    intro: Markdown shown above the form (optional)
    fields:
      - key: title                    # a-z, 0-9 and _, unique in the template
        label: Working title
        type: short_text
        required: true
        help: A short, plain title.   # optional
        max_length: 200               # short_text / long_text (optional)
      - {key: stage, label: Stage, type: choice, choices: [emergence, stabilisation, scaling-up]}
      - {key: start, label: Start date, type: date}
      - {key: confidence, label: How confident are you?, type: scale, low_label: Not at all, high_label: Very}
      - key: actions
        label: Actions
        type: rows                    # repeating rows; columns take the other five types
        required: true                # at least min_rows filled rows (default 1 when required)
        min_rows: 1                   # optional
        max_rows: 20                  # optional
        columns:
          - {key: step, label: Step, type: short_text, required: true}
          - {key: when, label: When, type: date}

A choice's options are plain text, or {value: ..., label: ...} mappings.

The normalised settings the importer stores in Activity.settings carry the instructions' Markdown
and the whole template, so pages never read content files at run time."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.content.loader import Problem, parse_yaml
from app.plugins import ConfigError, ContentContext, SettingsReader

SUBMISSION_KINDS = ("text", "files", "template")
COMPLETION_RULES = ("accepted", "submitted")
FIELD_TYPES = ("short_text", "long_text", "choice", "date", "scale", "rows")
COLUMN_TYPES = FIELD_TYPES[:-1]
#: File types an assignment may accept (checked by extension and by the file's first bytes).
FILE_TYPES = ("pdf", "docx", "odt", "xlsx", "ods", "pptx", "odp", "png", "jpg", "jpeg")
DEFAULT_FILE_TYPES = ["pdf", "docx", "odt"]
DEFAULT_MAX_SIZE_MB = 10
LARGEST_MAX_SIZE_MB = 25
DEFAULT_MAX_FILES = 5
TEXT_LIMITS = {"short_text": 300, "long_text": 20000}
MAX_ROWS = 50
SETTINGS_KEYS = ("instructions", "submission", "template", "allowed_types", "max_size_mb", "max_files",
                 "completion", "group")
FIELD_KEYS = ("key", "label", "type", "required", "help", "max_length", "choices", "low_label", "high_label",
              "columns", "min_rows", "max_rows")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_settings(raw: dict[str, Any], where: str, context: ContentContext | None) -> dict[str, Any]:
    def at(key: str | None = None) -> str:
        return context.where(key) if context else where

    if not isinstance(raw, dict):
        raise ConfigError("'settings' must be a mapping", where)
    for key in raw:
        if key not in SETTINGS_KEYS:
            raise ConfigError(f"unknown setting '{key}' (known: {', '.join(SETTINGS_KEYS)})", at(key))
    kind = raw.get("submission")
    if kind not in SUBMISSION_KINDS:
        raise ConfigError(f"'submission' must be one of {', '.join(SUBMISSION_KINDS)}", at("submission"))
    completion = raw.get("completion", "accepted")
    if completion not in COMPLETION_RULES:
        raise ConfigError(f"'completion' must be one of {', '.join(COMPLETION_RULES)}", at("completion"))
    group = raw.get("group", False)
    if not isinstance(group, bool):
        raise ConfigError("'group' must be true or false", at("group"))
    settings: dict[str, Any] = {
        "instructions_md": _instructions(raw.get("instructions"), at, context),
        "submission": kind, "completion": completion, "group": group,
    }
    if kind == "files":
        settings.update(_file_rules(raw, at))
    elif any(k in raw for k in ("allowed_types", "max_size_mb", "max_files")):
        key = next(k for k in ("allowed_types", "max_size_mb", "max_files") if k in raw)
        raise ConfigError(f"'{key}' only applies to 'submission: files'", at(key))
    if kind == "template":
        settings["template"] = _template(raw.get("template"), at, context)
    elif "template" in raw:
        raise ConfigError("'template' only applies to 'submission: template'", at("template"))
    return settings


def _instructions(value: Any, at, context: ContentContext | None) -> str:
    if value is None:
        return ""
    if context is None:  # a test calling validate_config directly: the text itself
        return str(value)
    return context.read_text(value, "instructions")


def _file_rules(raw: dict[str, Any], at) -> dict[str, Any]:
    types = raw.get("allowed_types", DEFAULT_FILE_TYPES)
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ConfigError("'allowed_types' must be a list of file types", at("allowed_types"))
    types = [t.lower().lstrip(".") for t in types]
    unknown = [t for t in types if t not in FILE_TYPES]
    if unknown:
        raise ConfigError(f"unsupported file type '{unknown[0]}' (supported: {', '.join(FILE_TYPES)})",
                          at("allowed_types"))
    size = raw.get("max_size_mb", DEFAULT_MAX_SIZE_MB)
    if isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size <= LARGEST_MAX_SIZE_MB:
        raise ConfigError(f"'max_size_mb' must be a number above 0 and at most {LARGEST_MAX_SIZE_MB}",
                          at("max_size_mb"))
    count = raw.get("max_files", DEFAULT_MAX_FILES)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
        raise ConfigError("'max_files' must be a whole number from 1 to 20", at("max_files"))
    return {"allowed_types": list(dict.fromkeys(types)), "max_size_mb": size, "max_files": count}


# --- templates -------------------------------------------------------------------------------

def template_path(context: ContentContext, slug: str) -> Path:
    return context.root / "templates" / f"{slug}.yaml"


def _template(slug: Any, at, context: ContentContext | None) -> dict[str, Any]:
    if not isinstance(slug, str) or not re.match(r"^[a-z0-9][a-z0-9-]{0,79}$", slug):
        raise ConfigError("'template' must name a template file in content/templates/ (a slug)", at("template"))
    if context is None:
        raise ConfigError("a template can only be read from the content folder", at("template"))
    path = template_path(context, slug)
    if not path.is_file():
        raise ConfigError(f"template not found: templates/{slug}.yaml", at("template"))
    shown = f"{context.root.name}/templates/{slug}.yaml"
    return load_template(path.read_text(encoding="utf-8"), shown, slug)


def load_template(text: str, shown: str, slug: str) -> dict[str, Any]:
    """Parse and check a template file; ConfigError at the first problem, with its file:line."""
    problems: list[Problem] = []
    data = parse_yaml(text, shown, problems)
    if problems:
        raise ConfigError(problems[0].message, problems[0].where)
    if not isinstance(data, dict):
        raise ConfigError("a template must be a mapping with 'title' and 'fields'", f"{shown}:1")
    reader = SettingsReader(shown, data)
    for key in data:
        if key not in ("slug", "title", "intro", "fields"):
            raise ConfigError(f"unknown key '{key}' (known: slug, title, intro, fields)", reader.where(key))
    if data.get("slug", slug) != slug:
        raise ConfigError(f"'slug' must be the file's name, '{slug}'", reader.where("slug"))
    title = reader.text("title", required=True)
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise ConfigError("'fields' must be a non-empty list", reader.where("fields"))
    lines = getattr(fields, "item_lines", [reader.line("fields")] * len(fields))
    normalised = _fields(fields, lines, shown, FIELD_TYPES)
    return {"slug": slug, "title": title, "intro_md": reader.text("intro"), "fields": normalised}


def _fields(items: list, lines: list[int], shown: str, types: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    result = []
    for item, line in zip(items, lines):
        if not isinstance(item, dict):
            raise ConfigError("each field must be a mapping with key, label and type", f"{shown}:{line}")
        field = _field(SettingsReader(shown, item), types)
        if field["name"] in seen:
            raise ConfigError(f"duplicate field key '{field['name']}'", SettingsReader(shown, item).where("key"))
        seen.add(field["name"])
        result.append(field)
    return result


def _field(r: SettingsReader, types: tuple[str, ...]) -> dict[str, Any]:
    for key in r.data:
        if key not in FIELD_KEYS:
            raise ConfigError(f"unknown field key '{key}' (known: {', '.join(FIELD_KEYS)})", r.where(key))
    name = r.data.get("key")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ConfigError("'key' must be a short lower-case word (a-z, 0-9, _)", r.where("key"))
    kind = r.data.get("type")
    if kind not in types:
        raise ConfigError(f"'type' must be one of {', '.join(types)}", r.where("type"))
    required = r.data.get("required", False)
    if not isinstance(required, bool):
        raise ConfigError("'required' must be true or false", r.where("required"))
    field: dict[str, Any] = {"name": name, "type": kind, "label": r.text("label", required=True),
                             "help": r.text("help"), "required": required}
    if kind in TEXT_LIMITS:
        field["max_length"] = r.integer("max_length", TEXT_LIMITS[kind], 1, TEXT_LIMITS[kind])
    if kind == "choice":
        field["choices"] = _choices(r)
    if kind == "scale":
        field["low"], field["high"] = r.text("low_label"), r.text("high_label")
    if kind == "rows":
        columns = r.data.get("columns")
        if not isinstance(columns, list) or not columns:
            raise ConfigError("'columns' must be a non-empty list of fields", r.where("columns"))
        lines = getattr(columns, "item_lines", [r.line("columns")] * len(columns))
        field["columns"] = _fields(columns, lines, r.shown, COLUMN_TYPES)
        field["min_rows"] = r.integer("min_rows", 1 if required else 0, 0, MAX_ROWS)
        field["max_rows"] = r.integer("max_rows", 20, max(field["min_rows"], 1), MAX_ROWS)
    else:
        for key in ("columns", "min_rows", "max_rows"):
            if key in r.data:
                raise ConfigError(f"'{key}' only applies to type rows", r.where(key))
    return field


def _choices(r: SettingsReader) -> list[dict[str, str]]:
    raw = r.data.get("choices")
    if not isinstance(raw, list) or len(raw) < 2:
        raise ConfigError("'choices' must list at least two options", r.where("choices"))
    choices = []
    for option in raw:
        if isinstance(option, str) and option.strip():
            choices.append({"value": option.strip(), "label": option.strip()})
        elif isinstance(option, dict) and isinstance(option.get("value"), str) and isinstance(option.get("label"), str):
            choices.append({"value": option["value"], "label": option["label"]})
        else:
            raise ConfigError("each choice must be text, or a mapping with value and label", r.where("choices"))
    if len({c["value"] for c in choices}) != len(choices):
        raise ConfigError("choices must differ from each other", r.where("choices"))
    return choices
