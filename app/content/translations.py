"""Translations of the content files, found by file name: `module.sv.yaml` beside `module.yaml`,
`intro.sv.md` beside `intro.md` (content/README.md, section 19).

One generic mechanism for every file, so no plugin needs translation code:

1. Each translation file is checked against its source here (`overlay_yaml`): it may hold only
   the source's text keys, in the same nesting; lists of items with an id (`slug`, `key`, `code`,
   `value`) are matched by that id, other lists by position. Every fault is a file:line Problem.
2. For each language, a merged copy of the content folder is written to a temporary folder: the
   source files with the translated texts in place (each marked with an invisible SENTINEL), the
   translation files left out. The ordinary loader, validator and plugins read that copy.
3. Comparing the copy's tree with the source tree gives, per item, an overlay of the texts that
   came from a translation (`diff`); the importer stores them in each row's `translations`
   column and app/localized.py merges them at read time.
"""
from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .loader import ContentTree, Problem, parse_yaml

#: The languages content may be translated into; English is the source.
LANGUAGES = ("sv", "nb", "sl", "pt", "it")
SOURCE_LANGUAGE = "en"

#: Marks a text that came from a translation, so a translation identical to English still
#: counts as translated. Invisible, and removed before anything is stored.
SENTINEL = "\u2063"

#: Keys whose values identify list items; a translation's list item must name the same id.
ID_KEYS = ("slug", "key", "code", "value")
#: Keys whose string values are structure, never text: ids, references, enumerated values,
#: paths. Everything else that is a string in the source is text. (`choices` written as bare text
#: are values; written as {value, label} mappings they are matched by value and the label is text.)
STRUCTURE_KEYS = frozenset({
    *ID_KEYS, "type", "kind", "component", "submission", "completion", "family", "phase", "scale",
    "model", "template", "prompt", "instrument", "ecvet_unit", "version", "country", "module",
    "activity", "after_meeting", "source", "file", "body", "instructions", "choices", "competencies",
    "resources", "modules", "allowed_types", "name", "from", "rubric", "rubric_rating", "competency",
    # An assignment's recording formats (`media:` in the file, `media_types` once normalised):
    # file types like allowed_types, so no translation can or need give them.
    "media", "media_types",
})
_PATH_RE = re.compile(r"^[\w./-]+\.(md|ya?ml|pdf|docx|odt)$")
PLACEHOLDER_RE = re.compile(r"\{\{.*?\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_]+\)[sd]|%[sd]")
REVIEW_RE = re.compile(r"reviewed-by-native-speaker:\s*([^\n>]*?)\s*(-->)?\s*$", re.M)
_HEADER_LINES = 5


def language_of(path: Path) -> str | None:
    """'sv' for module.sv.yaml or intro.sv.md; None for a source file."""
    suffixes = path.suffixes
    if len(suffixes) >= 2 and suffixes[-1] in (".yaml", ".md") and suffixes[-2][1:] in LANGUAGES:
        return suffixes[-2][1:]
    return None


def is_translation(path: Path) -> bool:
    return language_of(path) is not None


def source_of(path: Path) -> Path:
    """module.sv.yaml -> module.yaml."""
    lang = language_of(path)
    return path.with_name(path.name.replace(f".{lang}{path.suffix}", path.suffix)) if lang else path


def is_text(key: Any, value: Any) -> bool:
    """Whether a string leaf of a source file is text a translation may (and should) give."""
    return (isinstance(value, str) and str(key) not in STRUCTURE_KEYS and value.strip() != ""
            and not _PATH_RE.match(value.strip()))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def review_status(text: str) -> str | None:
    """What the header's `reviewed-by-native-speaker:` says ('no', 'yes (Name, date)'), or None."""
    head = "\n".join(text.splitlines()[:_HEADER_LINES])
    match = REVIEW_RE.search(head)
    return match.group(1).strip() if match else None


def is_reviewed(text: str) -> bool:
    status = review_status(text)
    return bool(status) and status.lower().startswith("yes")


# --- checking one YAML translation against its source ---------------------------------------

class _Overlay:
    def __init__(self, shown: str, problems: list[Problem]):
        self.shown, self.problems = shown, problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(f"{self.shown}:{line}", message))

    def merge(self, source: Any, translation: Any, line: int, key: Any = None) -> Any:
        """The source with the translation's texts in place (each marked with SENTINEL)."""
        if isinstance(source, dict):
            return self.mapping(source, translation, line)
        if isinstance(source, list):
            return self.sequence(source, translation, line, key)
        if is_text(key, source):
            if not isinstance(translation, str):
                self.add(line, f"'{key}' must be text, as in the source")
                return source
            if not translation.strip():
                self.add(line, f"'{key}' is empty: leave the key out to show the English text")
                return source
            lost = placeholders(source) - placeholders(translation)
            if lost:
                self.add(line, f"'{key}' loses the placeholder{'s' if len(lost) > 1 else ''} "
                               f"{', '.join(sorted(lost))} of the source")
                return source
            return _marked(translation)
        self.add(line, f"'{key}' is structure, not text: it lives only in the source file "
                       "(translate only texts such as titles, summaries, labels and questions)")
        return source

    def mapping(self, source: dict, translation: Any, line: int) -> dict:
        if not isinstance(translation, dict):
            self.add(line, "must be a mapping of keys to texts, as in the source")
            return source
        merged = copy.copy(source)
        lines = getattr(translation, "key_lines", {})
        for key, value in translation.items():
            at = lines.get(key, line)
            if key not in source:
                known = ", ".join(str(k) for k in source if _has_text(k, source[k])) or "none"
                self.add(at, f"unknown key '{key}': the source has no such key here (text keys: {known})")
            elif key in ID_KEYS and value == source[key]:
                continue  # naming the id of a list item, or the file's own slug, unchanged
            else:
                merged[key] = self.merge(source[key], value, at, key)
        return merged

    def sequence(self, source: list, translation: Any, line: int, key: Any) -> list:
        if not isinstance(translation, list):
            self.add(line, f"'{key}' must be a list, as in the source")
            return source
        lines = getattr(translation, "item_lines", [line] * len(translation))
        id_key = _id_key(source)
        merged = list(source)
        if id_key is None:
            if len(translation) > len(source):
                self.add(lines[len(source)], f"'{key}' has {len(translation)} items, the source only {len(source)}")
            for index, (item, at) in enumerate(zip(translation[:len(source)], lines, strict=False)):
                merged[index] = self.merge(source[index], item, at, key)
            return merged
        positions = {item.get(id_key): i for i, item in enumerate(source) if isinstance(item, dict)}
        seen: set[Any] = set()
        for item, at in zip(translation, lines, strict=False):
            ident = item.get(id_key) if isinstance(item, dict) else None
            if ident is None:
                self.add(at, f"each item of '{key}' must name its '{id_key}', as in the source")
            elif ident not in positions:
                self.add(at, f"unknown {id_key} '{ident}' in '{key}' (the source has: "
                             f"{', '.join(str(k) for k in positions)})")
            elif ident in seen:
                self.add(at, f"{id_key} '{ident}' is translated twice")
            else:
                seen.add(ident)
                merged[positions[ident]] = self.merge(source[positions[ident]], item, at, key)
        return merged


def _id_key(items: list) -> str | None:
    for id_key in ID_KEYS:
        if items and all(isinstance(i, dict) and id_key in i for i in items):
            return id_key
    return None


def _has_text(key: Any, value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_text(k, v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_text(key, v) for v in value)
    return is_text(key, value)


def overlay_yaml(source: Any, translation: Any, shown: str, problems: list[Problem]) -> Any:
    return _Overlay(shown, problems).merge(source, translation, getattr(translation, "line", 1))


# --- one language: a merged copy of the content folder ---------------------------------------

@dataclass
class LanguageFiles:
    lang: str
    #: Translation files (relative to the content folder's parent, as shown in messages).
    files: list[str] = field(default_factory=list)
    unreviewed: list[str] = field(default_factory=list)


def translation_files(root: Path, lang: str) -> list[Path]:
    return sorted(p for p in root.rglob(f"*.{lang}.*") if p.is_file() and language_of(p) == lang
                  and not p.name.lower().startswith("readme"))


def _strip_header(text: str) -> str:
    """The text without the review header (an HTML comment line, or a YAML comment line)."""
    lines = text.splitlines(keepends=True)
    kept = [line for number, line in enumerate(lines)
            if not (number < _HEADER_LINES and "reviewed-by-native-speaker:" in line)]
    return "".join(kept)


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter YAML, body, line offset of the YAML) of a Markdown file starting with '---'
    (after blank lines and the review header, if any)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if line.strip() and "reviewed-by-native-speaker:" not in line), None)
    if start is None or lines[start].strip() != "---":
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None
    return "".join(lines[start + 1:end]), "".join(lines[end + 1:]), start + 1


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(type(None), lambda d, _v: d.represent_scalar("tag:yaml.org,2002:null", ""))


def _marked(text: str) -> str:
    """The text with SENTINEL after its leading white space, so stripping keeps the mark."""
    body = text.lstrip()
    return text[:len(text) - len(body)] + SENTINEL + body


def _lists_and_dicts(value: Any) -> Any:
    """LineDict/LineList as dict/list (dates and numbers stay what they are)."""
    if isinstance(value, dict):
        return {k: _lists_and_dicts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lists_and_dicts(v) for v in value]
    return value


def _dump(data: Any) -> str:
    return yaml.dump(_lists_and_dicts(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def merge_file(root: Path, path: Path, problems: list[Problem]) -> str | None:
    """The source file of translation `path` with its texts in place, or None after problems."""
    shown = str(Path(root.name) / path.relative_to(root))
    source = source_of(path)
    if not source.is_file():
        problems.append(Problem(f"{shown}:1", f"no source file {source.name} beside this translation"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(f"{shown}:1", "not a UTF-8 text file"))
        return None
    source_text = source.read_text(encoding="utf-8")
    before = len(problems)
    if path.suffix == ".yaml":
        translation = parse_yaml(text, shown, problems)
        if len(problems) > before:
            return None
        original = parse_yaml(source_text, shown, [])
        if translation is None:
            return None  # only comments: nothing translated yet
        merged = overlay_yaml(original, translation, shown, problems)
        return None if len(problems) > before else _dump(merged)
    body = _strip_header(text)
    source_parts = _split_front_matter(source_text)
    if source_parts is None:
        lost = placeholders(source_text) - placeholders(body)
        if lost:
            problems.append(Problem(f"{shown}:1", f"loses the placeholder{'s' if len(lost) > 1 else ''} "
                                                  f"{', '.join(sorted(lost))} of the source"))
            return None
        return _marked(body) if body.strip() else None
    # A resource: front matter with text keys only (its title), then the translated body.
    parts = _split_front_matter(text)
    if parts is None:
        problems.append(Problem(f"{shown}:1", "a resource's translation starts with front matter between two "
                                              "'---' lines, holding its translated title"))
        return None
    front, translated_body, offset = parts
    translation = parse_yaml(front, shown, problems, line_offset=offset)
    if len(problems) > before:
        return None
    original = parse_yaml(source_parts[0], shown, [])
    merged = overlay_yaml(original, translation, shown, problems) if translation else original
    if len(problems) > before:
        return None
    rest = _marked(translated_body.strip()) + "\n" if translated_body.strip() else source_parts[1]
    return f"---\n{_dump(merged)}---\n{rest}"


def merged_copy(root: Path, lang: str, target: Path, problems: list[Problem]) -> LanguageFiles:
    """Write the content folder with `lang`'s translations in place into target/<root.name>."""
    found = LanguageFiles(lang)
    copy_root = target / root.name
    shutil.copytree(root, copy_root, ignore=lambda _d, names: [n for n in names if is_translation(Path(n))])
    for path in translation_files(root, lang):
        shown = str(Path(root.name) / path.relative_to(root))
        found.files.append(shown)
        try:
            if not is_reviewed(path.read_text(encoding="utf-8")):
                found.unreviewed.append(shown)
        except UnicodeDecodeError:
            pass
        merged = merge_file(root, path, problems)
        if merged is not None:
            (copy_root / source_of(path).relative_to(root)).write_text(merged, encoding="utf-8")
    return found


# --- overlays: what a language changes, item by item -----------------------------------------

def diff(source: Any, translated: Any) -> Any:
    """The parts of `translated` that came from a translation, as a sparse overlay: dicts keep the
    keys that differ, lists keep their length with None for untouched items; None if nothing."""
    if isinstance(source, dict) and isinstance(translated, dict):
        out = {k: d for k in source if k in translated and (d := diff(source[k], translated[k])) is not None}
        return out or None
    if isinstance(source, list) and isinstance(translated, list) and len(source) == len(translated):
        parts = [diff(s, t) for s, t in zip(source, translated, strict=True)]
        return parts if any(d is not None for d in parts) else None
    if isinstance(translated, str) and SENTINEL in translated:
        return translated.replace(SENTINEL, "")
    return None


def strip_sentinel(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_sentinel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_sentinel(v) for v in value]
    return value.replace(SENTINEL, "") if isinstance(value, str) else value


def _outcomes(node) -> list[dict[str, Any]]:
    return [{"text": o.text} for o in node.learning_outcomes]


#: Per kind of item: how to find its id and the texts the trainee sees (names as in the rows).
ITEMS: dict[str, tuple[Callable[[ContentTree], list], Callable[[Any], str], Callable[[Any], dict]]] = {
    "programme": (lambda t: [t.programme], lambda n: n.slug,
                  lambda n: {"title": n.title, "summary_md": n.summary_md}),
    "competency": (lambda t: t.programme.competencies, lambda n: n.code,
                   lambda n: {"title": n.title, "description": n.description}),
    "ECVET unit": (lambda t: t.programme.ecvet_units, lambda n: n.code,
                   lambda n: {"title": n.title, "learning_outcomes": n.learning_outcomes}),
    "module": (lambda t: t.modules, lambda n: n.slug,
               lambda n: {"title": n.title, "summary_md": n.summary_md, "learning_outcomes": _outcomes(n)}),
    "meeting": (lambda t: t.meetings(), lambda n: n.slug,
                lambda n: {"title": n.title, "agenda_md": n.agenda_md}),
    "variant": (lambda t: t.variants, lambda n: n.country,
                lambda n: {"summary_md": n.summary_md,
                           "module_notes": {slug: text for slug, (text, _at) in n.extras.module_notes.items()}}),
    "resource": (lambda t: t.resources(), lambda n: n.slug,
                 lambda n: {"title": n.title, "body_md": n.body_md}),
    "activity": (lambda t: t.activities(), lambda n: n.slug,
                 lambda n: {"title": n.title, "settings": n.normalised or {}}),
}


def overlays(source: ContentTree, translated: ContentTree) -> dict[tuple[str, str], dict[str, Any]]:
    """{(kind, id): overlay} for every item the translated tree changes."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, (items, ident, texts) in ITEMS.items():
        theirs = {ident(n): n for n in items(translated)}
        for node in items(source):
            other = theirs.get(ident(node))
            if other is not None and (overlay := diff(texts(node), texts(other))):
                out[(kind, ident(node))] = overlay
    return out


def untranslated(source: ContentTree, found: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Items with a text the overlay does not cover, e.g. "module orientation (title)"."""
    missing = []
    for kind, (items, ident, texts) in ITEMS.items():
        for node in items(source):
            overlay = found.get((kind, ident(node)), {})
            fields = [name for name, value in texts(node).items()
                      if _has_visible_text(name, value) and not _covers(value, overlay.get(name), name)]
            if fields:
                missing.append(f"{kind} {ident(node)} ({', '.join(fields)})")
    return missing


def _has_visible_text(name: str, value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return _has_text(name, value)


def _covers(value: Any, overlay: Any, name: str) -> bool:
    """Whether the overlay translates every text leaf of value."""
    if isinstance(value, str):
        return overlay is not None or not value.strip() or (name in STRUCTURE_KEYS or _PATH_RE.match(value) is not None)
    if isinstance(value, dict):
        overlay = overlay if isinstance(overlay, dict) else {}
        return all(_covers(v, overlay.get(k), k) for k, v in value.items() if _has_text(k, v))
    if isinstance(value, list):
        overlay = overlay if isinstance(overlay, list) else [None] * len(value)
        return all(_covers(v, o, name) for v, o in zip(value, overlay, strict=False) if _has_text(name, v))
    return True


@dataclass
class Translations:
    """Every language's overlays, files and coverage, for the importer and `content check`."""
    overlays: dict[str, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, LanguageFiles] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    total: int = 0

    def for_item(self, kind: str, ident: str) -> dict[str, Any]:
        """{lang: overlay} of one item: what its row's `translations` column holds."""
        return {lang: found[(kind, ident)] for lang, found in self.overlays.items() if (kind, ident) in found}


def load_translations(tree: ContentTree,
                      check: Callable[[ContentTree], list[Problem]]) -> tuple[Translations, list[Problem]]:
    """Check every translation file of a valid tree and work out each language's overlays.
    `check(tree)` validates a loaded tree (the validator with the plugins)."""
    from .loader import load_content

    result = Translations(total=sum(len(items(tree)) for items, _i, _t in ITEMS.values()))
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="life-content-") as tmp:
        for lang in LANGUAGES:
            if not translation_files(tree.root, lang):
                result.missing[lang] = untranslated(tree, {})
                continue
            own: list[Problem] = []
            target = Path(tmp) / lang
            result.files[lang] = merged_copy(tree.root, lang, target, own)
            if own:
                problems.extend(own)
                continue
            translated = load_content(target / tree.root.name)
            for problem in check(translated):
                problems.append(Problem(problem.where, f"with the '{lang}' translations: "
                                                       f"{strip_sentinel(problem.message)}"))
            found = overlays(tree, translated)
            result.overlays[lang] = found
            result.missing[lang] = untranslated(tree, found)
    return result, problems
