"""Small text helpers shared by mail headers, notifications and forms."""
from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def one_line(value: str) -> str:
    """`value` without line breaks or control characters: safe in an e-mail header or a title."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value or "")).strip()


def has_control_characters(value: str) -> bool:
    """NUL and the other control characters no keyboard types (tab and line breaks are fine):
    PostgreSQL refuses NUL in text, and the rest only ever comes from a forged request."""
    return bool(_CONTROL.search(value))


def has_line_break(value: str) -> bool:
    return bool(_LINE_BREAKS.search(value))
