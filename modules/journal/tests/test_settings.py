"""A journal activity's settings and content/prompts.yaml: clear errors with file:line."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.plugins import ConfigError, ContentContext
from modules.journal import plugin
from modules.journal.settings import parse_prompts

ROOT = Path(__file__).resolve().parents[3]

PROMPTS = """\
prompts:
  - slug: borton-kickoff
    title: After the kick-off
    model: borton
    intro: |
      One moment from the meeting.
    stages:
      - key: what
        label: What?
        help: What happened?
      - key: now-what
        label: Now what?
"""


def _context(tmp_path: Path, prompts: str = PROMPTS, keys=("prompt", "min_entries")) -> ContentContext:
    content = tmp_path / "content"
    (content / "modules" / "01-x").mkdir(parents=True)
    (content / "prompts.yaml").write_text(prompts, encoding="utf-8")
    return ContentContext(root=content, base_dir=content / "modules" / "01-x", file="content/modules/01-x/module.yaml",
                          line=20, key_lines={key: 21 + i for i, key in enumerate(keys)})


def test_settings_carry_the_whole_prompt(tmp_path):
    settings = plugin.validate_config({"prompt": "borton-kickoff", "min_entries": 2}, _context(tmp_path))
    assert settings == {"min_entries": 2, "prompt": {
        "slug": "borton-kickoff", "title": "After the kick-off", "model": "borton",
        "intro_md": "One moment from the meeting.",
        "stages": [{"key": "what", "label": "What?", "help": "What happened?"},
                   {"key": "now-what", "label": "Now what?", "help": ""}]}}


@pytest.mark.parametrize("raw, message", [
    ({"prompt": "nope"},
     "content/modules/01-x/module.yaml:21: unknown prompt 'nope' (prompts.yaml has: borton-kickoff)"),
    ({"prompt": "borton-kickoff", "min_entries": 0},
     "content/modules/01-x/module.yaml:22: 'min_entries' must be a whole number from 1 to 20"),
    ({"min_entries": 1}, "content/modules/01-x/module.yaml:20: 'prompt' must name a prompt"),
    ({"prompt": "borton-kickoff", "colour": "red"}, "content/modules/01-x/module.yaml:22: unknown setting 'colour'"),
])
def test_wrong_settings_name_the_line(tmp_path, raw, message):
    with pytest.raises(ConfigError) as exc:
        plugin.validate_config(raw, _context(tmp_path, keys=tuple(raw)))
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize("change, message", [
    (("key: now-what", "key: action-plan"),
     "content/prompts.yaml:11: 'action-plan' is not a stage of the borton model"),
    (("model: borton", "model: freestyle"), "content/prompts.yaml:4: unknown model 'freestyle'"),
    (("    title: After the kick-off\n", ""), "content/prompts.yaml:2: 'title' must be text"),
    (("key: now-what", "key: what"), "content/prompts.yaml:11: duplicate stage 'what'"),
    (("    intro: |", "    colour: red\n    intro: |"), "content/prompts.yaml:5: unknown key 'colour'"),
])
def test_a_broken_prompts_file_names_its_own_line(tmp_path, change, message):
    with pytest.raises(ConfigError) as exc:
        plugin.validate_config({"prompt": "borton-kickoff"}, _context(tmp_path, PROMPTS.replace(*change)))
    assert str(exc.value).startswith(message)


def test_a_missing_prompts_file_is_reported(tmp_path):
    context = _context(tmp_path)
    (context.root / "prompts.yaml").unlink()
    with pytest.raises(ConfigError, match="content/prompts.yaml not found"):
        plugin.validate_config({"prompt": "borton-kickoff"}, context)


def test_the_real_prompts_file_is_valid():
    prompts = parse_prompts((ROOT / "content" / "prompts.yaml").read_text(encoding="utf-8"), "content/prompts.yaml")
    assert prompts["gibbs-transnational-week-1"]["model"] == "gibbs"
    assert len(prompts["gibbs-transnational-week-1"]["stages"]) == 6
