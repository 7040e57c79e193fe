"""Questionnaires as content files: `content/instruments/<slug>.yaml`, named by an evaluation
activity's `settings: {instrument: <slug>}`. content/README.md ("Evaluation instruments")
documents the format; in short:

    title: Competency self-assessment (starting point)
    intro: Markdown shown above the questions
    family: self-assessment      # instruments whose answers are linked per trainee (same code)
    phase: before                # before | interim | final: the order in comparisons
    anonymous: true              # false: answers are stored with the trainee's name
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
from typing import Any

import yaml

from app.content.loader import Problem, parse_yaml
from app.plugins import ConfigError, ContentContext, SettingsReader

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ROW_KEY_RE = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$")
QUESTION_TYPES = ("scale5", "agreement5", "single", "multiple", "text", "matrix")
SCALES = ("scale5", "agreement5")
PHASES = ("before", "interim", "final")
DATE_ANCHORS = ("after_start_days", "after_end_days")
TOP_KEYS = ("title", "intro", "family", "phase", "anonymous", "opens", "closes", "sections")
SECTION_KEYS = ("key", "title", "intro", "questions")
QUESTION_KEYS = ("key", "type", "text", "help", "required", "options", "max_choices", "rows", "scale",
                 "labels", "na", "retrospective", "competencies", "max_length")
TEXT_LIMIT = 5000
MAX_OPTIONS = 30


def instrument_path(root: Path, slug: str) -> Path:
    return root / "instruments" / f"{slug}.yaml"


def validate_settings(raw: dict[str, Any], where: str, context: ContentContext | None) -> dict[str, Any]:
    """An evaluation activity's settings: `{instrument: <slug>}` -> `{"instrument": {...}}`."""
    def at(key: str | None = None) -> str:
        return context.where(key) if context else where

    if not isinstance(raw, dict):
        raise ConfigError("'settings' must be a mapping", where)
    for key in raw:
        if key != "instrument":
            raise ConfigError(f"unknown setting '{key}' (known: instrument)", at(key))
    slug = raw.get("instrument")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ConfigError("'instrument' must name a file in content/instruments/ (a slug)", at("instrument"))
    if context is None:
        raise ConfigError("an instrument can only be read from the content folder", at("instrument"))
    path = instrument_path(context.root, slug)
    if not path.is_file():
        raise ConfigError(f"instrument not found: instruments/{slug}.yaml", at("instrument"))
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
    if not isinstance(data, dict):
        raise ConfigError("an instrument must be a mapping with 'title' and 'sections'", f"{shown}:1")
    r = _Reader(shown, data)
    r.only(TOP_KEYS)
    family = r.data.get("family", slug)
    if not isinstance(family, str) or not SLUG_RE.match(family):
        raise ConfigError("'family' must be a slug (lower-case letters, digits and hyphens)", r.where("family"))
    phase = r.data.get("phase", "before")
    if phase not in PHASES:
        raise ConfigError(f"'phase' must be one of {', '.join(PHASES)}", r.where("phase"))
    instrument = {
        "slug": slug, "title": r.text("title", required=True), "intro_md": r.text("intro"),
        "family": family, "phase": phase, "anonymous": r.boolean("anonymous", True),
        "opens": _date_rule(r, "opens"), "closes": _date_rule(r, "closes"),
    }
    sections = r.data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise ConfigError("'sections' must be a non-empty list", r.where("sections"))
    seen_sections: set[str] = set()
    seen_questions: set[str] = set()
    instrument["sections"] = []
    for item, line in zip(sections, sections.item_lines, strict=True):
        section = _section(item, shown, line, seen_questions, competency_codes)
        if section["key"] in seen_sections:
            raise ConfigError(f"duplicate section key '{section['key']}'", f"{shown}:{line}")
        seen_sections.add(section["key"])
        instrument["sections"].append(section)
    _check_window(instrument, r)
    return instrument


def _date_rule(r: _Reader, key: str) -> dict[str, Any]:
    value = r.data.get(key)
    if not isinstance(value, dict) or len(value) != 1:
        raise ConfigError(f"'{key}' must be one of {{after_start_days: N}} or {{after_end_days: N}} "
                          f"(days relative to the run; negative is before)", r.where(key))
    (anchor, days), = value.items()
    if anchor not in DATE_ANCHORS:
        raise ConfigError(f"'{key}' must use after_start_days or after_end_days, not '{anchor}'", r.where(key))
    if isinstance(days, bool) or not isinstance(days, int) or abs(days) > 730:
        raise ConfigError(f"'{key}' days must be a whole number from -730 to 730", r.where(key))
    return {"from": "start" if anchor == "after_start_days" else "end", "days": days}


def _check_window(instrument: dict[str, Any], r: _Reader) -> None:
    opens, closes = instrument["opens"], instrument["closes"]
    if opens["from"] == closes["from"] and closes["days"] <= opens["days"]:
        raise ConfigError("'closes' must come after 'opens'", r.where("closes"))


def _section(item: Any, shown: str, line: int, seen: set[str], codes: set[str] | None) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigError("each section must be a mapping with key, title and questions", f"{shown}:{line}")
    r = _Reader(shown, item)
    r.only(SECTION_KEYS)
    section = {"key": r.key("key"), "title": r.text("title", required=True), "intro_md": r.text("intro")}
    questions = item.get("questions")
    if not isinstance(questions, list) or not questions:
        raise ConfigError("'questions' must be a non-empty list", r.where("questions"))
    section["questions"] = []
    for q_item, q_line in zip(questions, questions.item_lines, strict=True):
        question = _question(q_item, shown, q_line, codes)
        if question["key"] in seen:
            raise ConfigError(f"duplicate question key '{question['key']}' (keys are unique in the instrument)",
                              f"{shown}:{q_line}")
        seen.add(question["key"])
        section["questions"].append(question)
    return section


def _question(item: Any, shown: str, line: int, codes: set[str] | None) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigError("each question must be a mapping with key, type and text", f"{shown}:{line}")
    r = _Reader(shown, item)
    r.only(QUESTION_KEYS)
    kind = item.get("type")
    if kind not in QUESTION_TYPES:
        raise ConfigError(f"'type' must be one of {', '.join(QUESTION_TYPES)}", r.where("type"))
    q: dict[str, Any] = {"key": r.key("key"), "type": kind, "text": r.text("text", required=True),
                         "help": r.text("help"), "required": r.boolean("required", False)}
    allowed = {"key", "type", "text", "help", "required"}
    if kind in ("single", "multiple"):
        q["options"] = _options(r)
        allowed.add("options")
        if kind == "multiple":
            q["max_choices"] = r.integer("max_choices", len(q["options"]), 1, len(q["options"]))
            allowed.add("max_choices")
    if kind == "text":
        q["max_length"] = r.integer("max_length", TEXT_LIMIT, 1, TEXT_LIMIT)
        allowed.add("max_length")
    if kind in SCALES or kind == "matrix":
        scale = kind if kind in SCALES else item.get("scale", "scale5")
        if scale not in SCALES:
            raise ConfigError(f"'scale' must be one of {', '.join(SCALES)}", r.where("scale"))
        q["scale"] = scale
        q["labels"] = _labels(r)
        na = item.get("na", "")
        if na is True:
            na = "Does not apply / don't know"
        if not isinstance(na, str):
            raise ConfigError("'na' must be true or the label of a 'does not apply' answer", r.where("na"))
        q["na"] = na.strip()
        allowed |= {"labels", "na"}
    if kind == "matrix":
        q["rows"] = _rows(r, codes)
        q["retrospective"] = r.boolean("retrospective", False)
        q["competencies"] = r.boolean("competencies", False)
        allowed |= {"scale", "rows", "retrospective", "competencies"}
        if q["competencies"] and codes is not None:
            unknown = [row["key"] for row in q["rows"] if row["key"] not in codes]
            if unknown:
                raise ConfigError(f"unknown competency '{unknown[0]}' (known: {', '.join(sorted(codes))})",
                                  r.where("rows"))
    for key in item:
        if key not in allowed:
            raise ConfigError(f"'{key}' does not apply to a question of type {kind}", r.where(key))
    return q


def _options(r: _Reader) -> list[dict[str, str]]:
    raw = r.data.get("options")
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        raise ConfigError(f"'options' must list from 2 to {MAX_OPTIONS} options", r.where("options"))
    return _keyed_items(raw, r, "options", KEY_RE, "a short lower-case word (a-z, 0-9, _)")


def _rows(r: _Reader, codes: set[str] | None) -> list[dict[str, str]]:
    raw = r.data.get("rows")
    if not isinstance(raw, list) or not raw:
        raise ConfigError("'rows' must be a non-empty list", r.where("rows"))
    return _keyed_items(raw, r, "rows", ROW_KEY_RE, "letters and digits, e.g. C1")


def _keyed_items(raw: list, r: _Reader, what: str, pattern: re.Pattern, rule: str) -> list[dict[str, str]]:
    lines = getattr(raw, "item_lines", [r.line(what)] * len(raw))
    items, seen = [], set()
    for entry, line in zip(raw, lines, strict=True):
        if not isinstance(entry, dict) or set(entry) != {"key", "text"}:
            raise ConfigError(f"each entry of '{what}' must be a mapping with key and text", f"{r.shown}:{line}")
        key, text = entry["key"], entry["text"]
        if not isinstance(key, str) or not pattern.match(key):
            raise ConfigError(f"the key '{key}' in '{what}' must be {rule}", f"{r.shown}:{line}")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"each entry of '{what}' needs a text", f"{r.shown}:{line}")
        if key in seen:
            raise ConfigError(f"duplicate key '{key}' in '{what}'", f"{r.shown}:{line}")
        seen.add(key)
        items.append({"key": key, "text": text.strip()})
    return items


def _labels(r: _Reader) -> list[str]:
    """Custom labels for the five points of a scale; empty: the scale's own (translated) labels."""
    raw = r.data.get("labels")
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) != 5 or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ConfigError("'labels' must list five labels, from 1 to 5", r.where("labels"))
    return [x.strip() for x in raw]


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
            differing = next((m for m, t in zip(mine["rows"], theirs["rows"]) if m != t), None)
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


class _Reader(SettingsReader):
    """The core reader, with the instruments' rule for keys."""

    def key(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not KEY_RE.match(value):
            raise ConfigError(f"'{key}' must be a short lower-case word (a-z, 0-9, single _)", self.where(key))
        return value
