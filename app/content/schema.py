"""Declared settings: plugins describe their `settings:` (and the files those name: templates,
instruments, prompts) as pydantic models, and `check()` validates raw YAML against one. The first
mistake becomes a ConfigError at the file:line of the key it is about (the loader marks mappings
with `line` and `key_lines`, lists with `item_lines`), in words a content editor understands
rather than pydantic's.

    class ReadingSettings(ContentModel):
        unknown_key = "unknown setting '{key}' for a reading (allowed: {known})"
        body: Annotated[str, Says("'body' must be a file path", missing="a reading needs 'body'")]
        resources: list[str] | None = None

    settings = context.check(ReadingSettings, raw)      # or check(Model, data, "templates/x.yaml")

What a message says, in this order: a validator's own `invalid(message, key)`; for a missing or
unknown key, or a value that is not a mapping, the model's `missing_key` / `unknown_key` /
`not_a_mapping`; else the `Says` marker of the field (or of a list's items); else a plain rule
by type ("'hours' must be a number"). `{key}` in a message is the key, `{value}` what was written.
"""
from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..plugins import ConfigError

M = TypeVar("M", bound="ContentModel")
_MAPPING_ERRORS = {"model_type", "model_attributes_type", "dict_type"}
_BY_TYPE = {
    "string_type": "'{key}' must be text", "string_too_short": "'{key}' must be text",
    "bool_type": "'{key}' must be true or false", "bool_parsing": "'{key}' must be true or false",
    "int_type": "'{key}' must be a whole number", "int_parsing": "'{key}' must be a whole number",
    "int_from_float": "'{key}' must be a whole number",
    "float_type": "'{key}' must be a number", "float_parsing": "'{key}' must be a number",
    "list_type": "'{key}' must be a list", "too_short": "'{key}' must list at least {min_length}",
    "too_long": "'{key}' may list at most {max_length}",
    "greater_than": "'{key}' must be more than {gt}", "greater_than_equal": "'{key}' must be at least {ge}",
    "less_than": "'{key}' must be less than {lt}", "less_than_equal": "'{key}' must be at most {le}",
    "string_pattern_mismatch": "'{value}' is not a valid '{key}'",
}


class Says:
    """Marks a field (or a list's item type) with the message shown for any mistake in its value;
    `missing` is the message when the key is absent (default: the same)."""

    def __init__(self, message: str, missing: str | None = None):
        self.message, self.missing = message, missing or message


class ContentModel(BaseModel):
    """A mapping in a content file: unknown keys refused, YAML types taken as written (no
    "5" -> 5), and values frozen once checked."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    #: {key}: the key written, {known}: the keys the model declares.
    unknown_key: ClassVar[str] = "unknown key '{key}' (known: {known})"
    missing_key: ClassVar[str] = "'{key}' is required"
    not_a_mapping: ClassVar[str] = "'{key}' must be a mapping"


class NamedByItsFile(ContentModel):
    """A content file named by its slug (`templates/<slug>.yaml`, `rubrics/<slug>.yaml`): the
    `slug:` it may write must be that name, handed to check() as `facts={"slug": ...}`, so a
    file copied under another name cannot pass for the one it was copied from."""

    slug: str | None = None

    @field_validator("slug")
    @classmethod
    def _the_files_name(cls, slug: str | None, info: ValidationInfo) -> str | None:
        if slug != info.context["slug"]:
            raise invalid(f"'slug' must be the file's name, '{info.context['slug']}'")
        return slug


#: Text that means something: stripped, never empty.
Stripped = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Text = Annotated[Stripped, Says("'{key}' must be text")]
#: true or false, nothing else.
Flag = Annotated[bool, Says("'{key}' must be true or false")]


def invalid(message: str, key: str | int | tuple[str | int, ...] = ()) -> PydanticCustomError:
    """The error a model's own validator raises: `key` (a key, or a path of keys and list
    indexes, below the model or field validated) says which line the message points at."""
    path = key if isinstance(key, tuple) else (key,)
    return PydanticCustomError("content", "{message}", {"message": message, "path": path})


def check(model: type[M], raw: Any, shown: str, line: int | None = None,
          key_lines: Mapping[Any, int] | None = None, facts: Mapping[str, Any] | None = None) -> M:
    """`raw` validated against `model`, or ConfigError at the first mistake. `line` and
    `key_lines` place the top-level mapping when `raw` is a plain dict (plugin settings arrive
    so); `facts` are handed to the model's validators as `info.context`."""
    try:
        return model.model_validate(raw, context=dict(facts or {}))
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # typos first
        error = errors[0]
        loc = tuple(error["loc"]) + tuple((error.get("ctx") or {}).get("path", ()))
        where = f"{shown}:{_line(raw, loc, line, key_lines)}"
        raise ConfigError(_message(model, error, loc), where) from None


def _message(model: type[ContentModel], error: Any, loc: tuple) -> str:
    if error["type"] == "content":
        return error["ctx"]["message"]
    owner, key, says, current, beyond = _trail(model, loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        return _fill(owner.unknown_key, key, None, known=", ".join(owner.model_fields))
    if kind == "missing":
        return _fill(says.missing if says else owner.missing_key, key, None)
    if kind in _MAPPING_ERRORS and _is_model(current) and (beyond or says is None):
        return _fill(current.not_a_mapping, key, error.get("input"))
    template = says.message if says else _BY_TYPE.get(kind, "'{key}': " + error["msg"].lower())
    return _fill(template, key, error.get("input"), **(error.get("ctx") or {}))


def _fill(template: str, key: str | None, value: Any, **extra: Any) -> str:
    """Placeholders replaced one by one: messages may hold other braces ('{after_start_days: N}')."""
    text = template.replace("{key}", key or "settings").replace("{value}", str(value))
    for name, filling in extra.items():
        text = text.replace("{" + name + "}", str(filling))
    return text


def _trail(model: type[ContentModel], loc: tuple) -> tuple[type[ContentModel], str | None, Says | None, Any, int]:
    """Walk `loc` through the model's fields: the model holding the last key, that key, the
    `Says` in force, the type reached and how many steps of `loc` lie beyond the key."""
    owner, key, says, current, beyond = model, None, None, model, 0
    for part in loc:
        current, found = _bare(current)
        says = found or says
        if isinstance(part, str) and _is_model(current):
            owner, key, beyond = current, part, 0
            field = current.model_fields.get(part)
            if field is None:
                return owner, key, None, None, 0
            says = next((m for m in reversed(field.metadata) if isinstance(m, Says)), None)
            current = field.annotation
        elif isinstance(part, int) and get_origin(current) is list:
            current, beyond = get_args(current)[0], beyond + 1
        else:
            break  # a union member's tag: the message is the field's
    current, found = _bare(current)
    return owner, key, found or says, current, beyond


def _bare(tp: Any) -> tuple[Any, Says | None]:
    """`tp` without Annotated and `| None`, and the last Says found on the way."""
    says = None
    while True:
        if get_origin(tp) is Annotated:
            says = next((m for m in reversed(tp.__metadata__) if isinstance(m, Says)), says)
            tp = tp.__origin__
        elif get_origin(tp) in (Union, types.UnionType) and type(None) in get_args(tp) and len(get_args(tp)) == 2:
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp, says


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, ContentModel)


def _line(raw: Any, loc: tuple, line: int | None, key_lines: Mapping[Any, int] | None) -> int:
    """The line of the deepest key or list item of `loc` that is written in `raw`."""
    found = getattr(raw, "line", None) or line or 1
    lines: Mapping[Any, int] = getattr(raw, "key_lines", None) or key_lines or {}
    node = raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            found, node = lines.get(part, found), node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            item_lines = getattr(node, "item_lines", None)
            found, node = item_lines[part] if item_lines else found, node[part]
        else:
            break
        lines = getattr(node, "key_lines", {})
    return found
