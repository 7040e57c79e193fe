"""The activity-type registry.

Activity types (reading, assignment, journal, evaluation, ...) are packages under `modules/`,
each exposing a module-level `plugin` object that subclasses `ActivityPlugin`. The core finds
them through the `LIFE_PLUGINS` allow-list in config and never imports one by name: a stored
`Activity.type` string is resolved here to the plugin that owns it (type dispatch, as Indico and
CTFd do it). A wrong plugin stops start-up with `PluginError`, never a half-loaded app.

Planned types. Content may use a type whose plugin has not landed yet if the type is listed in
`LIFE_PLANNED_ACTIVITY_TYPES` (config.py). `flask content check` accepts such activities without
validating their settings; the importer stores them, and trainees see them as "coming soon": they
cannot be completed and credit no hours until the plugin is registered (and the content imported
again, which then validates their settings). Remove a type from that list when its plugin lands.
A type that is neither registered nor planned is an error.
"""
from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, Flask, current_app

if TYPE_CHECKING:
    from .content.schema import ContentModel
    from .models import Activity, Cohort, ProgrammeRun, User

M = TypeVar("M", bound="ContentModel")

EXTENSION_KEY = "life_plugins"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message says which and why."""


class ConfigError(ValueError):
    """An activity's settings in a content file are wrong. `where` is 'file:line'."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.plain = message


@dataclass(frozen=True)
class ContentContext:
    """What `validate_config` may look at besides the raw settings, handed over by the content
    importer (app/content/). A plugin reads files through it, so paths are resolved in one way
    everywhere and every message carries the right file:line:

        body = context.read_text(raw["body"], "body")     # a Markdown file beside module.yaml
        slug = context.resource_slug("resources/x.md", "resources")

    Paths are relative to `base_dir`: the module's folder for the common programme, the variant's
    folder (content/variants/<cc>/) for a national variant's activities. A path may not leave the
    content folder."""

    #: The content folder being checked or imported.
    root: Path
    #: The folder the activity is declared in; relative paths in its settings start here.
    base_dir: Path
    #: The YAML file as shown in messages, e.g. "content/modules/02-x/module.yaml".
    file: str
    #: Line of the `settings:` key (or of the activity when it has none).
    line: int
    #: Line of each key inside `settings:`.
    key_lines: Mapping[str, int] = field(default_factory=dict)
    #: Resource files declared under some module's `resources:` (resolved path -> resource slug).
    resources: Mapping[Path, str] = field(default_factory=dict)

    def where(self, key: str | None = None) -> str:
        """'file:line' of a settings key, or of `settings:` itself."""
        return f"{self.file}:{self.key_lines.get(key, self.line) if key else self.line}"

    def check(self, model: type[M], raw: Any, **facts: Any) -> M:
        """`raw` settings validated against a pydantic model (app/content/schema.py), or
        ConfigError at the line of the key at fault; `facts` reach the model's validators as
        `info.context` (the context itself is there as "content")."""
        from .content.schema import check  # app.content imports this module
        return check(model, raw, self.file, self.line, self.key_lines, {"content": self, **facts})

    def path(self, relative: Any, key: str) -> Path:
        """The existing file `relative` names, or ConfigError at the key's line."""
        if not isinstance(relative, str) or not relative.strip():
            raise ConfigError(f"'{key}' must be a file path", self.where(key))
        resolved = (self.base_dir / relative).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise ConfigError(f"'{relative}' points outside the content folder", self.where(key))
        if not resolved.is_file():
            raise ConfigError(f"file not found: {relative}", self.where(key))
        return resolved

    def read_text(self, relative: Any, key: str) -> str:
        return self.path(relative, key).read_text(encoding="utf-8")

    def resource_slug(self, relative: Any, key: str) -> str:
        """The slug of a resource file declared in a module's `resources:` list."""
        resolved = self.path(relative, key)
        if resolved not in self.resources:
            raise ConfigError(f"'{relative}' is not listed under any module's 'resources:'", self.where(key))
        return self.resources[resolved]


@dataclass
class DashboardItem:
    """One line a plugin contributes to a dashboard: '4 submissions await feedback'."""
    label: str
    count: int
    url: str | None = None
    attention: bool = False


@dataclass
class WaitingWork:
    """Work handed in that still waits for released feedback (what and since when, never the text)."""
    cohort_id: int
    activity_title: str
    trainee_name: str
    submitted_at: datetime


@dataclass
class ResponseRate:
    """How many of a cohort's trainees answered one questionnaire (never what)."""
    cohort_id: int
    activity_title: str
    answered: int
    expected: int


@dataclass(frozen=True)
class Turnaround:
    """Feedback released in a cohort and its days from hand-in to release: nearest-rank median
    and 90th percentile, one decimal (None without feedback)."""
    count: int = 0
    median_days: float | None = None
    p90_days: float | None = None


def nearest_rank(ordered: Sequence[float], p: int) -> float:
    """The nearest-rank `p`th percentile of `ordered` (sorted, not empty): the median of
    [1, 2, 3, 10] is 2. The same value as SQL's percentile_disc(p / 100)."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def round_days(days: float) -> float:
    return round(days, 1)


def turnaround_of(days: list[float]) -> Turnaround:
    """The summary of a cohort's days from hand-in to released feedback."""
    if not days:
        return Turnaround()
    ordered = sorted(days)
    return Turnaround(len(ordered), round_days(nearest_rank(ordered, 50)), round_days(nearest_rank(ordered, 90)))


@dataclass
class ProgrammeStats:
    """What a plugin contributes to the programme dashboard (app/services/dashboard.py)."""
    #: Days from hand-in to released feedback, per cohort id (the dashboard summarises them).
    turnaround_days: dict[int, list[float]] = field(default_factory=dict)
    #: Or already summarised (percentiles computed in the database), per cohort id: for a plugin
    #: that is the only source of its cohorts' turnaround (a summary cannot be merged with
    #: another; a cohort with `turnaround_days` from any plugin is summarised from those).
    turnaround: dict[int, Turnaround] = field(default_factory=dict)
    #: The work waiting longest for feedback, oldest first (a few per cohort at most).
    waiting: list[WaitingWork] = field(default_factory=list)
    #: Handed-in work without released feedback, per cohort id.
    waiting_count: dict[int, int] = field(default_factory=dict)
    response_rates: list[ResponseRate] = field(default_factory=list)


@dataclass
class ReportTable:
    """A table a plugin adds to the programme report (app/services/report.py): aggregates only,
    already under the plugin's own small-group rule, as text ready to print."""
    title: str
    header: list[str]
    rows: list[list[str]]
    #: Shown under the table: what was left out and why.
    note: str = ""


@dataclass
class NavLink:
    """A link a plugin adds to the main navigation or to a cohort's page. `prefix`: the paths
    on which a main-navigation link is marked current (default: the link's own path)."""
    label: Any
    url: str
    prefix: str | None = None


@dataclass
class CompetencyEvidence:
    """A facilitator's released rating of one rubric criterion on a trainee's work: evidence for
    one competency element on the competency profile (app/services/competency_profile.py)."""
    code: str
    level: int
    out_of: int
    level_name: str
    descriptor: str
    criterion: str
    #: Whether the level reaches the rubric's `meets` level (the outcome counts as shown).
    meets: bool
    activity_title: str
    activity_slug: str
    version: int
    released_at: datetime | None
    #: The work as its trainee opens it, and as the staff who may read it open it.
    own_url: str
    staff_url: str


@dataclass
class CompetencyLevelCount:
    """How many released rubric ratings of one level a country's trainees received on one
    competency element: counts only, the core applies the small-group rule."""
    country_id: int
    code: str
    level: int
    count: int


@dataclass
class SelfRating:
    """A trainee's own rating of one competency element in one self-assessment (start,
    half-way, end, or looking back)."""
    code: str
    phase: str
    value: int | None
    #: The top of the scale the rating was given on.
    high: int
    #: Where the trainee reads all their answers.
    url: str | None = None


@dataclass
class RecordValues:
    """The trainee's record of the run (their micro-innovation), as a plugin that keeps one offers
    it to the hand-ins that repeat its story: where it is, and its fields as plain text by name
    (`record_fields`). `values` is empty while the trainee has not started the record."""
    #: "My micro-innovation": what a hand-in says it belongs to.
    label: Any
    url: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class TimelineEvent:
    """Something that happened to a trainee's work, for the timeline of their record: "handed in
    (version 2)", "feedback released". Dates and titles only, never the work's text."""
    on: datetime
    kind: str
    title: str
    text: str = ""
    #: The work as the reader of the timeline may open it (None: not for them).
    url: str | None = None


@dataclass
class AttachedWork:
    """A hand-in that belongs to the trainee's record (a plan, a report, a presentation)."""
    title: str
    #: "not_started" | "draft" | "handed_in" (waiting for feedback) | "feedback" (feedback released).
    status: str
    url: str | None = None
    handed_in_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class PersonalData:
    """One table's personal data, declared as Moodle's privacy API does: the columns that tie a row
    to a user (foreign keys to `user`) and the columns of free text or JSON that may hold personal
    data (what someone typed, a name copied in), how they reach the user's data download
    (`export`) and what erasure does to them (`erase`). `retention` names the setting or rule
    that says how long rows stay. tests/test_personal_data.py walks every table of the metadata and
    fails on a user column or text column declared nowhere."""

    table: str
    user_columns: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    export: str = ""
    erase: str = ""
    retention: str = ""


@dataclass(frozen=True)
class NotPersonal:
    """Columns (all of the table's with "*") that hold no one's personal data, with the reason."""

    table: str
    columns: tuple[str, ...]
    reason: str


@dataclass
class ActivityPlugin:
    """The interface every activity type implements. Override what the type needs; the defaults
    describe an activity with no settings, completed by the trainee marking it done."""

    #: Stored in Activity.type and used as the blueprint name and table prefix.
    name: str = ""
    #: Shown to users; a lazy_gettext string so it is translated.
    label: Any = ""
    blueprint: Blueprint | None = None
    #: Model classes the plugin owns (imported so Alembic sees their tables).
    models: tuple[type, ...] = field(default_factory=tuple)
    #: Notification kinds that speak about someone else's confidential matter (a trainee's flag
    #: sent to a supervisor): left out of the recipient's data download.
    confidential_notification_kinds: tuple[str, ...] = ()
    #: Notification kinds that are safety notices (a trainee's flag to a supervisor): always
    #: e-mailed at once, whatever the recipient's preferences, and without an unsubscribe link.
    safety_notification_kinds: tuple[str, ...] = ()
    #: Every table and column of the plugin's models that holds a user's data (PersonalData) or,
    #: with a reason, does not (NotPersonal).
    personal_data: tuple[PersonalData | NotPersonal, ...] = ()

    def init_app(self, app: Flask) -> None:
        """Called once at start-up after the blueprint is registered (CLI commands, signals)."""

    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        """Check an activity's `settings:` from content and return the normalised settings, which
        the importer stores in Activity.settings (JSON). Declare the settings as a pydantic model
        (a `ContentModel`, app/content/schema.py) and validate them with `context.check(Model,
        raw)`: a mistake becomes ConfigError at the key's file:line. For checks of your own,
        raise ConfigError(message, context.where(key)). `context` also reads the files beside
        the module and knows the declared resources. Each plugin validates its own settings: the
        importer checks the type name and dispatches, nothing more (docs/plugins.md)."""
        if raw:
            raise ConfigError(f"activity type '{self.name}' takes no settings", context.where())
        return {}

    def hours(self, activity: Activity) -> Decimal:
        """The hours a completed activity credits toward the programme total."""
        return Decimal(activity.hours)

    def activity_url(self, activity: Activity) -> str | None:
        """Where a trainee opens the activity."""
        return None

    def due_dates(self, user: User, activity_ids: list[int]) -> dict[int, date]:
        """Due dates that replace the content's due rule for this trainee (an extension a
        facilitator granted), by activity id; one query at most. Called by the programme service
        for the trainee's activities of this type."""
        return {}

    def due_dates_for(self, users: list[User], trainee_cohorts: Mapping[int, list[int]],
                      activity_ids: list[int]) -> dict[tuple[int, int], date]:
        """`due_dates` for many trainees at once, by (user id, activity id): the cohort progress
        grid and the programme dashboard call it once per page. `trainee_cohorts`: each user's
        trainee cohort ids in the run. Override it with one query; this default asks
        `due_dates` once per user."""
        found: dict[tuple[int, int], date] = {}
        for user in users:
            found.update({(user.id, aid): due for aid, due in self.due_dates(user, activity_ids).items()})
        return found

    def closing_dates(self, run: ProgrammeRun, activities: list[Activity]) -> dict[int, date]:
        """The last day each of these activities (of this type) can still be done in `run`, by
        id, for those that close (a questionnaire's window). After it an activity not done is
        "missed": no longer overdue, no longer the trainee's next deadline. No queries."""
        return {}

    def work_counts(self, activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
        """How many pieces of trainees' work (hand-ins, answers) this type keeps for these
        activities, by the trainees `user_ids` or owned by the cohorts `cohort_ids`, by activity
        id; one query. A content update that would remove an activity with work in a running
        run is refused (docs/content-versions.md). Completions are counted by the core."""
        return {}

    def programme_stats(self, cohorts: list[Cohort]) -> ProgrammeStats:
        """Figures this type adds to the programme dashboard for the cohorts (one run): feedback
        turnaround, response rates. Counts and dates only, never anyone's writing or answers;
        a bounded number of queries, whatever the cohorts' size."""
        return ProgrammeStats()

    def programme_report(self, run: ProgrammeRun, cohorts: list[Cohort]) -> list[ReportTable]:
        """Tables this type adds to the programme report of the run for the cohorts (the
        evaluation's summary): aggregates only, never one person's answer or writing, under the
        type's small-group rule; a bounded number of queries, whatever the cohorts' size."""
        return []

    def dashboard_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        """What this type shows on a user's home page for the given cohorts (a bounded number of
        queries, whatever the cohort size)."""
        return []

    def digest_items(self, user: User, cohorts: list[Cohort]) -> list[DashboardItem]:
        """What this type puts in a staff member's digest e-mail (`flask notify digest`) for the
        cohorts they facilitate (daily) or coordinate (weekly): work waiting for their feedback,
        flags waiting for them. Only lines with something to do; `url` a path on the site. A
        bounded number of queries, whatever the number of items."""
        return []

    def nav_links(self, user: User) -> list[NavLink]:
        """Links in the main navigation for `user` (pages of the type that are not reached
        through one activity, such as a journal). Runs on every page: one query at most."""
        return []

    def cohort_links(self, user: User, cohort: Cohort) -> list[NavLink]:
        """Links on a cohort's page (the coordinators' and the admins') to this type's pages
        about the cohort that `user` may open."""
        return []

    def competency_evidence(self, user: User) -> list[CompetencyEvidence]:
        """Released evidence on the trainee's competency elements from this type (rubric ratings
        of released feedback), oldest first; a bounded number of queries. Never anything the
        trainee cannot see yet."""
        return []

    def competency_level_counts(self, cohorts: list[Cohort]) -> list[CompetencyLevelCount]:
        """Released evidence of the cohorts' trainees counted by country, element and level: counts
        only, a bounded number of queries whatever the cohorts' size."""
        return []

    def competency_self_ratings(self, user: User, own: bool) -> list[SelfRating]:
        """The trainee's own self-ratings of the competency elements. `own`: the trainee asks
        (anonymous answers may be found for them, as the evaluation's threat model allows);
        otherwise only answers to questionnaires that name their author. A bounded number of
        queries."""
        return []

    # --- the trainee's record (a micro-innovation) and the hand-ins attached to it -----------
    # A plugin that keeps a per-run record offers its fields (`record_fields`, `record_values`);
    # a plugin whose work belongs to that record lists it (`attached_work`) and puts its events
    # on the record's timeline (`timeline_events`). Neither imports the other: the core's
    # registry() asks every plugin (docs/plugins.md, "The trainee's record").

    def record_fields(self) -> Mapping[str, str]:
        """The fields of the record this type keeps that other types may start from, name ->
        what it holds (for messages: the content checker names them on a wrong `from_record`).
        No queries."""
        return {}

    def record_values(self, user: User, run: ProgrammeRun) -> RecordValues | None:
        """The trainee's record in `run` as plain text by field name (`record_fields`), or None
        if this type keeps no record. A bounded number of queries, memoised per request by the
        plugin if a page asks twice."""
        return None

    def record_update(self, user: User, run: ProgrammeRun, name: str, value: str) -> NavLink | None:
        """After a hand-in: the trainee's work says `value` for the record's field `name` (the
        template field that starts from it). A link that offers to bring the record up to date
        (a later stage), or None when the record has nothing to take from it. The trainee's own
        page asks it; the record is not changed by asking. No more queries than record_values."""
        return None

    def attached_work(self, owner: User, run: ProgrammeRun, viewer: User) -> list[AttachedWork]:
        """The owner's work of this type in `run` that belongs to their record, in programme
        order, with links as `viewer` may open them. Only called for someone who may read the
        record's private parts (the owner, their facilitators). A bounded number of queries."""
        return []

    def timeline_events(self, owner: User, run: ProgrammeRun, viewer: User) -> list[TimelineEvent]:
        """Events of the owner's work in `run` for the record's timeline (handed in, feedback
        released), in any order: the record sorts them with its own. As `attached_work`: who may
        be asked, and a bounded number of queries."""
        return []

    def seed_demo(self, run: ProgrammeRun, today: date) -> None:
        """Records of this type for the demo run (`flask demo load`), so its pages show
        something: work handed in, say. Called once, when the demo's progress is first seeded,
        inside a request context; the caller commits."""

    def export_user_data(self, user: User) -> dict[str, Any]:
        """Everything this type stores about the user, for the privacy export."""
        return {}

    def export_user_files(self, user: User) -> list[tuple[str, Path]]:
        """The uploaded files of the user's data download: (name inside the zip's files/<type>/
        folder, path on disk); files no longer on disk are left out."""
        return []

    def purge_run_data(self, run: ProgrammeRun, today: date) -> dict[str, int]:
        """Delete what this type keeps for the run's cohorts once its retention period is over
        (app/services/retention.py), and say how many of what; raise retention.RetentionError
        when it is too early. Selected by the run's cohorts, never by trainee and date."""
        return {}

    def erase_user_data(self, user: User) -> None:
        """Remove the user's personal data this type owns; keep anonymous aggregates."""


class PluginRegistry:
    def __init__(self) -> None:
        self._plugins: dict[str, ActivityPlugin] = {}

    def add(self, plugin: object, source: str) -> None:
        if not isinstance(plugin, ActivityPlugin):
            raise PluginError(f"{source}: `plugin` must be an ActivityPlugin, got {type(plugin).__name__}")
        if not _NAME_RE.match(plugin.name or ""):
            raise PluginError(f"{source}: plugin name {plugin.name!r} must match {_NAME_RE.pattern}")
        if plugin.name in self._plugins:
            raise PluginError(f"{source}: duplicate plugin name '{plugin.name}' (already registered)")
        if plugin.blueprint is not None and plugin.blueprint.name != plugin.name:
            raise PluginError(f"{source}: blueprint is named '{plugin.blueprint.name}', "
                              f"it must be named like the plugin, '{plugin.name}'")
        self._plugins[plugin.name] = plugin

    def get(self, name: str) -> ActivityPlugin | None:
        return self._plugins.get(name)

    def __getitem__(self, name: str) -> ActivityPlugin:
        return self._plugins[name]

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[ActivityPlugin]:
        return iter(self._plugins.values())

    def names(self) -> list[str]:
        return list(self._plugins)


def _import_plugin(path: str) -> object:
    """The module's `plugin` object, whatever it is: `PluginRegistry.add` checks it."""
    try:
        module = importlib.import_module(path)
    except Exception as exc:  # any failure in a plugin must stop start-up with its name
        raise PluginError(f"plugin '{path}' failed to import: {type(exc).__name__}: {exc}") from exc
    plugin = getattr(module, "plugin", None)
    if plugin is None:
        raise PluginError(f"plugin '{path}' has no module-level `plugin` object")
    return plugin


def load_plugins(app: Flask) -> PluginRegistry:
    """Import every plugin on the allow-list, register its blueprint under /a/<name>/ and keep
    the registry in app.extensions."""
    registry = PluginRegistry()
    for path in app.config["LIFE_PLUGINS"]:
        registry.add(_import_plugin(path), path)
    for plugin in registry:
        if plugin.blueprint is not None:
            app.register_blueprint(plugin.blueprint, url_prefix=f"/a/{plugin.name}")
        plugin.init_app(app)
    app.extensions[EXTENSION_KEY] = registry
    return registry


def registry() -> PluginRegistry:
    plugins: PluginRegistry = current_app.extensions[EXTENSION_KEY]
    return plugins


def planned_types() -> list[str]:
    """Activity types content may already use although no plugin is registered for them."""
    return [name for name in current_app.config.get("LIFE_PLANNED_ACTIVITY_TYPES", []) if name not in registry()]
