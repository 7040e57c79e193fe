"""Questionnaires as content files: `content/instruments/<slug>.yaml`, named by an evaluation
activity's `settings: {instrument: <slug>}`. content/README.md ("Evaluation instruments")
documents the format; in short:

    title: Competency self-assessment (starting point)
    intro: Markdown shown above the questions
    family: self-assessment      # instruments whose answers are linked per trainee (same code)
    phase: before                # before | interim | final: the order in comparisons
    anonymous: true              # false: answers are stored with the trainee's name
    min_group: 5                 # answers a figure needs (default 5, lowest 3: programme feedback)
    opens: {after_start_days: -28}    # relative to the run: after_start_days | after_end_days
    closes: {after_start_days: 21}
    sections:
      - key: practice
        title: Your practice today
        intro: Markdown (optional)
        questions:
          - {key: years, type: single, text: ..., required: true, options: [{key: a, text: ...}]}
          - {key: needs, type: multiple, text: ..., options: [...], max_choices: 3}
          - {key: hopes, type: text, text: ..., max_length: 2000}
          - {key: useful, type: agreement5, text: ...}        # 1-5 disagree..agree
          - {key: confidence, type: scale5, text: ..., labels: [five labels], na: Does not apply}
          - key: competencies
            type: matrix                 # rows rated on one scale
            scale: scale5                # scale5 | agreement5
            competencies: true           # rows are the programme's competency codes
            retrospective: true          # each row rated twice: before the programme / now
            rows: [{key: C1, text: ...}]

The loader checks everything and raises ConfigError with file:line at the first problem. The
normalised instrument is stored whole in Activity.settings, so pages never read files."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from annotated_types import Interval, Len, MinLen
from pydantic import StringConstraints, ValidationInfo, field_validator, model_validator

from app.content.loader import Problem, did_you_mean, parse_yaml
from app.content.schema import ContentModel, Flag, Says, Stripped, Text, check, invalid
from app.plugins import ConfigError, ContentContext

from .disclosure import DEFAULT_MIN_GROUP, HIGHEST_MIN_GROUP, LOWEST_MIN_GROUP

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ROW_KEY_RE = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$")
QUESTION_TYPES = ("scale5", "agreement5", "single", "multiple", "text", "matrix")
SCALES = ("scale5", "agreement5")
PHASES = ("before", "interim", "final")
DATE_ANCHORS = ("after_start_days", "after_end_days")
TEXT_LIMIT = 5000
MAX_OPTIONS = 30


def instrument_path(root: Path, slug: str) -> Path:
    return root / "instruments" / f"{slug}.yaml"


class InstrumentSettings(ContentModel):
    unknown_key = "unknown setting '{key}' (known: {known})"

    instrument: Annotated[str, StringConstraints(pattern=SLUG_RE.pattern),
                          Says("'instrument' must name a file in content/instruments/ (a slug)")]


def validate_settings(raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
    """An evaluation activity's settings: `{instrument: <slug>}` -> `{"instrument": {...}}`."""
    slug = context.check(InstrumentSettings, raw).instrument
    path = instrument_path(context.root, slug)
    if not path.is_file():
        known = [p.stem for p in (context.root / "instruments").glob("*.yaml") if "." not in p.stem]
        raise ConfigError(f"instrument not found: instruments/{slug}.yaml{did_you_mean(slug, known)}",
                          context.where("instrument"))
    shown = f"{context.root.name}/instruments/{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    instrument = load_instrument(text, shown, slug, competency_codes=_competency_codes(context.root))
    _check_family(instrument, context.root, text, shown)
    return {"instrument": instrument}


def _competency_codes(root: Path) -> set[str] | None:
    """The codes in programme.yaml; None if it cannot be read (the content check reports that)."""
    try:
        data = yaml.safe_load((root / "programme.yaml").read_text(encoding="utf-8"))
        return {str(c["code"]) for c in data["competencies"]}
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def load_instrument(text: str, shown: str, slug: str, competency_codes: set[str] | None = None) -> dict[str, Any]:
    """Parse and check one instrument file; ConfigError at the first problem, with its file:line."""
    problems: list[Problem] = []
    data = parse_yaml(text, shown, problems)
    if problems:
        raise ConfigError(problems[0].message, problems[0].where)
    return check(Instrument, data, shown, facts={"codes": competency_codes}).stored(slug)


# --- the file's declared shape ------------------------------------------------------------------

Key = Annotated[str, StringConstraints(pattern=KEY_RE.pattern),
                Says("'{key}' must be a short lower-case word (a-z, 0-9, single _)")]
DATE_RULE = ("'{key}' must be one of {after_start_days: N} or {after_end_days: N} "
             "(days relative to the run; negative is before)")


def _keyed(what: str, pattern: re.Pattern, rule: str) -> type[ContentModel]:
    """An entry of a question's `options` or `rows`: exactly a key and a text."""
    entry = f"each entry of '{what}' must be a mapping with key and text"

    class Entry(ContentModel):
        unknown_key = missing_key = not_a_mapping = entry
        key: Annotated[str, StringConstraints(pattern=pattern.pattern),
                       Says(f"the key '{{value}}' in '{what}' must be {rule}")]
        text: Annotated[Stripped, Says(f"each entry of '{what}' needs a text")]

    Entry.__name__ = Entry.__qualname__ = f"{what.title()}Entry"
    return Entry


Option = _keyed("options", KEY_RE, "a short lower-case word (a-z, 0-9, _)")
Row = _keyed("rows", ROW_KEY_RE, "letters and digits, e.g. C1")
#: The keys a question of each type may carry besides key, type, text, help and required.
TYPE_KEYS = {"single": {"options"}, "multiple": {"options", "max_choices"}, "text": {"max_length"},
             "scale5": {"labels", "na"}, "agreement5": {"labels", "na"},
             "matrix": {"labels", "na", "scale", "rows", "retrospective", "competencies"}}


def _unique(entries: list, what: str) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.key in seen:
            raise invalid(f"duplicate key '{entry.key}' in '{what}'", i)
        seen.add(entry.key)


class Question(ContentModel):
    not_a_mapping = "each question must be a mapping with key, type and text"

    key: Key
    type: Annotated[Literal[QUESTION_TYPES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                    Says(f"'type' must be one of {', '.join(QUESTION_TYPES)}")]
    text: Text
    help: Text | None = None
    required: Flag = False
    options: Annotated[list[Option], Len(2, MAX_OPTIONS),  # type: ignore[valid-type]
                       Says(f"'options' must list from 2 to {MAX_OPTIONS} options")] | None = None
    max_choices: Annotated[int, Says("'max_choices' must be a whole number from 1 to the number of options")] | None \
        = None
    rows: Annotated[list[Row], Says("'rows' must be a non-empty list")] | None = None  # type: ignore[valid-type]
    scale: Annotated[Literal[SCALES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                     Says(f"'scale' must be one of {', '.join(SCALES)}")] = "scale5"
    labels: Annotated[list[Stripped], Says("'labels' must list five labels, from 1 to 5")] | None = None
    na: Annotated[Literal[True] | str, Says("'na' must be true or the label of a 'does not apply' answer")] = ""
    retrospective: Flag = False
    competencies: Flag = False
    max_length: Annotated[int, Interval(ge=1, le=TEXT_LIMIT),
                          Says(f"'max_length' must be a whole number from 1 to {TEXT_LIMIT}")] = TEXT_LIMIT

    @model_validator(mode="before")
    @classmethod
    def _keys_of_the_type(cls, data: Any) -> Any:
        kind = data.get("type") if isinstance(data, dict) else None
        if isinstance(kind, str) and kind in TYPE_KEYS:
            for key in data:
                if key in cls.model_fields and key not in {"key", "type", "text", "help", "required", *TYPE_KEYS[kind]}:
                    raise invalid(f"'{key}' does not apply to a question of type {kind}", key)
        return data

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list) -> list:
        _unique(options, "options")
        return options

    @field_validator("rows")
    @classmethod
    def _unique_rows(cls, rows: list) -> list:
        if not rows:
            raise invalid("'rows' must be a non-empty list")
        _unique(rows, "rows")
        return rows

    @field_validator("labels")
    @classmethod
    def _five_labels(cls, labels: list) -> list:
        if len(labels) != 5:
            raise invalid("'labels' must list five labels, from 1 to 5")
        return labels

    @model_validator(mode="after")
    def _complete_for_its_type(self, info: ValidationInfo) -> Question:
        if self.type in ("single", "multiple") and self.options is None:
            raise invalid(f"'options' must list from 2 to {MAX_OPTIONS} options", "options")
        if self.type == "multiple" and self.max_choices is not None and \
                not 1 <= self.max_choices <= len(self.options or []):
            raise invalid(f"'max_choices' must be a whole number from 1 to {len(self.options or [])}", "max_choices")
        if self.type == "matrix" and self.rows is None:
            raise invalid("'rows' must be a non-empty list", "rows")
        codes = (info.context or {}).get("codes")
        if self.type == "matrix" and self.competencies and codes is not None:
            unknown = [row.key for row in self.rows or [] if row.key not in codes]  # type: ignore[attr-defined]  # Row and Option are built at run time
            if unknown:
                raise invalid(f"unknown competency '{unknown[0]}' (known: {', '.join(sorted(codes))})", "rows")
        return self

    def stored(self) -> dict[str, Any]:
        q: dict[str, Any] = {"key": self.key, "type": self.type, "text": self.text, "help": self.help or "",
                             "required": self.required}
        if self.type in ("single", "multiple"):
            q["options"] = [{"key": o.key, "text": o.text} for o in self.options or []]  # type: ignore[attr-defined]  # Row and Option are built at run time
            if self.type == "multiple":
                q["max_choices"] = self.max_choices or len(q["options"])
        if self.type == "text":
            q["max_length"] = self.max_length
        if self.type in SCALES or self.type == "matrix":
            q["scale"] = self.type if self.type in SCALES else self.scale
            q["labels"] = list(self.labels or [])
            q["na"] = "Does not apply / don't know" if self.na is True else self.na.strip()
        if self.type == "matrix":
            q["rows"] = [{"key": r.key, "text": r.text} for r in self.rows or []]  # type: ignore[attr-defined]  # Row and Option are built at run time
            q["retrospective"], q["competencies"] = self.retrospective, self.competencies
        return q


class Section(ContentModel):
    not_a_mapping = "each section must be a mapping with key, title and questions"

    key: Key
    title: Text
    intro: Text | None = None
    questions: Annotated[list[Question], MinLen(1), Says("'questions' must be a non-empty list")]


class Instrument(ContentModel):
    not_a_mapping = "an instrument must be a mapping with 'title' and 'sections'"

    title: Text
    intro: Text | None = None
    family: Annotated[str, StringConstraints(pattern=SLUG_RE.pattern),
                      Says("'family' must be a slug (lower-case letters, digits and hyphens)")] | None = None
    phase: Annotated[Literal[PHASES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                     Says(f"'phase' must be one of {', '.join(PHASES)}")] = "before"
    anonymous: Flag = True
    min_group: Annotated[int, Interval(ge=LOWEST_MIN_GROUP, le=HIGHEST_MIN_GROUP),
                         Says(f"'min_group' must be a whole number from {LOWEST_MIN_GROUP} to {HIGHEST_MIN_GROUP}: "
                              f"with fewer than {LOWEST_MIN_GROUP} answers a figure would single out a person")] \
        = DEFAULT_MIN_GROUP
    opens: Annotated[dict[str, Any], Says(DATE_RULE)]
    closes: Annotated[dict[str, Any], Says(DATE_RULE)]
    sections: Annotated[list[Section], MinLen(1), Says("'sections' must be a non-empty list")]

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _date_rule(cls, value: Any, info: ValidationInfo) -> dict[str, Any]:
        key = info.field_name
        if not isinstance(value, dict) or len(value) != 1:
            raise invalid(DATE_RULE.replace("{key}", str(key)))
        (anchor, days), = value.items()
        if anchor not in DATE_ANCHORS:
            raise invalid(f"'{key}' must use after_start_days or after_end_days, not '{anchor}'")
        if isinstance(days, bool) or not isinstance(days, int) or abs(days) > 730:
            raise invalid(f"'{key}' days must be a whole number from -730 to 730")
        return {"from": "start" if anchor == "after_start_days" else "end", "days": days}

    @model_validator(mode="after")
    def _unique_keys_and_window(self) -> Instrument:
        sections: set[str] = set()
        questions: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.key in sections:
                raise invalid(f"duplicate section key '{section.key}'", ("sections", i))
            sections.add(section.key)
            for j, question in enumerate(section.questions):
                if question.key in questions:
                    raise invalid(f"duplicate question key '{question.key}' (keys are unique in the instrument)",
                                  ("sections", i, "questions", j))
                questions.add(question.key)
        if self.opens["from"] == self.closes["from"] and self.closes["days"] <= self.opens["days"]:
            raise invalid("'closes' must come after 'opens'", "closes")
        return self

    def stored(self, slug: str) -> dict[str, Any]:
        return {"slug": slug, "title": self.title, "intro_md": self.intro or "", "family": self.family or slug,
                "phase": self.phase, "anonymous": self.anonymous,
                "min_group": self.min_group, "opens": self.opens, "closes": self.closes,
                "sections": [{"key": s.key, "title": s.title, "intro_md": s.intro or "",
                              "questions": [q.stored() for q in s.questions]} for s in self.sections]}


def _line_of(text: str, key: str, after: int = 0) -> int:
    """The line of `key: <key>` (a question or row key) at or after line `after`."""
    pattern = re.compile(rf"^\s*(?:-\s*)?\{{?\s*key:\s*[\"']?{re.escape(key)}[\"']?(?=[\s,}}]|$)")
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and pattern.match(line):
            return number
    return after or 1


def _check_family(instrument: dict[str, Any], root: Path, text: str, shown: str) -> None:
    """Instruments of one family must ask the same competency items, or before/interim/final
    answers could not be compared. Broken siblings are skipped: their own activity reports them."""
    mine = competency_matrix(instrument)
    if mine is None:
        return
    matrix_line = _line_of(text, mine["key"])
    for path in sorted((root / "instruments").glob("*.yaml")):
        slug = path.stem
        if slug == instrument["slug"]:
            continue
        try:
            other = load_instrument(path.read_text(encoding="utf-8"), f"{root.name}/instruments/{path.name}", slug)
        except (ConfigError, OSError):
            continue
        if other["family"] != instrument["family"]:
            continue
        theirs = competency_matrix(other)
        if theirs is None:
            raise ConfigError(f"'{other['slug']}' is in family '{instrument['family']}' but asks no competency "
                              f"items; every instrument of a family must ask the same ones", f"{shown}:{matrix_line}")
        if (mine["key"], mine["scale"], mine["labels"]) != (theirs["key"], theirs["scale"], theirs["labels"]):
            raise ConfigError(f"the competency items' key, scale and labels differ from instruments/{path.name} "
                              f"(same family '{instrument['family']}')", f"{shown}:{matrix_line}")
        if mine["rows"] != theirs["rows"]:
            differing = next((m for m, t in zip(mine["rows"], theirs["rows"], strict=False) if m != t), None)
            line = _line_of(text, differing["key"], matrix_line) if differing else matrix_line
            raise ConfigError(f"the competency items differ from instruments/{path.name} (same family "
                              f"'{instrument['family']}'): the rows must be the same, word for word, so answers "
                              f"can be compared", f"{shown}:{line}")


def competency_matrix(instrument: dict[str, Any]) -> dict[str, Any] | None:
    """The instrument's (non-retrospective) competency matrix: the items compared over time."""
    return next((q for q in questions(instrument)
                 if q["type"] == "matrix" and q.get("competencies") and not q.get("retrospective")), None)


def retrospective_matrix(instrument: dict[str, Any]) -> dict[str, Any] | None:
    return next((q for q in questions(instrument)
                 if q["type"] == "matrix" and q.get("competencies") and q.get("retrospective")), None)


def questions(instrument: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for section in instrument["sections"] for q in section["questions"]]
