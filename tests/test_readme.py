"""The README's quick start is exactly two commands, and tasks.py accepts both."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK_START_COMMANDS = ["python3 tasks.py demo", "python3 tasks.py test"]


def section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def code_lines(markdown: str) -> list[str]:
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_quick_start_is_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert code_lines(section(readme, "Quick start")) == QUICK_START_COMMANDS


def test_tasks_py_offers_demo_and_test():
    result = subprocess.run([sys.executable, "tasks.py", "--help"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s+demo\s", result.stdout, re.M), result.stdout
    assert re.search(r"^\s+test\s", result.stdout, re.M), result.stdout


def test_tasks_py_refuses_an_unknown_command():
    result = subprocess.run([sys.executable, "tasks.py", "deploy"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
