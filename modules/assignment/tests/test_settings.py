"""An assignment's settings and template files: normalised when right, file:line when wrong."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.content.translations import is_translation
from app.plugins import ConfigError, ContentContext
from modules.assignment import plugin
from modules.assignment.settings import load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = """\
slug: plan
title: Plan
fields:
  - {key: title, label: Title, type: short_text, required: true}
  - key: rows
    label: Steps
    type: rows
    columns:
      - {key: step, label: Step, type: short_text}
"""


@pytest.fixture
def context(tmp_path) -> ContentContext:
    module = tmp_path / "content" / "modules" / "01-x"
    (module / "tasks").mkdir(parents=True)
    (module / "tasks" / "t.md").write_text("# Do this", encoding="utf-8")
    (tmp_path / "content" / "templates").mkdir()
    (tmp_path / "content" / "templates" / "plan.yaml").write_text(TEMPLATE, encoding="utf-8")
    return ContentContext(root=tmp_path / "content", base_dir=module, file="content/modules/01-x/module.yaml",
                          line=30, key_lines={"instructions": 31, "submission": 32, "template": 33,
                                              "max_size_mb": 34, "colour": 35, "allowed_types": 36})


def test_template_settings_are_normalised(context):
    settings = plugin.validate_config({"instructions": "tasks/t.md", "submission": "template", "template": "plan"},
                                      context)
    assert settings["instructions_md"] == "# Do this"
    assert (settings["submission"], settings["completion"], settings["group"]) == ("template", "accepted", False)
    fields = settings["template"]["fields"]
    assert [f["name"] for f in fields] == ["title", "rows"]
    assert fields[1]["columns"][0]["max_length"] == 300 and fields[1]["min_rows"] == 0


def test_file_settings_get_defaults(context):
    settings = plugin.validate_config({"submission": "files", "completion": "submitted", "group": True},
                                      context)
    assert settings["allowed_types"] == ["pdf", "docx", "odt"]
    assert (settings["max_size_mb"], settings["max_files"], settings["group"]) == (10, 5, True)


@pytest.mark.parametrize("raw, message", [
    ({"submission": "video"}, "content/modules/01-x/module.yaml:32: 'submission' must be one of text, files, template"),
    ({"submission": "text", "colour": "red"}, "content/modules/01-x/module.yaml:35: unknown setting 'colour'"),
    ({"submission": "text", "instructions": "tasks/missing.md"},
     "content/modules/01-x/module.yaml:31: file not found: tasks/missing.md"),
    ({"submission": "template", "template": "nope"},
     "content/modules/01-x/module.yaml:33: template not found: templates/nope.yaml"),
    ({"submission": "files", "max_size_mb": 500},
     "content/modules/01-x/module.yaml:34: 'max_size_mb' must be a number above 0 and at most 25"),
    ({"submission": "files", "allowed_types": ["exe"]},
     "content/modules/01-x/module.yaml:36: unsupported file type 'exe'"),
    ({"submission": "text", "max_size_mb": 5},
     "content/modules/01-x/module.yaml:34: 'max_size_mb' only applies to 'submission: files'"),
])
def test_bad_settings_name_the_line(context, raw, message):
    with pytest.raises(ConfigError) as caught:
        plugin.validate_config(raw, context)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("text, message", [
    ("slug: plan\ntitle: P\nfields:\n  - {key: a, label: A, type: colour}\n",
     "t.yaml:4: 'type' must be one of short_text, long_text, choice, date, month, scale, rows"),
    ("slug: plan\ntitle: P\nfields:\n  - {key: a, label: A, type: choice, choices: [one]}\n",
     "t.yaml:4: 'choices' must list at least two options"),
    ("slug: plan\ntitle: P\nfields:\n  - {key: a, label: A, type: short_text}\n  - {key: a, label: B, type: date}\n",
     "t.yaml:5: duplicate field key 'a'"),
    ("slug: plan\ntitle: P\nfields:\n  - key: r\n    label: R\n    type: rows\n    columns:\n"
     "      - {key: inner, label: I, type: rows}\n",
     "t.yaml:8: 'type' must be one of short_text, long_text, choice, date, month, scale"),
    ("slug: other\ntitle: P\nfields: []\n", "t.yaml:1: 'slug' must be the file's name, 'plan'"),
    ("slug: plan\ntitle: P\nfields:\n  - {key: Bad Key, label: A, type: date}\n",
     "t.yaml:4: 'key' must be a short lower-case word"),
])
def test_bad_templates_name_the_line(text, message):
    with pytest.raises(ConfigError) as caught:
        load_template(text, "t.yaml", "plan")
    assert str(caught.value).startswith(message)


def test_the_programmes_templates_are_valid_and_cover_the_three_individual_templates():
    folder = ROOT / "content" / "templates"
    # The translations beside them (x.sv.yaml) hold only texts: content check covers them.
    loaded = {p.stem: load_template(p.read_text(encoding="utf-8"), str(p), p.stem)
              for p in folder.glob("*.yaml") if not is_translation(p)}
    assert {"family-situation-analysis", "micro-innovation-plan", "micro-innovation-report"} <= set(loaded)
    types = {f["type"] for t in loaded.values() for f in t["fields"]}
    assert types == {"short_text", "long_text", "choice", "date", "scale", "rows"}
    # Every choice has a label of its own (a bare value would be shown as it is, untranslatable).
    fields = [c for t in loaded.values() for f in t["fields"] for c in [f, *f.get("columns", [])]]
    choices = [choice for f in fields if f["type"] == "choice" for choice in f["choices"]]
    assert choices and all(choice["label"] != choice["value"] for choice in choices)


# declared settings: a wrong type, an unknown key and a missing key each point at their line ----

@pytest.mark.parametrize("raw, message", [
    ({"submission": "text", "group": "yes"}, "content/modules/01-x/module.yaml:37: 'group' must be true or false"),
    ({"submission": "files", "max_files": 2.5},
     "content/modules/01-x/module.yaml:38: 'max_files' must be a whole number from 1 to 20"),
    ({"submision": "text"}, "content/modules/01-x/module.yaml:39: unknown setting 'submision' (known: instructions, "
                            "submission, template, allowed_types, max_size_mb, max_files, completion, group, "
                            "media, max_media_mb, rubric, rubric_rating, attach_to_record)"),
    ({"instructions": "tasks/t.md"}, "content/modules/01-x/module.yaml:30: 'submission' must be one of text, files, "
                                     "template"),
])
def test_declared_settings_name_the_line(tmp_path, raw, message):
    context = ContentContext(root=tmp_path, base_dir=tmp_path, file="content/modules/01-x/module.yaml", line=30,
                             key_lines={"instructions": 31, "submission": 32, "group": 37, "max_files": 38,
                                        "submision": 39})
    with pytest.raises(ConfigError) as caught:
        plugin.validate_config(raw, context)
    assert str(caught.value) == message


BLOCK_TEMPLATE = """\
slug: plan
title: Plan
fields:
  - key: title
    label: Title
    type: short_text
    required: true
  - key: steps
    label: Steps
    type: rows
    columns:
      - key: step
        label: Step
        type: date
"""


@pytest.mark.parametrize("change, message", [
    (("    required: true", "    required: yes please"), "t.yaml:7: 'required' must be true or false"),
    (("        type: date", "        type: [date]"), "t.yaml:14: 'type' must be one of short_text, long_text, choice, "
                                                    "date, month, scale"),
    (("title: Plan", "titel: Plan"), "t.yaml:2: unknown key 'titel' (known: slug, title, intro, fields)"),
    (("        label: Step", "        lable: Step"), "t.yaml:13: unknown field key 'lable' (known: key, label, type, "
                                                    "required, help"),
    (("    label: Title\n", ""), "t.yaml:4: 'label' must be text"),
    (("      - key: step\n        label: Step", "      - label: Step"),
     "t.yaml:12: 'key' must be a short lower-case word"),
])
def test_a_templates_mistake_names_its_own_line(change, message):
    with pytest.raises(ConfigError) as caught:
        load_template(BLOCK_TEMPLATE.replace(*change), "t.yaml", "plan")
    assert str(caught.value).startswith(message)
