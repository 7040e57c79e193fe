"""Read content/ into plain dataclasses. Every node keeps the file and line it came from, so each
message can say `content/modules/02-x/module.yaml:14: ...`.

The loader checks the shape of each file (YAML syntax, required and unknown keys, value types)
and records a Problem for each fault instead of stopping; cross-references (slugs, codes, hours,
plugin settings) are the validator's job."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..timeutil import DEFAULT_END, DEFAULT_START
from .yaml_errors import describe as describe_yaml_error

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
COMPONENTS = ("national", "transnational")
KNOWLEDGE_KINDS = ("practice-based", "training-education", "research-based")
OUTCOME_KINDS = ("knowledge", "skills", "competence")


# --- locations and problems ----------------------------------------------------------------

@dataclass(frozen=True)
class Loc:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Ref:
    """A code or slug naming something defined elsewhere, with where it was written."""
    value: str
    loc: Loc


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the known name nearest to a mistyped one, or ""."""
    close = difflib.get_close_matches(value, sorted(set(known)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --- YAML with line numbers -----------------------------------------------------------------

class LineDict(dict):
    """A mapping from YAML that remembers its line and the line of each key."""
    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    line_offset = 0

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str, int]] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1 + loader.line_offset
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1 + loader.line_offset
        if not isinstance(key, str | int | float | bool | date) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain word", key_node.start_mark)
        if key in mapping:
            loader.duplicate_keys.append((line, str(key), mapping.key_lines[key]))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1 + loader.line_offset
    items.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _without_sexagesimal_ints() -> None:
    """YAML 1.1 reads `13:00` as the base-60 number 780 (but `09:00` as text): meeting times
    must stay text, so this loader reads d:dd as text, as YAML 1.2 does."""
    int_tag = "tag:yaml.org,2002:int"
    resolvers = {first: [(tag, regexp) for tag, regexp in entries if tag != int_tag]
                 for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    _LineLoader.yaml_implicit_resolvers = resolvers
    _LineLoader.add_implicit_resolver(int_tag, re.compile(r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789"))


_without_sexagesimal_ints()


def parse_yaml(text: str, shown: str, problems: list[Problem], line_offset: int = 0) -> Any:
    """The YAML document in `text`, or None after recording a 'broken YAML' problem."""
    loader = _LineLoader(text)
    loader.line_offset = line_offset
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        fault = describe_yaml_error(exc, text)
        problems.append(Problem(f"{shown}:{fault.line + line_offset}:{fault.column}", f"broken YAML: {fault.message}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(f"{shown}:{1 + line_offset}", f"broken YAML: {exc}"))
        return None
    finally:
        loader.dispose()
    for line, key, first in loader.duplicate_keys:
        problems.append(Problem(f"{shown}:{line}", f"duplicate key '{key}' (first on line {first})"))
    return data


def plain(value: Any) -> Any:
    """LineDict/LineList to dict/list and dates to ISO strings: what a JSON column can hold."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- the tree -------------------------------------------------------------------------------

@dataclass
class CompetencyNode:
    code: str
    title: str
    description: str
    loc: Loc


@dataclass
class EcvetUnitNode:
    code: str
    title: str
    credit_points: Decimal
    learning_outcomes: list[dict[str, str]]
    loc: Loc
    #: The unit's own EQF level, when declared (else the programme's applies).
    eqf_level: int | None = None


@dataclass
class DueRule:
    loc: Loc
    after_start_days: int | None = None
    after_meeting: Ref | None = None
    days: int | None = None

    def as_json(self) -> dict[str, Any]:
        if self.after_meeting is not None:
            return {"after_meeting": self.after_meeting.value, "days": self.days}
        return {"after_start_days": self.after_start_days}


@dataclass
class ActivityNode:
    slug: str
    type: str
    title: str
    hours: Decimal
    required: bool
    due: DueRule | None
    competencies: list[Ref]
    #: The raw `settings:` mapping (with key lines); the plugin validates it.
    settings: LineDict
    settings_line: int
    #: Relative paths in the settings start here (module folder or variant folder).
    base_dir: Path
    loc: Loc
    #: Filled by the validator: the plugin's normalised settings.
    normalised: dict[str, Any] | None = None
    # For a national variant's activity:
    module: Ref | None = None
    country: str | None = None
    replaces: Ref | None = None


@dataclass
class MeetingNode:
    slug: str
    kind: str
    title: str
    hours: Decimal
    after_start_days: int
    duration_days: int
    agenda_md: str
    loc: Loc
    #: Each day's start and end, local time of the cohort's country (09:00-13:00 if not given).
    starts_at: time = DEFAULT_START
    ends_at: time = DEFAULT_END
    #: Set for a national variant's session (variant_format.py).
    place: str = ""
    country: str | None = None


@dataclass
class ResourceNode:
    slug: str
    kind: str
    title: str
    body_md: str
    source: str
    competencies: list[Ref]
    #: An attached file relative to the content folder, or None.
    file: str | None
    path: Path
    loc: Loc
    #: Set for a national variant's resource (variants/<cc>/resources/*.md).
    country: str | None = None


@dataclass
class OutcomeNode:
    text: str
    competencies: list[Ref]
    loc: Loc


@dataclass
class ModuleNode:
    folder: str
    dir: Path
    slug: str
    order: int
    title: str
    component: str
    hours: Decimal
    ecvet_unit: Ref | None
    credit_points: Decimal
    competencies: list[Ref]
    summary_md: str
    learning_outcomes: list[OutcomeNode]
    resources: list[ResourceNode]
    meetings: list[MeetingNode]
    activities: list[ActivityNode]
    loc: Loc
    #: The line of `hours:`, where an hours mismatch is reported.
    hours_loc: Loc | None = None


@dataclass
class RemovalNode:
    module: Ref
    activity: Ref
    loc: Loc


@dataclass
class VariantNode:
    country: str
    folder: str
    add: list[ActivityNode]
    replace: list[ActivityNode]
    remove: list[RemovalNode]
    resources: list[ResourceNode]
    title: str
    #: Markdown for readers: why the country's programme differs (`summary:`, or `notes:`).
    summary_md: str
    loc: Loc
    #: Meetings, module hours and module notes (variant_format.VariantExtras).
    extras: Any = None


@dataclass
class ProgrammeNode:
    slug: str
    title: str
    version: str
    total_hours: Decimal
    duration_months: int
    summary_md: str
    competencies: list[CompetencyNode]
    ecvet_units: list[EcvetUnitNode]
    module_refs: list[Ref]
    loc: Loc
    #: `hours_by_component`: the planned split, e.g. {"national": 100, "transnational": 60}, with
    #: the line of each entry (empty when the key is missing or broken: already a problem).
    component_hours: dict[str, tuple[Decimal, Loc]] = field(default_factory=dict)
    component_hours_loc: Loc | None = None
    total_hours_loc: Loc | None = None
    #: `eqf_level`: the European Qualifications Framework level the credentials declare (1-8).
    eqf_level: int | None = None
    #: `national_hours_band`: (lowest, highest, where) a country's national hours may be.
    national_band: tuple[Decimal, Decimal, Loc] | None = None


@dataclass
class ContentTree:
    root: Path
    programme: ProgrammeNode | None = None
    modules: list[ModuleNode] = field(default_factory=list)
    variants: list[VariantNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Files that are not valid YAML: checks across files wait for them (no follow-on errors).
    unreadable: list[str] = field(default_factory=list)
    #: The translations' overlays (app/content/translations.py), once checked; None before.
    translations: Any = None

    def activities(self) -> list[ActivityNode]:
        """Every activity: the common programme's, then the variants' (added and replacements)."""
        common = [a for m in self.modules for a in m.activities]
        return common + [a for v in self.variants for a in (*v.add, *v.replace)]

    def meetings(self) -> list[MeetingNode]:
        """Every meeting plan: the modules', then the variants' sessions."""
        common = [m for module in self.modules for m in module.meetings]
        return common + [s for v in self.variants if v.extras for c in v.extras.meetings for s in c.sessions]

    def resources(self) -> list[ResourceNode]:
        """The modules' resources (each once, however many modules list it), then the variants'."""
        seen: dict[Path, ResourceNode] = {}
        declared = [r for m in self.modules for r in m.resources] + [r for v in self.variants for r in v.resources]
        for resource in declared:
            seen.setdefault(resource.path, resource)
        return list(seen.values())


# --- reading one mapping --------------------------------------------------------------------

class _Fields:
    """One YAML mapping being read: reports missing and unknown keys and wrong value types."""

    def __init__(self, data: Any, shown: str, problems: list[Problem], what: str,
                 required: tuple[str, ...], optional: tuple[str, ...] = (), line: int = 1):
        self.shown, self.problems, self.what = shown, problems, what
        self.ok = isinstance(data, dict)
        self.data: LineDict = data if self.ok else LineDict()
        self.line = getattr(data, "line", line)
        if not hasattr(self.data, "key_lines"):
            self.data.key_lines = {}
        if not self.ok:
            self.problem(None, f"{what} must be a mapping of keys to values")
            return
        allowed = required + optional
        for key in self.data:
            if key not in allowed:
                self.problem(key, f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in self.data:
                self.problem(None, f"missing key '{key}' in {what}")

    def loc(self, key: str | None = None) -> Loc:
        return Loc(self.shown, self.data.key_lines.get(key, self.line) if key is not None else self.line)

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(str(self.loc(key)), message))

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(key, f"'{key}' must be text")
            return default
        return str(value).strip() if isinstance(value, str) else str(value)

    def slug(self, key: str = "slug") -> str:
        value = self.text(key)
        if key in self.data and value and not SLUG_RE.match(value):
            self.problem(key, f"'{value}' is not a valid slug (lower-case letters, digits and hyphens)")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str = "") -> str:
        value = self.text(key, default)
        if key in self.data and value not in choices:
            self.problem(key, f"{key} '{value}' must be one of: {', '.join(choices)}")
        return value

    def integer(self, key: str, default: int = 0, minimum: int = 0) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"'{key}' must be a whole number")
            return default
        if value < minimum:
            self.problem(key, f"'{key}' must be at least {minimum}")
        return value

    def eqf_level(self) -> int | None:
        """`eqf_level`, when given: a whole number from 1 to 8 (the EQF has eight levels)."""
        if self.data.get("eqf_level") is None:
            return None
        value = self.data["eqf_level"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
            self.problem("eqf_level", "'eqf_level' must be a whole number from 1 to 8 (the EQF's levels)")
            return None
        return value

    def decimal(self, key: str, default: Decimal = Decimal(0)) -> Decimal:
        """Hours or credit points: a number >= 0 with at most two decimals, kept exact."""
        value = self.data.get(key)
        if value is None:
            return default
        try:
            # Quoted numbers ("2") are refused like the README says: they are text in YAML.
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(key, f"'{key}' must be a number")
            return default
        if number < 0 or number != number.quantize(Decimal("0.01")):
            self.problem(key, f"'{key}' must be 0 or more with at most two decimals")
            return default
        return number

    def clock(self, key: str, default: time) -> time:
        """A time of day written HH:MM (09:00, 13:30)."""
        value = self.data.get(key)
        if value is None:
            return default
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip()) if isinstance(value, str) else None
        if match is None:
            self.problem(key, f"'{key}' must be a time of day written HH:MM, for example 09:00")
            return default
        return time(int(match[1]), int(match[2]))

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' must be true or false")
            return default
        return value

    def seq(self, key: str) -> LineList:
        value = self.data.get(key)
        if value is None:
            empty = LineList()
            empty.line, empty.item_lines = self.loc(key).line, []
            return empty
        if not isinstance(value, list):
            self.problem(key, f"'{key}' must be a list")
            empty = LineList()
            empty.line, empty.item_lines = self.loc(key).line, []
            return empty
        return value  # type: ignore[return-value]  # the YAML reader makes every list a LineList

    def refs(self, key: str) -> list[Ref]:
        items = self.seq(key)
        refs = []
        for item, line in zip(items, items.item_lines, strict=True):
            if isinstance(item, str | int) and not isinstance(item, bool):
                refs.append(Ref(str(item), Loc(self.shown, line)))
            else:
                self.problems.append(Problem(f"{self.shown}:{line}", f"each entry of '{key}' must be a code or a path"))
        return refs

    def items(self, key: str) -> list[tuple[Any, int]]:
        items = self.seq(key)
        return list(zip(items, items.item_lines, strict=True))


# --- reading files --------------------------------------------------------------------------

class _Reader:
    def __init__(self, root: Path, problems: list[Problem], unreadable: list[str] | None = None):
        self.root = root
        self.problems = problems
        self.unreadable = [] if unreadable is None else unreadable
        self.resources: dict[Path, ResourceNode] = {}

    def shown(self, path: Path) -> str:
        """How a file is named in messages: from the content folder's own name, e.g.
        content/modules/02-x/module.yaml."""
        try:
            return str(Path(self.root.name) / path.relative_to(self.root))
        except ValueError:
            return str(path)

    def read_text(self, path: Path, where: str | None = None) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if where:
                self.problems.append(Problem(where, f"file not found: {self.shown(path)}"))
            else:
                self.problems.append(Problem(self.shown(path), "file not found"))
        except UnicodeDecodeError:
            self.problems.append(Problem(self.shown(path), "not a UTF-8 text file"))
        except IsADirectoryError:
            self.problems.append(Problem(where or self.shown(path), f"{self.shown(path)} is a folder, not a file"))
        return None

    def load_yaml(self, path: Path, where: str | None = None) -> Any:
        text = self.read_text(path, where)
        if text is None:
            return None
        before = len(self.problems)
        data = parse_yaml(text, self.shown(path), self.problems)
        if data is None and len(self.problems) == before:
            self.problems.append(Problem(f"{self.shown(path)}:1", "the file is empty"))
        elif data is None:
            self.unreadable.append(self.shown(path))
        return data

    def inside(self, base: Path, relative: str, where: Loc) -> Path | None:
        path = (base / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            self.problems.append(Problem(str(where), f"'{relative}' points outside the content folder"))
            return None
        return path

    # programme.yaml

    def programme(self) -> ProgrammeNode | None:
        path = self.root / "programme.yaml"
        data = self.load_yaml(path)
        if data is None:
            return None
        shown = self.shown(path)
        f = _Fields(data, shown, self.problems, "programme",
                    ("slug", "title", "version", "total_hours", "hours_by_component", "competencies", "modules"),
                    ("duration_months", "summary", "ecvet_units", "eqf_level", "national_hours_band"))
        if not f.ok:
            return None
        competencies = []
        for item, line in f.items("competencies"):
            c = _Fields(item, shown, self.problems, "competency", ("code", "title"), ("description",), line)
            if c.ok:
                competencies.append(CompetencyNode(c.text("code"), c.text("title"), c.text("description"), c.loc()))
        units = []
        for item, line in f.items("ecvet_units"):
            u = _Fields(item, shown, self.problems, "ECVET unit", ("code", "title", "credit_points"),
                        ("learning_outcomes", "eqf_level"), line)
            if u.ok:
                units.append(EcvetUnitNode(u.text("code"), u.text("title"), u.decimal("credit_points"),
                                           self._unit_outcomes(u, shown), u.loc(), u.eqf_level()))
        return ProgrammeNode(
            slug=f.slug(), title=f.text("title"), version=f.text("version"), total_hours=f.decimal("total_hours"),
            duration_months=f.integer("duration_months", 12, minimum=1), summary_md=f.text("summary"),
            competencies=competencies, ecvet_units=units, module_refs=f.refs("modules"), loc=f.loc(),
            component_hours=self._component_hours(f, shown), component_hours_loc=f.loc("hours_by_component"),
            total_hours_loc=f.loc("total_hours"), eqf_level=f.eqf_level(),
            national_band=self._band(f))

    def _band(self, programme: _Fields) -> tuple[Decimal, Decimal, Loc] | None:
        """`national_hours_band: [90, 110]`: the national total every country's variant keeps to."""
        if not programme.has("national_hours_band"):
            return None
        values = programme.data["national_hours_band"]
        if (not isinstance(values, list) or len(values) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
                or values[0] > values[1]):
            programme.problem("national_hours_band", "'national_hours_band' must be two numbers, lowest first, "
                                                     "for example [90, 110]")
            return None
        return Decimal(str(values[0])), Decimal(str(values[1])), programme.loc("national_hours_band")

    def _component_hours(self, programme: _Fields, shown: str) -> dict[str, tuple[Decimal, Loc]]:
        if not programme.has("hours_by_component"):
            return {}
        split = _Fields(programme.data["hours_by_component"], shown, self.problems, "hours_by_component",
                        COMPONENTS, (), programme.loc("hours_by_component").line)
        if not split.ok:
            return {}
        return {name: (split.decimal(name), split.loc(name)) for name in COMPONENTS if split.has(name)}

    def _unit_outcomes(self, unit: _Fields, shown: str) -> list[dict[str, str]]:
        outcomes = []
        for item, line in unit.items("learning_outcomes"):
            o = _Fields(item, shown, self.problems, "learning outcome", ("kind", "text"), (), line)
            if o.ok:
                outcomes.append({"kind": o.choice("kind", OUTCOME_KINDS), "text": o.text("text")})
        return outcomes

    # modules/<folder>/module.yaml

    def module(self, ref: Ref) -> ModuleNode | None:
        folder = self.root / "modules" / ref.value
        if not (folder / "module.yaml").is_file():
            folders = [p.parent.name for p in (self.root / "modules").glob("*/module.yaml")]
            self.problems.append(Problem(str(ref.loc), f"module folder '{ref.value}' has no module.yaml "
                                                       f"(expected {self.shown(folder / 'module.yaml')})"
                                                       f"{did_you_mean(ref.value, folders)}"))
            return None
        path = folder / "module.yaml"
        data = self.load_yaml(path)
        if data is None:
            return None
        shown = self.shown(path)
        f = _Fields(data, shown, self.problems, "module",
                    ("slug", "order", "title", "component", "hours", "ecvet_unit", "credit_points"),
                    ("competencies", "summary", "learning_outcomes", "resources", "meetings", "activities"))
        if not f.ok:
            return None
        outcomes = []
        for item, line in f.items("learning_outcomes"):
            o = _Fields(item, shown, self.problems, "learning outcome", ("text",), ("competencies",), line)
            if o.ok:
                outcomes.append(OutcomeNode(o.text("text"), o.refs("competencies"), o.loc()))
        resources = []
        for ref_ in f.refs("resources"):
            resource = self.resource(folder, ref_)
            if resource is not None:
                resources.append(resource)
        meetings = []
        for item, line in f.items("meetings"):
            meeting = self.meeting(item, shown, line)
            if meeting is not None:
                meetings.append(meeting)
        activities = []
        for item, line in f.items("activities"):
            activity = self.activity(item, shown, line, folder)
            if activity is not None:
                activities.append(activity)
        return ModuleNode(
            folder=ref.value, dir=folder, slug=f.slug(), order=f.integer("order"), title=f.text("title"),
            component=f.choice("component", COMPONENTS), hours=f.decimal("hours"),
            ecvet_unit=Ref(f.text("ecvet_unit"), f.loc("ecvet_unit")) if f.has("ecvet_unit") else None,
            credit_points=f.decimal("credit_points"), competencies=f.refs("competencies"),
            summary_md=self.summary(f, folder), learning_outcomes=outcomes, resources=resources,
            meetings=meetings, activities=activities, loc=f.loc(), hours_loc=f.loc("hours"))

    def summary(self, f: _Fields, folder: Path) -> str:
        """`summary:` names a Markdown file beside module.yaml, or is Markdown itself."""
        value = f.text("summary")
        if value.endswith(".md") and "\n" not in value:
            path = self.inside(folder, value, f.loc("summary"))
            return (self.read_text(path, str(f.loc("summary"))) or "") if path else ""
        return value

    def meeting(self, item: Any, shown: str, line: int) -> MeetingNode | None:
        m = _Fields(item, shown, self.problems, "meeting", ("slug", "kind", "title", "hours", "at"),
                    ("duration_days", "agenda", "start", "end"), line)
        if not m.ok:
            return None
        after = 0
        if m.has("at"):
            at = _Fields(m.data["at"], shown, self.problems, "meeting's 'at'", ("after_start_days",), (),
                         m.loc("at").line)
            after = at.integer("after_start_days") if at.ok else 0
        starts_at, ends_at = m.clock("start", DEFAULT_START), m.clock("end", DEFAULT_END)
        if ends_at <= starts_at:
            m.problem("end" if m.has("end") else "start",
                      f"the meeting must end after it starts ({starts_at:%H:%M}-{ends_at:%H:%M})")
        return MeetingNode(slug=m.slug(), kind=m.choice("kind", COMPONENTS), title=m.text("title"),
                           hours=m.decimal("hours"), after_start_days=after,
                           duration_days=m.integer("duration_days", 1, minimum=1), agenda_md=m.text("agenda"),
                           loc=m.loc(), starts_at=starts_at, ends_at=ends_at)

    def activity(self, item: Any, shown: str, line: int, base_dir: Path) -> ActivityNode | None:
        a = _Fields(item, shown, self.problems, "activity", ("slug", "type", "title", "hours"),
                    ("required", "due", "competencies", "settings"), line)
        if not a.ok:
            return None
        settings = a.data.get("settings")
        if settings is None:
            settings = LineDict()
            settings.line, settings.key_lines = a.line, {}
        elif not isinstance(settings, dict):
            a.problem("settings", "'settings' must be a mapping of keys to values")
            settings = LineDict()
            settings.line, settings.key_lines = a.line, {}
        return ActivityNode(
            slug=a.slug(), type=a.text("type"), title=a.text("title"), hours=a.decimal("hours"),
            required=a.boolean("required", True), due=self.due_rule(a, shown), competencies=a.refs("competencies"),
            settings=settings, settings_line=a.loc("settings").line if a.has("settings") else a.line,
            base_dir=base_dir, loc=a.loc())

    def due_rule(self, a: _Fields, shown: str) -> DueRule | None:
        if not a.has("due"):
            return None
        raw = a.data["due"]
        loc = a.loc("due")
        if not isinstance(raw, dict) or not ({"after_start_days"} == set(raw) or {"after_meeting", "days"} == set(raw)):
            self.problems.append(Problem(str(loc), "'due' must be {after_start_days: N} or "
                                                   "{after_meeting: <meeting slug>, days: N}"))
            return None
        d = _Fields(raw, shown, self.problems, "due rule", (), ("after_start_days", "after_meeting", "days"), loc.line)
        if "after_start_days" in raw:
            return DueRule(loc, after_start_days=d.integer("after_start_days"))
        return DueRule(loc, after_meeting=Ref(d.text("after_meeting"), d.loc("after_meeting")),
                       days=d.integer("days"))

    # resources/<name>.md with YAML front matter

    def resource(self, module_dir: Path, ref: Ref) -> ResourceNode | None:
        path = self.inside(module_dir, ref.value, ref.loc)
        if path is None:
            return None
        if path in self.resources:
            return self.resources[path]
        text = self.read_text(path, str(ref.loc))
        if text is None:
            return None
        shown = self.shown(path)
        lines = text.splitlines(keepends=True)
        end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
        if not lines or lines[0].strip() != "---" or end is None:
            self.problems.append(Problem(f"{shown}:1", "a resource starts with front matter: a '---' line, "
                                                       "slug, title, kind, competencies, source, and a closing '---'"))
            return None
        data = parse_yaml("".join(lines[1:end]), shown, self.problems, line_offset=1)
        if data is None:
            self.unreadable.append(shown)
            return None
        f = _Fields(data, shown, self.problems, "resource front matter", ("slug", "title", "kind"),
                    ("competencies", "source", "file"), line=1)
        if not f.ok:
            return None
        file = None
        if f.has("file"):
            attached = self.inside(path.parent, f.text("file"), f.loc("file"))
            if attached is not None and not attached.is_file():
                f.problem("file", f"file not found: {f.text('file')}")
            elif attached is not None:
                file = str(attached.relative_to(self.root.resolve()))
        body = "".join(lines[end + 1:]).strip()
        if not body and file is None:
            self.problems.append(Problem(f"{shown}:1", "a resource needs a Markdown body or a 'file'"))
        resource = ResourceNode(
            slug=f.slug(), kind=f.choice("kind", KNOWLEDGE_KINDS), title=f.text("title"), body_md=body,
            source=f.text("source"), competencies=f.refs("competencies"), file=file, path=path, loc=Loc(shown, 1))
        self.resources[path] = resource
        return resource

    # variants/<cc>/variant.yaml

    def variant(self, folder: Path) -> VariantNode | None:
        path = folder / "variant.yaml"
        if not path.is_file():
            self.problems.append(Problem(self.shown(folder), "a variant folder needs a variant.yaml"))
            return None
        data = self.load_yaml(path)
        if data is None:
            return None
        shown = self.shown(path)
        from .variant_format import KEYS, PROTECTED, read_extras, refuse_protected
        f = _Fields(data, shown, self.problems, "variant", ("country",), (*KEYS, *PROTECTED))
        if not f.ok:
            return None
        refuse_protected(f)
        country = f.text("country").upper()
        if f.has("country") and country != folder.name.upper():
            f.problem("country", f"country '{country}' does not match the folder name '{folder.name}'")
        add = []
        for item, line in f.items("add"):
            e = _Fields(item, shown, self.problems, "variant addition", ("module", "activity"), (), line)
            if e.ok and e.has("activity"):
                activity = self.activity(e.data["activity"], shown, e.loc("activity").line, folder)
                if activity is not None:
                    activity.module = Ref(e.text("module"), e.loc("module"))
                    activity.country = country
                    add.append(activity)
        replace = []
        for item, line in f.items("replace"):
            e = _Fields(item, shown, self.problems, "variant replacement", ("module", "activity", "with"), (), line)
            if e.ok and e.has("with"):
                activity = self.activity(e.data["with"], shown, e.loc("with").line, folder)
                if activity is not None:
                    activity.module = Ref(e.text("module"), e.loc("module"))
                    activity.replaces = Ref(e.text("activity"), e.loc("activity"))
                    activity.country = country
                    replace.append(activity)
        remove = []
        for item, line in f.items("remove"):
            e = _Fields(item, shown, self.problems, "variant removal", ("module", "activity"), (), line)
            if e.ok:
                remove.append(RemovalNode(Ref(e.text("module"), e.loc("module")),
                                          Ref(e.text("activity"), e.loc("activity")), e.loc()))
        resources = []
        # Every Markdown file in the variant's resources/ folder is one of the country's resources.
        for file in sorted(p for p in (folder / "resources").glob("*.md") if not _is_translation(p)):
            resource = self.resource(folder, Ref(f"resources/{file.name}", Loc(self.shown(file), 1)))
            if resource is not None:
                resource.country = country
                resources.append(resource)
        extras = read_extras(f, shown, self.problems)
        for change in extras.meetings:
            for session in change.sessions:
                session.country = country
        return VariantNode(country=country, folder=folder.name, add=add, replace=replace, remove=remove,
                           resources=resources, title=f.text("title"),
                           summary_md=f.text("summary") or f.text("notes"), loc=f.loc(), extras=extras)


def _is_translation(path: Path) -> bool:
    from .translations import is_translation  # translations.py builds on this module
    return is_translation(path)


def load_content(root: Path | str) -> ContentTree:
    """Read every file of the content folder. Problems of shape are in `tree.problems`."""
    root = Path(root)
    tree = ContentTree(root=root)
    if not root.is_dir():
        tree.problems.append(Problem(str(root), "content folder not found"))
        return tree
    reader = _Reader(root, tree.problems, tree.unreadable)
    tree.programme = reader.programme()
    if tree.programme is not None:
        for ref in tree.programme.module_refs:
            module = reader.module(ref)
            if module is not None:
                tree.modules.append(module)
    variants_dir = root / "variants"
    if variants_dir.is_dir():
        for folder in sorted(p for p in variants_dir.iterdir() if p.is_dir()):
            variant = reader.variant(folder)
            if variant is not None:
                tree.variants.append(variant)
    return tree
