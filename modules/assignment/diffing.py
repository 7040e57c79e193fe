"""'What changed since the last feedback': a word-level diff of plain text, escaped, with
<ins>/<del> marks, so a facilitator reads only what the trainee revised."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from app.sanitize import plain_text

_TOKENS = re.compile(r"\s+|[^\s]+")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|li|h[1-6]|blockquote|tr|pre)>")


def html_to_text(html: str | None) -> str:
    """Plain text of stored HTML, one line per paragraph or list item."""
    text = plain_text(_BLOCK_END.sub("\n", html or ""))
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _escaped(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>\n")


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """SequenceMatcher's opcodes, with changes that only a space separates joined: a rewritten
    phrase then reads as one deletion and one insertion, not as interleaved words."""
    raw = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    merged: list[list] = []
    for index, (op, i1, i2, j1, j2) in enumerate(raw):
        between_changes = 0 < index < len(raw) - 1 and raw[index + 1][0] != "equal" and merged[-1][0] != "equal"
        if op == "equal" and between_changes and not "".join(a[i1:i2]).strip():
            op = "replace"
        if op != "equal" and merged and merged[-1][0] != "equal":
            merged[-1][0], merged[-1][2], merged[-1][4] = "replace", i2, j2
        else:
            merged.append([op, i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def word_diff(old: str, new: str) -> Markup:
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(_escaped(added))
            continue
        if removed.strip():
            out.append(f'<del class="bg-danger-subtle">{_escaped(removed)}</del>')
        elif removed:
            out.append(_escaped(removed))
        if added.strip():
            out.append(f'<ins class="bg-success-subtle">{_escaped(added)}</ins>')
        elif added and not removed:
            out.append(_escaped(added))
    return Markup("".join(out))
