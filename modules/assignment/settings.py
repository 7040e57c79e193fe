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
      media: [mp3, m4a, webm, mp4]  # text | files: audio/video may be handed in (true: all four)
      max_media_mb: 20              # with media: per recording (the server's MAX_UPLOAD_MB caps it)
      rubric: family-situation-analysis              # content/rubrics/<slug>.yaml (rubrics.py)
      rubric_rating: optional       # optional (feedback may rate it) | off (guidance only)
      attach_to_record: true        # the hand-in belongs to the trainee's record (their
                                    # micro-innovation): listed there, linked from the task (record.py)

A recording is always handed in with a transcript (the trainee types it beside the player), so a
facilitator who cannot listen, and a screen-reader user, can read it.

A template file, content/templates/<slug>.yaml, declares its fields (types: short_text,
long_text, choice, date, month, scale, rows; `month` takes a month and year, "2026-05"):

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
      - key: stage
        label: Stage
        type: choice
        choices:                      # value: stored with the answer; label: shown, translated
          - {value: emergence, label: Emergence}
          - {value: scaling-up, label: Scaling up}
      - key: family_pseudonym
        label: Family pseudonym
        type: short_text
        from_record: family_pseudonym # starts from the trainee's record (record.py): short_text,
                                      # long_text or choice; never over a draft or a hand-in
      - {key: start, label: Start date, type: date}
      - {key: tried, label: Month first tried, type: month}
      - {key: confidence, label: How confident are you?, type: scale, low_label: Not at all, high_label: Very}
      - key: actions
        label: Actions
        type: rows                    # repeating rows; columns take the other six types
        required: true                # at least min_rows filled rows (default 1 when required)
        min_rows: 1                   # optional
        max_rows: 20                  # optional
        columns:
          - {key: step, label: Step, type: short_text, required: true}
          - {key: when, label: When, type: date}

A choice's options are {value: ..., label: ...} mappings, or plain text (the value shown as its
own label, which a translation then cannot translate).

The normalised settings the importer stores in Activity.settings carry the instructions' Markdown
and the whole template, so pages never read content files at run time."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Interval, MinLen
from flask import has_app_context
from pydantic import StringConstraints, ValidationInfo, field_validator, model_validator

from app.content.loader import Problem, parse_yaml
from app.content.schema import ContentModel, Flag, NamedByItsFile, Says, Stripped, Text, check, invalid
from app.plugins import ConfigError, ContentContext

from .media import MEDIA_TYPES
from .rubrics import RATING_MODES, rubric_settings

SUBMISSION_KINDS = ("text", "files", "template")
COMPLETION_RULES = ("accepted", "submitted")
FIELD_TYPES = ("short_text", "long_text", "choice", "date", "month", "scale", "rows")
COLUMN_TYPES = FIELD_TYPES[:-1]
#: The field types that may start from the trainee's record (`from_record:`).
PREFILLED_TYPES = ("short_text", "long_text", "choice")
#: File types an assignment may accept (checked by extension and by the file's first bytes).
FILE_TYPES = ("pdf", "docx", "odt", "xlsx", "ods", "pptx", "odp", "png", "jpg", "jpeg")
DEFAULT_FILE_TYPES = ["pdf", "docx", "odt"]
DEFAULT_MAX_SIZE_MB = 10
LARGEST_MAX_SIZE_MB = 25
DEFAULT_MAX_FILES = 5
DEFAULT_MAX_MEDIA_MB = 20
#: No task asks for more; the request limit (MAX_UPLOAD_MB) may cap it lower at run time.
LARGEST_MAX_MEDIA_MB = 500
MEDIA_KINDS = ("text", "files")
TEXT_LIMITS = {"short_text": 300, "long_text": 20000}
MAX_ROWS = 50
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
TEMPLATE_SLUG = "'template' must name a template file in content/templates/ (a slug)"


class AssignmentSettings(ContentModel):
    unknown_key = "unknown setting '{key}' (known: {known})"

    instructions: Any = None  # a file path: the context reads it
    submission: Annotated[Literal[SUBMISSION_KINDS],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                          Says(f"'submission' must be one of {', '.join(SUBMISSION_KINDS)}")]
    template: Annotated[str, StringConstraints(pattern=SLUG_RE.pattern), Says(TEMPLATE_SLUG)] | None = None
    allowed_types: Annotated[list[str], MinLen(1), Says("'allowed_types' must be a list of file types")] = \
        DEFAULT_FILE_TYPES
    max_size_mb: Annotated[int | float,
                           Says(f"'max_size_mb' must be a number above 0 and at most {LARGEST_MAX_SIZE_MB}")] = \
        DEFAULT_MAX_SIZE_MB
    max_files: Annotated[int, Interval(ge=1, le=20), Says("'max_files' must be a whole number from 1 to 20")] = \
        DEFAULT_MAX_FILES
    completion: Annotated[Literal[COMPLETION_RULES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                          Says(f"'completion' must be one of {', '.join(COMPLETION_RULES)}")] = "accepted"
    group: Flag = False
    media: Annotated[bool | list[str], Says("'media' must be true, false or a list of mp3, m4a, webm, mp4")] = False
    max_media_mb: Annotated[int | float,
                            Says(f"'max_media_mb' must be a number above 0 and at most {LARGEST_MAX_MEDIA_MB}")] = \
        DEFAULT_MAX_MEDIA_MB

    @field_validator("media")
    @classmethod
    def _media_types(cls, given: bool | list[str]) -> list[str]:
        if isinstance(given, bool):
            return list(MEDIA_TYPES) if given else []
        types = [str(t).lower().lstrip(".") for t in given]
        unknown = [t for t in types if t not in MEDIA_TYPES]
        if unknown or not types:
            raise invalid(f"unsupported media type '{unknown[0] if unknown else ''}' "
                          f"(supported: {', '.join(MEDIA_TYPES)})")
        return list(dict.fromkeys(types))

    @field_validator("max_media_mb")
    @classmethod
    def _media_size(cls, size: float) -> float:
        if not 0 < size <= LARGEST_MAX_MEDIA_MB:
            raise invalid(f"'max_media_mb' must be a number above 0 and at most {LARGEST_MAX_MEDIA_MB}")
        return size
    #: A rubric on the competency elements (content/rubrics/<slug>.yaml, see rubrics.py).
    rubric: Annotated[str, StringConstraints(pattern=SLUG_RE.pattern),
                      Says("'rubric' must name a rubric file in content/rubrics/ (a slug)")] | None = None
    rubric_rating: Annotated[Literal[RATING_MODES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                             Says(f"'rubric_rating' must be one of {', '.join(RATING_MODES)}")] | None = None
    #: The hand-in belongs to the trainee's record (record.py): listed there, linked from the task.
    attach_to_record: Flag = False

    @field_validator("allowed_types")
    @classmethod
    def _supported_types(cls, types: list[str]) -> list[str]:
        types = [t.lower().lstrip(".") for t in types]
        unknown = [t for t in types if t not in FILE_TYPES]
        if unknown and unknown[0] in MEDIA_TYPES:
            raise invalid(f"'{unknown[0]}' is a recording: list it under 'media', not 'allowed_types'")
        if unknown:
            raise invalid(f"unsupported file type '{unknown[0]}' (supported: {', '.join(FILE_TYPES)})")
        return list(dict.fromkeys(types))

    @field_validator("max_size_mb")
    @classmethod
    def _size(cls, size: float) -> float:
        if not 0 < size <= LARGEST_MAX_SIZE_MB:
            raise invalid(f"'max_size_mb' must be a number above 0 and at most {LARGEST_MAX_SIZE_MB}")
        return size

    @model_validator(mode="after")
    def _keys_of_the_submission(self) -> AssignmentSettings:
        given = [k for k in ("allowed_types", "max_size_mb", "max_files") if k in self.model_fields_set]
        if self.submission != "files" and given:
            raise invalid(f"'{given[0]}' only applies to 'submission: files'", given[0])
        if self.submission == "template" and self.template is None:
            raise invalid(TEMPLATE_SLUG, "template")
        if self.submission != "template" and "template" in self.model_fields_set:
            raise invalid("'template' only applies to 'submission: template'", "template")
        if self.media and self.submission not in MEDIA_KINDS:
            raise invalid("'media' only applies to 'submission: text' or 'submission: files'", "media")
        if "max_media_mb" in self.model_fields_set and not self.media:
            raise invalid("'max_media_mb' only applies with 'media'", "max_media_mb")
        return self


def validate_settings(raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
    checked = context.check(AssignmentSettings, raw)
    instructions = "" if checked.instructions is None else context.read_text(checked.instructions, "instructions")
    settings: dict[str, Any] = {"instructions_md": instructions, "submission": checked.submission,
                                "completion": checked.completion, "group": checked.group}
    if checked.attach_to_record:
        settings["attach_to_record"] = True
    if checked.submission == "files":
        settings.update(allowed_types=list(checked.allowed_types), max_size_mb=checked.max_size_mb,
                        max_files=checked.max_files)
    if checked.submission == "template":
        settings["template"] = _template(checked.template or "", context)
    if isinstance(checked.media, list) and checked.media:  # the validator made true a list
        settings.update(media_types=list(checked.media), max_media_mb=checked.max_media_mb)
    settings.update(rubric_settings(checked.rubric, checked.rubric_rating, context))
    return settings


# --- templates -------------------------------------------------------------------------------

def template_path(context: ContentContext, slug: str) -> Path:
    return context.root / "templates" / f"{slug}.yaml"


def _template(slug: str, context: ContentContext) -> dict[str, Any]:
    path = template_path(context, slug)
    if not path.is_file():
        raise ConfigError(f"template not found: templates/{slug}.yaml", context.where("template"))
    shown = f"{context.root.name}/templates/{slug}.yaml"
    return load_template(path.read_text(encoding="utf-8"), shown, slug)


def _record_fields() -> dict[str, str] | None:
    """The record fields the registered plugins offer, or None outside an app (no registry)."""
    if not has_app_context():
        return None
    from .record import record_fields  # record.py reads the programme service, which reads settings
    return record_fields()


def load_template(text: str, shown: str, slug: str) -> dict[str, Any]:
    """Parse and check a template file; ConfigError at the first problem, with its file:line."""
    problems: list[Problem] = []
    data = parse_yaml(text, shown, problems)
    if problems:
        raise ConfigError(problems[0].message, problems[0].where)
    template = check(Template, data, shown, facts={"slug": slug, "record_fields": _record_fields()})
    return {"slug": slug, "title": template.title, "intro_md": template.intro or "",
            "fields": [f.stored() for f in template.fields]}


class Choice(ContentModel):
    value: str
    label: str


ChoiceItem = Annotated[Stripped | Choice, Says("each choice must be text, or a mapping with value and label")]


class Column(ContentModel):
    """A field of a template, or a column of a `rows` field (which cannot hold rows itself)."""
    unknown_key = "unknown field key '{key}' (known: {known})"
    not_a_mapping = "each field must be a mapping with key, label and type"

    key: Annotated[str, StringConstraints(pattern=NAME_RE.pattern),
                   Says("'key' must be a short lower-case word (a-z, 0-9, _)")]
    label: Text
    type: Annotated[Literal[COLUMN_TYPES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                    Says(f"'type' must be one of {', '.join(COLUMN_TYPES)}")]
    required: Flag = False
    help: Text | None = None
    max_length: int | None = None
    choices: Annotated[list[ChoiceItem], Says("'choices' must list at least two options")] | None = None
    low_label: Text | None = None
    high_label: Text | None = None
    columns: Annotated[list[Column], Says("'columns' must be a non-empty list of fields")] | None = None
    min_rows: int | None = None
    max_rows: int | None = None

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, choices: list) -> list:
        values = [c if isinstance(c, str) else c.value for c in choices]
        if len(values) < 2:
            raise invalid("'choices' must list at least two options")
        if len(set(values)) != len(values):
            raise invalid("choices must differ from each other")
        return choices

    @model_validator(mode="after")
    def _complete_for_its_type(self) -> Column:
        if self.type in TEXT_LIMITS and not 1 <= self.length <= TEXT_LIMITS[self.type]:
            raise invalid(f"'max_length' must be a whole number from 1 to {TEXT_LIMITS[self.type]}", "max_length")
        if self.type == "choice" and self.choices is None:
            raise invalid("'choices' must list at least two options", "choices")
        if self.type == "rows":
            self._check_rows()
        else:
            for key in ("columns", "min_rows", "max_rows"):
                if key in self.model_fields_set:
                    raise invalid(f"'{key}' only applies to type rows", key)
        return self

    def _check_rows(self) -> None:
        if not self.columns:
            raise invalid("'columns' must be a non-empty list of fields", "columns")
        seen: set[str] = set()
        for i, column in enumerate(self.columns):
            if column.key in seen:
                raise invalid(f"duplicate field key '{column.key}'", ("columns", i, "key"))
            seen.add(column.key)
        if not 0 <= self.rows_at_least <= MAX_ROWS:
            raise invalid(f"'min_rows' must be a whole number from 0 to {MAX_ROWS}", "min_rows")
        if not max(self.rows_at_least, 1) <= self.rows_at_most <= MAX_ROWS:
            raise invalid(f"'max_rows' must be a whole number from {max(self.rows_at_least, 1)} to {MAX_ROWS}",
                          "max_rows")

    @property
    def length(self) -> int:
        return TEXT_LIMITS[self.type] if self.max_length is None else self.max_length

    @property
    def rows_at_least(self) -> int:
        return (1 if self.required else 0) if self.min_rows is None else self.min_rows

    @property
    def rows_at_most(self) -> int:
        return 20 if self.max_rows is None else self.max_rows

    def stored(self) -> dict[str, Any]:
        field: dict[str, Any] = {"name": self.key, "type": self.type, "label": self.label, "help": self.help or "",
                                 "required": self.required}
        if self.type in TEXT_LIMITS:
            field["max_length"] = self.length
        if self.type == "choice":
            field["choices"] = [{"value": c, "label": c} if isinstance(c, str) else {"value": c.value, "label": c.label}
                                for c in self.choices or []]
        if self.type == "scale":
            field["low"], field["high"] = self.low_label or "", self.high_label or ""
        if self.type == "rows":
            field["columns"] = [c.stored() for c in self.columns or []]
            field["min_rows"], field["max_rows"] = self.rows_at_least, self.rows_at_most
        return field


class TemplateField(Column):
    type: Annotated[Literal[FIELD_TYPES],  # type: ignore[valid-type]  # a Literal of a tuple: pydantic reads it, mypy does not
                    Says(f"'type' must be one of {', '.join(FIELD_TYPES)}")]
    #: A field of the trainee's record (a plugin's `record_fields`) the answer starts from.
    from_record: Annotated[str, Says("'from_record' must name a field of the trainee's record")] | None = None

    @field_validator("from_record")
    @classmethod
    def _a_record_field(cls, name: str | None, info: ValidationInfo) -> str | None:
        known = (info.context or {}).get("record_fields")
        # No plugin keeping a record is loaded (LIFE_PLUGINS without it): nothing to start
        # from, and nothing to check the name against; the field simply starts empty.
        if name is None or not known:
            return name
        if name not in known:
            raise invalid(f"unknown record field '{name}' in 'from_record' (known: {', '.join(known)})")
        return name

    @model_validator(mode="after")
    def _prefillable(self) -> TemplateField:
        if self.from_record is not None and self.type not in PREFILLED_TYPES:
            raise invalid(f"'from_record' only applies to fields of type {', '.join(PREFILLED_TYPES)}",
                          "from_record")
        return self

    def stored(self) -> dict[str, Any]:
        field = super().stored()
        if self.from_record:
            field["from_record"] = self.from_record
        return field


class Template(NamedByItsFile):
    not_a_mapping = "a template must be a mapping with 'title' and 'fields'"

    title: Text
    intro: Text | None = None
    fields: Annotated[list[TemplateField], MinLen(1), Says("'fields' must be a non-empty list")]

    @model_validator(mode="after")
    def _unique_keys(self) -> Template:
        seen: set[str] = set()
        for i, field in enumerate(self.fields):
            if field.key in seen:
                raise invalid(f"duplicate field key '{field.key}'", ("fields", i, "key"))
            seen.add(field.key)
        return self
