"""The reading plugin: a safe Markdown lesson, its resources, and "Mark as done"."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Completion
from app.plugins import ConfigError, ContentContext
from app.services import progress
from modules.reading import plugin
from tests.programme_data import build_programme


def test_lesson_renders_markdown_without_raw_html_and_lists_resources(client, world, login):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    login(world.trainee)
    page = client.get("/a/reading/test-programme-m1-a1").get_data(as_text=True)
    assert "<h2>Lesson 1.1</h2>" not in page  # the body's first heading repeats the page's <h1>
    assert "<h3>Part one</h3>" in page
    assert "&lt;b&gt;this&lt;/b&gt;" in page and "<b>this</b>" not in page
    assert "Resource 1" in page and "Training and education" in page
    assert "Mark as done" in page


def test_trainee_marks_a_lesson_done_once(client, world, login):
    built = build_programme(1, 1, run=world.run)
    db.session.commit()
    login(world.trainee)
    response = client.post("/a/reading/test-programme-m1-a1/done", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is marked as done" in page and "You marked this lesson as done" in page
    assert "Mark as done" not in page
    client.post("/a/reading/test-programme-m1-a1/done")
    rows = list(db.session.scalars(select(Completion).where(Completion.user_id == world.trainee.id)))
    assert [(r.activity_id, r.state) for r in rows] == [(built.activities[0].id, "done")]
    assert progress.hours_done(world.trainee, world.run).done == {"national": Decimal(1),
                                                                  "transnational": Decimal(0)}


def test_staff_read_the_lesson_but_cannot_mark_it(client, world, login):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    login(world.facilitator)
    page = client.get("/a/reading/test-programme-m1-a1").get_data(as_text=True)
    assert "Lesson 1.1" in page and "Mark as done" not in page
    assert client.post("/a/reading/test-programme-m1-a1/done").status_code == 403
    assert db.session.scalar(select(Completion.id)) is None


def test_unknown_or_other_type_is_not_found(client, world, login):
    built = build_programme(1, 1, run=world.run)
    built.activities[0].type = "journal"
    db.session.commit()
    login(world.trainee)
    assert client.get("/a/reading/test-programme-m1-a1").status_code == 404
    assert client.get("/a/reading/no-such-lesson").status_code == 404


# validate_config ----------------------------------------------------------------------------

@pytest.fixture
def context(tmp_path) -> ContentContext:
    module = tmp_path / "content" / "modules" / "01-x"
    (module / "lessons").mkdir(parents=True)
    (module / "lessons" / "a.md").write_text("# A lesson", encoding="utf-8")
    (module / "resources").mkdir()
    (module / "resources" / "r.md").write_text("---\n---\n", encoding="utf-8")
    (module / "resources" / "undeclared.md").write_text("---\n---\n", encoding="utf-8")
    return ContentContext(root=tmp_path / "content", base_dir=module, file="content/modules/01-x/module.yaml",
                          line=20, key_lines={"body": 21, "resources": 22, "colour": 23},
                          resources={(module / "resources" / "r.md").resolve(): "the-resource"})


def test_settings_are_normalised(context):
    settings = plugin.validate_config({"body": "lessons/a.md", "resources": ["resources/r.md"]},
                                      context)
    assert settings == {"body": "lessons/a.md", "body_md": "# A lesson", "resources": ["the-resource"]}


@pytest.mark.parametrize("raw, message", [
    ({}, "content/modules/01-x/module.yaml:20: a reading needs 'body': the Markdown file of the lesson"),
    ({"body": "lessons/a.md", "colour": "red"},
     "content/modules/01-x/module.yaml:23: unknown setting 'colour' for a reading (allowed: body, resources)"),
    ({"body": "lessons/b.md"}, "content/modules/01-x/module.yaml:21: file not found: lessons/b.md"),
    ({"body": "../../../../etc/passwd"},
     "content/modules/01-x/module.yaml:21: '../../../../etc/passwd' points outside the content folder"),
    ({"body": "lessons/a.md", "resources": ["resources/undeclared.md"]},
     "content/modules/01-x/module.yaml:22: 'resources/undeclared.md' is not listed under any module's 'resources:'"),
    ({"body": "lessons/a.md", "resources": "resources/r.md"},
     "content/modules/01-x/module.yaml:22: 'resources' must be a list of resource files"),
])
def test_bad_settings_name_the_line(context, raw, message):
    with pytest.raises(ConfigError) as error:
        plugin.validate_config(raw, context)
    assert str(error.value) == message


def test_lesson_file_path_is_kept_relative(context):
    assert not Path(plugin.validate_config({"body": "lessons/a.md"}, context)["body"]).is_absolute()
