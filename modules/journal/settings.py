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
from typing import Annotated, Any

from annotated_types import Interval
from flask_babel import lazy_gettext as _l
from pydantic import StringConstraints, field_validator, model_validator

from app.content.loader import Problem, parse_yaml
from app.content.schema import ContentModel, Says, Text, check, invalid
from app.plugins import ConfigError, ContentContext

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
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


class JournalSettings(ContentModel):
    unknown_key = "unknown setting '{key}' (known: {known})"

    prompt: Annotated[str, StringConstraints(pattern=SLUG_RE.pattern),
                      Says("'prompt' must name a prompt in prompts.yaml (a slug)")]
    min_entries: Annotated[int, Interval(ge=1, le=MAX_MIN_ENTRIES),
                           Says(f"'min_entries' must be a whole number from 1 to {MAX_MIN_ENTRIES}")] = 1


def validate_settings(raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
    settings = context.check(JournalSettings, raw)
    prompts = load_prompts(context)
    if settings.prompt not in prompts:
        known = ", ".join(sorted(prompts)) or "none"
        raise ConfigError(f"unknown prompt '{settings.prompt}' (prompts.yaml has: {known})", context.where("prompt"))
    return {"prompt": prompts[settings.prompt], "min_entries": settings.min_entries}


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
    return {prompt.slug: prompt.stored() for prompt in check(PromptsFile, data, shown).prompts}


class Stage(ContentModel):
    not_a_mapping = "each stage must be a mapping with key, label and help"

    key: Text
    label: Text
    help: Text | None = None


class Prompt(ContentModel):
    not_a_mapping = "each prompt must be a mapping with slug, title, model and stages"

    slug: Text
    title: Text
    model: Text
    intro: Text | None = None
    stages: Annotated[list[Stage], Says("'stages' must be a list")] | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, slug: str) -> str:
        if not SLUG_RE.match(slug):
            raise invalid(f"'{slug}' is not a valid slug (a-z, 0-9 and -)")
        return slug

    @field_validator("model")
    @classmethod
    def _model(cls, model: str) -> str:
        if model not in MODEL_STAGES:
            raise invalid(f"unknown model '{model}' (known: {', '.join(MODEL_STAGES)})")
        return model

    @model_validator(mode="after")
    def _stages_of_the_model(self) -> Prompt:
        seen: set[str] = set()
        for i, stage in enumerate(self.stages or []):
            if stage.key not in MODEL_STAGES[self.model]:
                raise invalid(f"'{stage.key}' is not a stage of the {self.model} model (its stages: "
                              f"{', '.join(MODEL_STAGES[self.model])})", ("stages", i, "key"))
            if stage.key in seen:
                raise invalid(f"duplicate stage '{stage.key}'", ("stages", i, "key"))
            seen.add(stage.key)
        return self

    def stored(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "model": self.model, "intro_md": self.intro or "",
                "stages": [{"key": s.key, "label": s.label, "help": s.help or ""} for s in self.stages or []]}


class PromptsFile(ContentModel):
    not_a_mapping = "the file must be a mapping with a 'prompts' list"

    prompts: Annotated[list[Prompt], Says("the file must be a mapping with a 'prompts' list")]

    @model_validator(mode="after")
    def _unique_slugs(self) -> PromptsFile:
        seen: set[str] = set()
        for i, prompt in enumerate(self.prompts):
            if prompt.slug in seen:
                raise invalid(f"duplicate prompt slug '{prompt.slug}'", ("prompts", i))
            seen.add(prompt.slug)
        return self
