"""PyYAML's errors as sentences a content editor understands, at the line and column to look at.

PyYAML reports what its parser expected ("mapping values are not allowed here", "expected
<block end>, but found '<block mapping start>'"); an editor needs the likely cause. The common
mistakes are told apart by looking at the line and the one above it; anything else keeps
PyYAML's own words."""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

#: `key: "text` or `- key: 'text`: a value that opens a quote.
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?[^\s:#"'][^:#]*:\s+(["'])""")


@dataclass(frozen=True)
class YamlFault:
    line: int
    column: int
    message: str


INDENTED_FURTHER = "indentation: this line is indented further than the line above"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_above(lines: list[str], index: int) -> str | None:
    """The nearest line above `index` that holds something (not blank, not only a comment)."""
    for line in reversed(lines[:index]):
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return None


def _unclosed_quote(lines: list[str], before: int) -> YamlFault | None:
    """The first line above line `before` whose value opens a quote that the line never closes.
    A quote left open swallows the lines after it, so PyYAML only complains further down."""
    for number, line in enumerate(lines[:before], start=1):
        match = _QUOTED_VALUE.match(line)
        if match is None:
            continue
        quote, rest = match.group(1), line[match.end():]
        rest = rest.replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return YamlFault(number, match.start(1) + 1,
                             "unclosed quote: the quotation mark that starts here is never closed on its line")
    return None


def _colon_not_allowed(lines: list[str], index: int, column: int) -> str:
    line = lines[index] if index < len(lines) else ""
    before = line[:column].strip()
    if before.startswith("- "):
        before = before[2:]
    if ": " in before or (before.count(":") > 1):
        return ("a colon inside a value: put the value in double quotes, "
                'e.g. title: "Innovation: a theory"')
    above = _line_above(lines, index)
    opens_block = above is not None and above.rstrip().endswith((":", "|", ">", "|-", ">-"))
    if above is not None and _indent(line) > _indent(above) and not opens_block:
        if ":" not in above.split("#")[0]:
            return "missing colon: the line above should read 'key: value'"
        return INDENTED_FURTHER
    return ('a colon where YAML does not expect one: check the indentation, or put a text '
            'that contains a colon in double quotes')


def describe(exc: yaml.MarkedYAMLError, text: str) -> YamlFault:
    """The editor's version of one PyYAML error (lines and columns from 1)."""
    lines = text.splitlines()
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    at = YamlFault(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, "")
    ctx = exc.context_mark
    opened = YamlFault(ctx.line + 1, ctx.column + 1, "") if ctx else at

    def fault(where: YamlFault, message: str) -> YamlFault:
        return YamlFault(where.line, where.column, message)

    if (quote := _unclosed_quote(lines, at.line - 1)) is not None and "quoted scalar" not in context:
        return quote
    if "'\\t'" in problem or "\t" in problem:
        return fault(at, "a tab character: indent with spaces only (YAML does not accept tabs)")
    if "quoted scalar" in context:
        return fault(opened, "unclosed quote: the quotation mark that starts here is never closed")
    if "could not find expected ':'" in problem:
        return fault(opened, "missing colon: this line should read 'key: value'")
    if "mapping values are not allowed" in problem:
        message = _colon_not_allowed(lines, at.line - 1, at.column - 1)
        if message == INDENTED_FURTHER:
            at = YamlFault(at.line, _indent(lines[at.line - 1]) + 1, "")
        return fault(at, message)
    if "flow sequence" in context:
        return fault(opened, "unclosed list: the '[' that starts here needs a closing ']' on the same entry")
    if "flow mapping" in context:
        return fault(opened, "unclosed mapping: the '{' that starts here needs a closing '}' on the same entry")
    if "expected <block end>" in problem:
        return fault(at, "indentation: this line does not line up with the entries above it "
                         "(entries of one list or mapping start in the same column)")
    if "found duplicate anchor" in problem or "found undefined alias" in problem or "found unknown escape" in problem:
        return fault(at, problem)
    return fault(at, f"{problem or context or 'not valid YAML'}")
