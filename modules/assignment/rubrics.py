"""Rubrics on the seven competency elements, in content: `content/rubrics/<slug>.yaml`, named by
an assignment's settings (`rubric: <slug>`, `rubric_rating: optional | off`).

    slug: family-situation-analysis     # the file's own name
    title: How the analysis is read
    meets: 3                            # the level from which a criterion counts as shown (default 3)
    levels: [Not yet, Beginning, Shown, Confident]   # the scale, lowest first (2 to 6 levels)
    criteria:
      - key: whole_family               # a-z, 0-9 and _, unique in the rubric
        competency: C1                  # one of programme.yaml's competency codes
        title: Sees the family as a whole
        descriptors:                    # one per level, in the order of `levels`
          - ...

`rubric_rating: optional` (the default): a facilitator's feedback may rate each criterion, or
leave it unrated; `off`: the rubric is shown as guidance and never rated. Translations sit
beside the file (`<slug>.sv.yaml`: title, levels, criteria titles and descriptors). The
normalised rubric travels in Activity.settings, so pages never read content files."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from annotated_types import Interval
from pydantic import StringConstraints, ValidationInfo, field_validator, model_validator

from app.content.loader import Problem, did_you_mean, parse_yaml
from app.content.schema import ContentModel, NamedByItsFile, Says, Text, check, invalid
from app.plugins import ConfigError, ContentContext

RATING_MODES = ("optional", "off")
MIN_LEVELS, MAX_LEVELS = 2, 6
DEFAULT_MEETS = 3
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Criterion(ContentModel):
    unknown_key = "unknown criterion key '{key}' (known: {known})"
    not_a_mapping = "each criterion must be a mapping with key, competency, title and descriptors"

    key: Annotated[str, StringConstraints(pattern=KEY_PATTERN),
                   Says("'key' must be a short lower-case word (a-z, 0-9, _)")]
    competency: Annotated[str, Says("'competency' must be a competency code such as C1")]
    title: Text
    descriptors: Annotated[list[Text], Says("'descriptors' must list one text per level")]

    @field_validator("competency")
    @classmethod
    def _known_code(cls, code: str, info: ValidationInfo) -> str:
        codes = info.context.get("codes")
        if codes is not None and code not in codes:
            raise invalid(f"unknown competency '{code}'{did_you_mean(code, codes)} "
                          f"(known: {', '.join(sorted(codes))})")
        return code


class Rubric(NamedByItsFile):
    not_a_mapping = "a rubric must be a mapping with 'title', 'levels' and 'criteria'"

    title: Text
    meets: Annotated[int, Interval(ge=1, le=MAX_LEVELS), Says("'meets' must be a level number (1 is the lowest)")] = \
        DEFAULT_MEETS
    levels: Annotated[list[Text], Says(f"'levels' must list {MIN_LEVELS} to {MAX_LEVELS} level names, lowest first")]
    criteria: Annotated[list[Criterion], Says("'criteria' must be a non-empty list")]

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        if not MIN_LEVELS <= len(self.levels) <= MAX_LEVELS:
            raise invalid(f"'levels' must list {MIN_LEVELS} to {MAX_LEVELS} level names, lowest first", "levels")
        if self.meets > len(self.levels):
            raise invalid(f"'meets' must be a level from 1 to {len(self.levels)}", "meets")
        if not self.criteria:
            raise invalid("'criteria' must be a non-empty list", "criteria")
        seen: set[str] = set()
        for i, criterion in enumerate(self.criteria):
            if criterion.key in seen:
                raise invalid(f"duplicate criterion key '{criterion.key}'", ("criteria", i, "key"))
            seen.add(criterion.key)
            if len(criterion.descriptors) != len(self.levels):
                raise invalid(f"'descriptors' must list {len(self.levels)} texts, one per level "
                              f"(found {len(criterion.descriptors)})", ("criteria", i, "descriptors"))
        return self


def rubric_path(root: Path, slug: str) -> Path:
    return root / "rubrics" / f"{slug}.yaml"


def competency_codes(root: Path) -> set[str] | None:
    """The codes in programme.yaml; None if it cannot be read (the content check reports that)."""
    try:
        data = yaml.safe_load((root / "programme.yaml").read_text(encoding="utf-8"))
        return {str(c["code"]) for c in data["competencies"]}
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def load_rubric(text: str, shown: str, slug: str, codes: set[str] | None) -> dict[str, Any]:
    """Parse and check one rubric file; ConfigError at the first problem, with its file:line."""
    problems: list[Problem] = []
    data = parse_yaml(text, shown, problems)
    if problems:
        raise ConfigError(problems[0].message, problems[0].where)
    rubric = check(Rubric, data, shown, facts={"slug": slug, "codes": codes})
    return {"slug": slug, "title": rubric.title, "meets": rubric.meets, "levels": list(rubric.levels),
            "criteria": [{"key": c.key, "competency": c.competency, "title": c.title,
                          "descriptors": list(c.descriptors)} for c in rubric.criteria]}


def rubric_settings(slug: str | None, mode: Literal["optional", "off"] | None,
                    context: ContentContext) -> dict[str, Any]:
    """The settings keys a rubric adds to an assignment's normalised settings (none without one)."""
    if slug is None:
        if mode is not None:
            raise ConfigError("'rubric_rating' only applies with 'rubric'", context.where("rubric_rating"))
        return {}
    path = rubric_path(context.root, slug)
    if not path.is_file():
        raise ConfigError(f"rubric not found: rubrics/{slug}.yaml", context.where("rubric"))
    shown = f"{context.root.name}/rubrics/{slug}.yaml"
    rubric = load_rubric(path.read_text(encoding="utf-8"), shown, slug, competency_codes(context.root))
    return {"rubric": rubric, "rubric_rating": mode or "optional"}


def rubric_of(settings: dict[str, Any]) -> dict[str, Any] | None:
    return settings.get("rubric") or None


def rated(settings: dict[str, Any]) -> bool:
    """Whether a facilitator's feedback on this activity may rate its rubric."""
    return rubric_of(settings) is not None and settings.get("rubric_rating", "optional") != "off"
