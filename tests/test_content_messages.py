"""`flask content check` on broken copies of the real content: a plain message with the likely
cause at file:line(:column), no follow-on errors from other files, hours at the `hours:` line,
'did you mean' for unknown names; and a refused import leaves the database as it was."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Module, Programme

CONTENT = Path(__file__).resolve().parents[1] / "content"
MODULE = "modules/02-innovation-theory/module.yaml"
SHOWN = f"content/{MODULE}"
TITLE = 'title: "Innovation theory and practice: learning, knowledge and expertise"'
#: The line after the reading's slug, wherever content edits have moved it.
TYPE_LINE = next(n for n, line in enumerate((CONTENT / MODULE).read_text(encoding="utf-8").splitlines(), 1)
                 if line == "  - slug: read-knowledge-production") + 1


@pytest.fixture
def broken(app, tmp_path, monkeypatch):
    """A copy of content/ that LIFE_CONTENT_DIR points to, and a way to edit one of its files."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    monkeypatch.setitem(app.config, "LIFE_CONTENT_DIR", str(root))

    def edit(relative: str, old: str, new: str) -> Path:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return root
    return edit


def check(app, *args: str):
    return app.test_cli_runner().invoke(args=["content", "check", *args])


def problems(result) -> list[str]:
    return [line for line in result.output.splitlines()
            if line.startswith("content/") or line.startswith(str(Path("content")))]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("\nhours: 12\n", "\n  hours: 12\n",
     f"{SHOWN}:5:3: broken YAML: indentation: this line is indented further than the line above"),
    ("\nhours: 12\n", "\n\thours: 12\n",
     f"{SHOWN}:5:1: broken YAML: a tab character: indent with spaces only (YAML does not accept tabs)"),
    (TITLE, TITLE[:-1],
     f"{SHOWN}:3:8: broken YAML: unclosed quote: the quotation mark that starts here is never closed on its line"),
    ("\nhours: 12\n", "\nhours 12\n", f"{SHOWN}:5:1: broken YAML: missing colon: this line should read 'key: value'"),
    (TITLE, TITLE.replace('"', ""),
     f'{SHOWN}:3:38: broken YAML: a colon inside a value: put the value in double quotes, '
     f'e.g. title: "Innovation: a theory"'),
    ("\n  - slug: read-knowledge-production\n    type: reading\n",
     "\n  - slug: read-knowledge-production\n   type: reading\n",
     f"{SHOWN}:{TYPE_LINE}:4: broken YAML: indentation: this line does not line up with the entries above it "
     f"(entries of one list or mapping start in the same column)"),
])
def test_a_broken_yaml_file_gets_one_plain_message_and_no_follow_on_errors(app, broken, old, new, expected):
    broken(MODULE, old, new)
    result = check(app)
    assert result.exit_code == 1
    # The Slovenian variant removes an activity of this module, and the hours of every module add
    # up to the total: neither is reported while the module cannot be read.
    assert problems(result) == [expected]
    assert "1 problem found." in result.output
    assert "Checks across files (references, hours, settings) run once every file above is valid YAML." \
        in result.output


def test_a_duplicate_key_names_both_lines(app, broken):
    broken(MODULE, "\nhours: 12\n", "\nhours: 12\nhours: 12\n")
    result = check(app)
    assert result.exit_code == 1
    assert problems(result) == [f"{SHOWN}:6: duplicate key 'hours' (first on line 5)"]


def test_an_hours_mismatch_points_at_the_hours_line(app, broken):
    broken(MODULE, "\nhours: 12\n", "\nhours: 13\n")
    result = check(app)
    assert result.exit_code == 1
    found = problems(result)
    assert any(line.startswith(f"{SHOWN}:5: module 'innovation-theory' has hours 13, but its activities (")
               and line.endswith(" add up to 12") for line in found)
    total = next(i for i, line in enumerate((CONTENT / "programme.yaml").read_text().splitlines(), 1)
                 if line.startswith("total_hours:"))
    assert any(line.startswith(f"content/programme.yaml:{total}: the modules add up to 161 hours") for line in found)


def test_an_unknown_name_suggests_the_nearest_known_one(app, broken):
    broken("variants/si/variant.yaml", "    activity: read-knowledge-production\n",
           "    activity: read-knowledge-prodution\n")
    result = check(app)
    assert result.exit_code == 1
    line = next(i for i, t in enumerate((CONTENT / "variants/si/variant.yaml").read_text().splitlines(), 1)
                if t == "    activity: read-knowledge-production")
    assert (f"content/variants/si/variant.yaml:{line}: unknown activity 'read-knowledge-prodution' in module "
            f"'innovation-theory' (did you mean 'read-knowledge-production'?)") in problems(result)


def test_an_unknown_competency_and_instrument_suggest_the_nearest(app, broken):
    broken(MODULE, "competencies: [C3, C5, C7]\n", "competencies: [C3, C5, CC7]\n")
    result = check(app)
    assert result.exit_code == 1
    assert f"{SHOWN}:8: unknown competency 'CC7' (did you mean 'C7'?) (known: C1, C2, C3, C4, C5, C6, C7)" \
        in problems(result)
    broken(MODULE, "competencies: [C3, C5, CC7]\n", "competencies: [C3, C5, C7]\n")
    broken("modules/05-case-management/module.yaml", "instrument: interim-evaluation\n",
           "instrument: interim-evalution\n")
    result = check(app)
    assert result.exit_code == 1
    assert problems(result) == ["content/modules/05-case-management/module.yaml:101: instrument not found: "
                                "instruments/interim-evalution.yaml (did you mean 'interim-evaluation'?)"]


def _snapshot() -> tuple:
    programme = db.session.scalar(select(Programme))
    return (programme.version if programme else None,
            sorted((m.slug, m.title, str(m.hours)) for m in db.session.scalars(select(Module))),
            sorted((a.slug, a.title, str(a.hours)) for a in db.session.scalars(select(Activity))))


def test_a_refused_import_leaves_the_database_as_it_was(app, broken):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "import"])
    assert first.exit_code == 0, first.output
    db.session.remove()
    before = _snapshot()
    assert before[1]
    # A valid edit (a new title) beside a broken file: nothing of it may reach the database.
    broken(MODULE, TITLE, 'title: "A new title for innovation theory"')
    broken("modules/00-orientation/module.yaml", "\nhours:", "\n\thours:")
    result = runner.invoke(args=["content", "import"])
    assert result.exit_code == 1
    assert "broken YAML: a tab character" in result.output
    db.session.remove()
    assert _snapshot() == before
    assert "A new title for innovation theory" not in str(before)


def test_an_import_that_fails_half_way_writes_nothing(app, broken, monkeypatch):
    """The programme, modules and resources are written before the activities; when the
    database refuses the activities, none of the rest stays."""
    from sqlalchemy.exc import IntegrityError

    from app.content import importer

    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "import"]).exit_code == 0
    db.session.remove()
    before = _snapshot()
    broken(MODULE, TITLE, 'title: "A new title for innovation theory"')
    broken(MODULE, "\n    title: Knowledge production, expertise and reflection\n",
           "\n    title: Knowledge production, renamed\n")

    def refused(self, *args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("refused"))

    monkeypatch.setattr(importer._Importer, "activities", refused)
    result = runner.invoke(args=["content", "import"])
    assert result.exit_code == 1
    assert "the database refused the import (IntegrityError)" in result.output
    db.session.remove()
    assert _snapshot() == before
