"""A journal activity's `settings:` in the content files, and the reflection prompts they name.

    settings:
      prompt: borton-meeting-the-whole-family    # a slug in content/prompts.yaml
      min_entries: 1                             # entries on this prompt that complete it

content/prompts.yaml lists the prompts; each follows one named reflective model and has one
field (stage) per stage of the model it asks about:

    prompts:
      - slug: borton-kickoff
        title: After the kick-off
        model: borton                 # borton | gibbs | kolb | schon | abductive
        intro: Markdown shown above the entry form
        stages:                       # optional; keys are fixed per model (MODEL_STAGES)
          - {key: what, label: What?, help: What happened ...}

The importer offers plugins no hook of their own, so the normalised settings carry the whole
prompt (title, model, intro, stages): pages never read content files at run time, and a free
entry can pick any prompt an imported journal activity uses."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from app.content.loader import Problem, parse_yaml
from app.plugins import ConfigError, ContentContext

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SETTINGS_KEYS = ("prompt", "min_entries")
PROMPT_KEYS = ("slug", "title", "model", "intro", "stages")
STAGE_KEYS = ("key", "label", "help")
MAX_MIN_ENTRIES = 20

#: The reflective models prompts may follow, and the stage keys each one knows.
MODEL_STAGES: dict[str, tuple[str, ...]] = {
    "borton": ("what", "so-what", "now-what"),
    "gibbs": ("description", "feelings", "evaluation", "analysis", "conclusion", "action-plan"),
    "kolb": ("concrete-experience", "reflective-observation", "abstract-conceptualisation",
             "active-experimentation"),
    "schon": ("reflection-in-action", "reflection-on-action"),
    "abductive": ("surprise", "explanation", "change"),
}
MODEL_LABELS = {
    "borton": _l("What? So what? Now what? (Borton)"),
    "gibbs": _l("Gibbs' reflective cycle"),
    "kolb": _l("Kolb's learning cycle"),
    "schon": _l("Schön: reflection-in-action and on-action"),
    "abductive": _l("Abductive reflection"),
}


def model_label(model: str | None) -> str:
    return str(MODEL_LABELS.get(model or "", model or ""))


def validate_settings(raw: dict[str, Any], where: str, context: ContentContext | None) -> dict[str, Any]:
    def at(key: str | None = None) -> str:
        return context.where(key) if context else where

    if not isinstance(raw, dict):
        raise ConfigError("'settings' must be a mapping", where)
    for key in raw:
        if key not in SETTINGS_KEYS:
            raise ConfigError(f"unknown setting '{key}' (known: {', '.join(SETTINGS_KEYS)})", at(key))
    slug = raw.get("prompt")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ConfigError("'prompt' must name a prompt in prompts.yaml (a slug)", at("prompt"))
    min_entries = raw.get("min_entries", 1)
    if isinstance(min_entries, bool) or not isinstance(min_entries, int) or not 1 <= min_entries <= MAX_MIN_ENTRIES:
        raise ConfigError(f"'min_entries' must be a whole number from 1 to {MAX_MIN_ENTRIES}", at("min_entries"))
    if context is None:
        raise ConfigError("a prompt can only be read from the content folder", at("prompt"))
    prompts = load_prompts(context)
    if slug not in prompts:
        known = ", ".join(sorted(prompts)) or "none"
        raise ConfigError(f"unknown prompt '{slug}' (prompts.yaml has: {known})", at("prompt"))
    return {"prompt": prompts[slug], "min_entries": min_entries}


# --- prompts.yaml --------------------------------------------------------------------------------

def prompts_path(context: ContentContext) -> Path:
    return context.root / "prompts.yaml"


_cache: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


def load_prompts(context: ContentContext) -> dict[str, dict[str, Any]]:
    """Every prompt of the content folder by slug (read once per file version, as each journal
    activity asks for it)."""
    path = prompts_path(context)
    if not path.is_file():
        raise ConfigError(f"{context.root.name}/prompts.yaml not found: journal activities name their prompt there",
                          context.where("prompt"))
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse_prompts(path.read_text(encoding="utf-8"), f"{context.root.name}/prompts.yaml")
    return _cache[key]


def parse_prompts(text: str, shown: str) -> dict[str, dict[str, Any]]:
    """Check the whole prompts file; ConfigError at the first problem, with its file:line."""
    problems: list[Problem] = []
    data = parse_yaml(text, shown, problems)
    if problems:
        raise ConfigError(problems[0].message, problems[0].where)
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise ConfigError("the file must be a mapping with a 'prompts' list", f"{shown}:1")
    items = data["prompts"]
    lines = getattr(items, "item_lines", [1] * len(items))
    prompts: dict[str, dict[str, Any]] = {}
    for item, line in zip(items, lines):
        prompt = _prompt(item, f"{shown}:{line}", shown)
        if prompt["slug"] in prompts:
            raise ConfigError(f"duplicate prompt slug '{prompt['slug']}'", f"{shown}:{line}")
        prompts[prompt["slug"]] = prompt
    return prompts


def _where(shown: str, node: Any, key: str | None, fallback: str) -> str:
    lines = getattr(node, "key_lines", {})
    return f"{shown}:{lines[key]}" if key in lines else fallback


def _text(node: dict, key: str, shown: str, fallback: str, required: bool = True) -> str:
    value = node.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"'{key}' must be text", _where(shown, node, key, fallback))
    return value.strip()


def _prompt(node: Any, where: str, shown: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ConfigError("each prompt must be a mapping with slug, title, model and stages", where)
    for key in node:
        if key not in PROMPT_KEYS:
            raise ConfigError(f"unknown key '{key}' (known: {', '.join(PROMPT_KEYS)})",
                              _where(shown, node, key, where))
    slug = _text(node, "slug", shown, where)
    if not SLUG_RE.match(slug):
        raise ConfigError(f"'{slug}' is not a valid slug (a-z, 0-9 and -)", _where(shown, node, "slug", where))
    model = _text(node, "model", shown, where)
    if model not in MODEL_STAGES:
        raise ConfigError(f"unknown model '{model}' (known: {', '.join(MODEL_STAGES)})",
                          _where(shown, node, "model", where))
    stages = node.get("stages") or []
    if not isinstance(stages, list):
        raise ConfigError("'stages' must be a list", _where(shown, node, "stages", where))
    stage_lines = getattr(stages, "item_lines", [None] * len(stages))
    normalised, seen = [], set()
    for stage, line in zip(stages, stage_lines):
        stage_where = f"{shown}:{line}" if line else where
        if not isinstance(stage, dict):
            raise ConfigError("each stage must be a mapping with key, label and help", stage_where)
        for key in stage:
            if key not in STAGE_KEYS:
                raise ConfigError(f"unknown key '{key}' (known: {', '.join(STAGE_KEYS)})",
                                  _where(shown, stage, key, stage_where))
        key = _text(stage, "key", shown, stage_where)
        if key not in MODEL_STAGES[model]:
            raise ConfigError(f"'{key}' is not a stage of the {model} model (its stages: "
                              f"{', '.join(MODEL_STAGES[model])})", _where(shown, stage, "key", stage_where))
        if key in seen:
            raise ConfigError(f"duplicate stage '{key}'", _where(shown, stage, "key", stage_where))
        seen.add(key)
        normalised.append({"key": key, "label": _text(stage, "label", shown, stage_where),
                           "help": _text(stage, "help", shown, stage_where, required=False)})
    return {"slug": slug, "title": _text(node, "title", shown, where), "model": model,
            "intro_md": _text(node, "intro", shown, where, required=False), "stages": normalised}
