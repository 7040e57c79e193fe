"""The one helper that checks content against a declared model (app/content/schema.py): each
mistake is reported at the file:line of its key, in words a content editor understands."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import pytest

from app.content.loader import parse_yaml
from app.content.schema import ContentModel, Says, Text, check
from app.plugins import ConfigError

ROOT = Path(__file__).resolve().parent.parent


class Step(ContentModel):
    not_a_mapping = "each step must be a mapping with a title"

    title: Text
    hours: float = 1.0


class Plan(ContentModel):
    title: Text
    level: Annotated[int, Says("'level' must be 1, 2 or 3")] = 1
    steps: list[Step] = []


PLAN = """\
title: A plan
level: 2
steps:
  - title: First
    hours: 2
  - title: Second
"""


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        check(Plan, parse_yaml(text, "plan.yaml", []), "plan.yaml")
    return str(caught.value)


def test_a_right_file_is_read():
    plan = check(Plan, parse_yaml(PLAN, "plan.yaml", []), "plan.yaml")
    assert (plan.title, plan.level, [s.hours for s in plan.steps]) == ("A plan", 2, [2.0, 1.0])


@pytest.mark.parametrize("change, message", [
    (("    hours: 2", "    hours: two"), "plan.yaml:5: 'hours' must be a number"),
    (("level: 2", "level: high"), "plan.yaml:2: 'level' must be 1, 2 or 3"),
    (("  - title: Second", "  - titel: Second"), "plan.yaml:6: unknown key 'titel' (known: title, hours)"),
    (("  - title: Second", "  - Second"), "plan.yaml:6: each step must be a mapping with a title"),
    (("title: A plan\n", ""), "plan.yaml:1: 'title' must be text"),
    (("steps:", "stepz:"), "plan.yaml:3: unknown key 'stepz' (known: title, level, steps)"),
])
def test_each_mistake_names_its_line(change, message):
    assert _error(PLAN.replace(*change)) == message


def test_plain_settings_take_their_lines_from_the_context():
    with pytest.raises(ConfigError) as caught:
        check(Plan, {"title": "T", "level": "x"}, "module.yaml", line=10, key_lines={"title": 11, "level": 12})
    assert str(caught.value) == "module.yaml:12: 'level' must be 1, 2 or 3"
    with pytest.raises(ConfigError) as caught:
        check(Plan, {"level": 2}, "module.yaml", line=10, key_lines={"level": 12})
    assert str(caught.value) == "module.yaml:10: 'title' must be text"


def test_content_check_reports_a_settings_typo_at_its_line(app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content", root)
    module = root / "modules" / "00-orientation" / "module.yaml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("      body: lessons/welcome.md\n", "      bdy: lessons/welcome.md\n", 1),
                      encoding="utf-8")
    line = text.splitlines().index("      body: lessons/welcome.md") + 1
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert (f"content/modules/00-orientation/module.yaml:{line}: unknown setting 'bdy' for a reading "
            f"(allowed: body, resources)") in result.output
