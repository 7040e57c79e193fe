"""`flask content check` and `flask content import`, with small content trees written to tmp_path.
Each error case asserts the exact file:line of the message."""
from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Competency, Completion, MeetingPlan, Module, Programme, Resource
from app.plugins import planned_types, registry

from .programme_data import complete

REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"

PROGRAMME = """\
slug: test-programme
title: Test programme
version: "1"
total_hours: 20
duration_months: 12
summary: A small programme.
competencies:
  - {code: C1, title: One}
  - {code: C2, title: Two}
ecvet_units:
  - code: U1
    title: Unit one
    credit_points: 1
    learning_outcomes:
      - {kind: knowledge, text: Knows things.}
modules:
  - 01-first
  - 02-second
hours_by_component: {national: 10, transnational: 10}
"""
PROGRAMME_SPLIT_LINE = 19

FIRST = """\
slug: first
order: 1
title: First module
component: national
hours: 10
ecvet_unit: U1
credit_points: 0.5
competencies: [C1]
summary: intro.md
learning_outcomes:
  - {text: Does things., competencies: [C1]}
resources:
  - resources/guide.md
meetings:
  - slug: kickoff
    kind: national
    title: Kick-off
    hours: 4
    at: {after_start_days: 14}
    agenda: "- Welcome"
activities:
  - slug: read-intro
    type: reading
    title: Read the introduction
    hours: 2
    due: {after_start_days: 7}
    competencies: [C1]
    settings:
      body: lessons/intro.md
      resources: [resources/guide.md]
  - slug: read-more
    type: reading
    title: Read more
    hours: 4
    due: {after_meeting: kickoff, days: 7}
    competencies: [C1, C2]
    settings:
      body: lessons/more.md
"""
FIRST_FILE, SECOND_FILE = "modules/01-first/module.yaml", "modules/02-second/module.yaml"
# Line numbers in FIRST the tests rely on.
FIRST_ACTIVITY_LINE, SECOND_ACTIVITY_LINE = 22, 31

SECOND = """\
slug: second
order: 2
title: Second module
component: transnational
hours: 10
ecvet_unit: U1
credit_points: 0.5
summary: intro.md
meetings:
  - slug: week
    kind: transnational
    title: Transnational week
    hours: 8
    at: {after_start_days: 60}
    duration_days: 5
activities:
  - slug: read-week
    type: reading
    title: Before the week
    hours: 2
    settings:
      body: lesson.md
"""

GUIDE = """\
---
slug: guide
title: A guide
kind: practice-based
competencies: [C1]
source: The LIFE Toolkit
---
# The guide

Some practice knowledge.
"""

VARIANT = """\
country: SE
summary: Sweden replaces one reading.
replace:
  - module: first
    activity: read-more
    with:
      slug: se-read-more
      type: reading
      title: Read more, the Swedish way
      hours: 4
      settings:
        body: lessons/se.md
"""


def write_tree(root: Path, changes: dict[str, str | None] | None = None) -> Path:
    """A valid content tree in root/content; `changes` replace files (None deletes one)."""
    files: dict[str, str | None] = {
        "programme.yaml": PROGRAMME,
        FIRST_FILE: FIRST,
        "modules/01-first/intro.md": "The first module.",
        "modules/01-first/lessons/intro.md": "# Introduction\n\nWelcome.",
        "modules/01-first/lessons/more.md": "More to read.",
        "modules/01-first/resources/guide.md": GUIDE,
        SECOND_FILE: SECOND,
        "modules/02-second/intro.md": "The second module.",
        "modules/02-second/lesson.md": "Prepare for the week.",
        **(changes or {}),
    }
    content = root / "content"
    for path, text in files.items():
        if text is None:
            (content / path).unlink(missing_ok=True)
            continue
        (content / path).parent.mkdir(parents=True, exist_ok=True)
        (content / path).write_text(text, encoding="utf-8")
    return content


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["content", *args])


def problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if ":" in line and not line.endswith("found.")]


@pytest.fixture
def tree(tmp_path) -> Path:
    return write_tree(tmp_path)


# -- check ------------------------------------------------------------------------------------

def test_valid_tree_passes_the_check(app, tree):
    result = run(app, "check", "--path", str(tree))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "content OK: 2 modules, 3 activities, 20 hours"


def test_broken_yaml_names_the_line(app, tmp_path):
    broken = FIRST.replace("title: First module", "title: [First module")
    content = write_tree(tmp_path, {FIRST_FILE: broken})
    result = run(app, "check", "--path", str(content))
    assert result.exit_code == 1
    assert problems(result) == ["content/modules/01-first/module.yaml:3:8: broken YAML: unclosed list: the '[' that "
                                "starts here needs a closing ']' on the same entry"]


def test_unknown_activity_type(app, tmp_path):
    content = write_tree(tmp_path, {FIRST_FILE: FIRST.replace("type: reading", "type: quizz", 1)})
    result = run(app, "check", "--path", str(content))
    known = ", ".join([*registry().names(), *planned_types()])
    assert result.exit_code == 1
    assert problems(result) == [
        f"content/modules/01-first/module.yaml:{FIRST_ACTIVITY_LINE}: unknown activity type 'quizz' (known: {known})"]


def test_module_hours_must_add_up(app, tmp_path):
    content = write_tree(tmp_path, {FIRST_FILE: FIRST.replace("hours: 10", "hours: 11")})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/01-first/module.yaml:5: module 'first' has hours 11, but its activities (6) and "
        "meetings (4) add up to 10",
        "content/programme.yaml:4: the modules add up to 21 hours, but total_hours is 20",
        f"content/programme.yaml:{PROGRAMME_SPLIT_LINE}: the national modules add up to 11 hours, but "
        "hours_by_component gives national 10"]


def test_national_and_transnational_hours_must_add_up(app, tmp_path):
    split = PROGRAMME.replace("{national: 10, transnational: 10}", "{national: 12, transnational: 10}")
    content = write_tree(tmp_path, {"programme.yaml": split})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        f"content/programme.yaml:{PROGRAMME_SPLIT_LINE}: hours_by_component adds up to 22 hours, but total_hours is 20",
        f"content/programme.yaml:{PROGRAMME_SPLIT_LINE}: the national modules add up to 10 hours, but "
        "hours_by_component gives national 12"]


def test_the_split_must_be_stated(app, tmp_path):
    content = write_tree(tmp_path, {"programme.yaml": PROGRAMME.replace("hours_by_component", "hours_by_part")})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        f"content/programme.yaml:{PROGRAMME_SPLIT_LINE}: unknown key 'hours_by_part' in programme (allowed: slug, "
        "title, version, total_hours, hours_by_component, competencies, modules, duration_months, summary, "
        "ecvet_units, eqf_level, national_hours_band)",
        "content/programme.yaml:1: missing key 'hours_by_component' in programme"]


def test_a_meetings_kind_must_match_its_module(app, tmp_path):
    content = write_tree(tmp_path, {SECOND_FILE: SECOND.replace("kind: transnational", "kind: national")})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/02-second/module.yaml:10: meeting 'week' is national, but module 'second' is "
        "transnational: a meeting's kind must match its module's component"]


def test_module_order_follows_programme_yaml(app, tmp_path):
    content = write_tree(tmp_path, {SECOND_FILE: SECOND.replace("order: 2", "order: 0")})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/02-second/module.yaml:1: module 'second' has order 0, but it comes after 'first' "
        "(order 1) in programme.yaml's modules"]


def test_duplicate_slug_says_where_the_first_one_is(app, tmp_path):
    second = SECOND.replace("slug: read-week", "slug: read-intro")
    content = write_tree(tmp_path, {SECOND_FILE: second})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/02-second/module.yaml:17: duplicate activity slug 'read-intro' "
        f"(first at content/modules/01-first/module.yaml:{FIRST_ACTIVITY_LINE})"]


def test_duplicate_module_meeting_and_resource_slugs(app, tmp_path):
    second = SECOND.replace("slug: second", "slug: first").replace("slug: week", "slug: kickoff")
    guide_copy = GUIDE.replace("title: A guide", "title: Another guide")
    first = FIRST.replace("  - resources/guide.md\n", "  - resources/guide.md\n  - resources/copy.md\n")
    content = write_tree(tmp_path, {SECOND_FILE: second, FIRST_FILE: first,
                                    "modules/01-first/resources/copy.md": guide_copy})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/02-second/module.yaml:1: duplicate module slug 'first' "
        "(first at content/modules/01-first/module.yaml:1)",
        "content/modules/02-second/module.yaml:10: duplicate meeting slug 'kickoff' "
        "(first at content/modules/01-first/module.yaml:16)",
        "content/modules/01-first/resources/copy.md:1: duplicate resource slug 'guide' "
        "(first at content/modules/01-first/resources/guide.md:1)"]


def test_unknown_competency(app, tmp_path):
    first = FIRST.replace("  - {text: Does things., competencies: [C1]}",
                          "  - {text: Does things., competencies: [C1, C3]}")
    guide = GUIDE.replace("competencies: [C1]", "competencies:\n  - C1\n  - C0")
    content = write_tree(tmp_path, {FIRST_FILE: first, "modules/01-first/resources/guide.md": guide})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/01-first/module.yaml:11: unknown competency 'C3' (known: C1, C2)",
        "content/modules/01-first/resources/guide.md:7: unknown competency 'C0' (known: C1, C2)"]


def test_unknown_competency_and_ecvet_unit(app, tmp_path):
    first = FIRST.replace("competencies: [C1, C2]", "competencies: [C1, C9]") \
        .replace("ecvet_unit: U1", "ecvet_unit: U7")
    content = write_tree(tmp_path, {FIRST_FILE: first})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/01-first/module.yaml:6: unknown ECVET unit 'U7' (known: U1)",
        "content/programme.yaml:11: ECVET unit U1 has 1 credit points, but its modules' credit points add up to 0.5",
        "content/modules/01-first/module.yaml:36: unknown competency 'C9' (known: C1, C2)"]


def test_missing_and_unknown_keys(app, tmp_path):
    first = FIRST.replace("    title: Read more\n", "    titel: Read more\n")
    content = write_tree(tmp_path, {FIRST_FILE: first})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/01-first/module.yaml:33: unknown key 'titel' in activity "
        "(allowed: slug, type, title, hours, required, due, competencies, settings)",
        f"content/modules/01-first/module.yaml:{SECOND_ACTIVITY_LINE}: missing key 'title' in activity"]


def test_missing_files_and_unknown_meeting(app, tmp_path):
    first = FIRST.replace("body: lessons/more.md", "body: lessons/gone.md").replace(
        "after_meeting: kickoff", "after_meeting: kick-off")
    content = write_tree(tmp_path, {FIRST_FILE: first, "modules/01-first/intro.md": None})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/modules/01-first/module.yaml:9: file not found: content/modules/01-first/intro.md",
        "content/modules/01-first/module.yaml:35: unknown meeting 'kick-off' in the due rule (did you mean 'kickoff'?)",
        "content/modules/01-first/module.yaml:38: file not found: lessons/gone.md"]


def test_every_problem_is_reported_at_once(app, tmp_path):
    first = FIRST.replace("type: reading", "type: quizz", 1).replace("competencies: [C1, C2]", "competencies: [C8]")
    second = SECOND.replace("hours: 8", "hours: 9")
    content = write_tree(tmp_path, {FIRST_FILE: first, SECOND_FILE: second})
    result = run(app, "check", "--path", str(content))
    assert result.exit_code == 1
    assert [p.split(": ")[0] for p in problems(result)] == [
        "content/modules/02-second/module.yaml:5",  # hours
        f"content/modules/01-first/module.yaml:{FIRST_ACTIVITY_LINE}",  # type
        "content/modules/01-first/module.yaml:36"]  # competency
    assert result.output.strip().endswith("3 problems found.")


def test_empty_file_and_quoted_hours(app, tmp_path):
    content = write_tree(tmp_path, {SECOND_FILE: "", FIRST_FILE: FIRST.replace("hours: 10", 'hours: "10"')})
    result = run(app, "check", "--path", str(content))
    assert problems(result)[:2] == ["content/modules/01-first/module.yaml:5: 'hours' must be a number",
                                    "content/modules/02-second/module.yaml:1: the file is empty"]


def test_resource_front_matter_is_checked(app, tmp_path):
    guide = GUIDE.replace("kind: practice-based", "kind: anecdotal")
    content = write_tree(tmp_path, {"modules/01-first/resources/guide.md": guide})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == ["content/modules/01-first/resources/guide.md:4: kind 'anecdotal' must be one of: "
                                "practice-based, training-education, research-based"]


def test_variant_problems(app, tmp_path):
    content = write_tree(tmp_path)
    variant = content / "variants" / "xx"
    (variant / "lessons").mkdir(parents=True)
    (variant / "lessons" / "se.md").write_text("Hej.", encoding="utf-8")
    (variant / "variant.yaml").write_text(textwrap.dedent("""\
        country: XX
        add:
          - module: nowhere
            activity: {slug: xx-extra, type: reading, title: Extra, hours: 1, settings: {body: lessons/se.md}}
        replace:
          - module: first
            activity: read-less
            with: {slug: xx-less, type: reading, title: Less, hours: 1, settings: {body: lessons/se.md}}
        remove:
          - module: second
            activity: read-week
        """), encoding="utf-8")
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        "content/variants/xx/variant.yaml:1: unknown country 'XX' (known: IT, NO, PT, SE, SI)",
        "content/variants/xx/variant.yaml:3: unknown module 'nowhere'",
        ("content/variants/xx/variant.yaml:7: unknown activity 'read-less' in module 'first' "
         "(did you mean 'read-more'?)"),
        ("content/variants/xx/variant.yaml:10: module 'second' is a transnational week, part of the common "
         "frame: a variant cannot change its activities")]


def test_a_variant_declares_a_modules_new_hours(app, tmp_path):
    content = write_tree(tmp_path)
    variant = content / "variants" / "se"
    (variant / "lessons").mkdir(parents=True)
    (variant / "lessons" / "se.md").write_text("Hej.", encoding="utf-8")
    # 2 hours more in the first module, not declared, and no band in programme.yaml.
    (variant / "variant.yaml").write_text(textwrap.dedent("""\
        country: SE
        add:
          - module: first
            activity: {slug: se-extra, type: reading, title: Extra, hours: 2, settings: {body: lessons/se.md}}
        """), encoding="utf-8")
    result = run(app, "check", "--path", str(content))
    assert problems(result) == [
        ("content/variants/se/variant.yaml:1: with this variant, module 'first' has 12 hours for SE instead of 10: "
         "declare it under 'hours:' (module: first, hours: 12) or balance the change"),
        ("content/variants/se/variant.yaml:1: with this variant, SE's national hours are 12; without a "
         "'national_hours_band' in programme.yaml they must stay 10")]


def test_a_plugin_validates_its_own_settings(app, tmp_path):
    first = FIRST.replace("      body: lessons/intro.md\n", "      body: lessons/intro.md\n      colour: blue\n")
    content = write_tree(tmp_path, {FIRST_FILE: first})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == ["content/modules/01-first/module.yaml:30: unknown setting 'colour' for a reading "
                                "(allowed: body, resources)"]


# -- import -----------------------------------------------------------------------------------

def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Programme, Competency, Module, MeetingPlan, Activity, Resource)}


def test_import_creates_everything_and_a_second_run_changes_nothing(app, tree):
    result = run(app, "import", "--path", str(tree))
    assert result.exit_code == 0, result.output
    assert "Imported test-programme 1:" in result.output
    assert "Activities: 3 created (read-intro, read-more, read-week)" in result.output
    assert counts() == {"Programme": 1, "Competency": 2, "Module": 2, "MeetingPlan": 2, "Activity": 3, "Resource": 1}
    lesson = db.session.scalar(select(Activity).where(Activity.slug == "read-intro"))
    assert lesson.hours == Decimal("2")
    assert lesson.settings == {"body": "lessons/intro.md", "body_md": "# Introduction\n\nWelcome.",
                               "resources": ["guide"]}
    assert lesson.due_rule == {"after_start_days": 7}
    assert lesson.module.summary_md == "The first module."

    again = run(app, "import", "--path", str(tree))
    assert again.exit_code == 0
    assert again.output.strip() == "Nothing to change."


def test_dry_run_lists_changes_and_writes_nothing(app, tree):
    result = run(app, "import", "--path", str(tree), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dry run: nothing was written.")
    assert "Modules: 2 created (first, second)" in result.output
    db.session.rollback()
    assert counts()["Activity"] == 0


def test_reimport_updates_in_place_retires_and_keeps_trainees_work(app, tmp_path, factory):
    tree = write_tree(tmp_path)
    run(app, "import", "--path", str(tree))
    trainee = factory.user()
    lesson = db.session.scalar(select(Activity).where(Activity.slug == "read-more"))
    lesson_id = lesson.id
    complete(trainee, lesson)
    db.session.commit()

    changed = FIRST.replace("title: Read more", "title: Read a little more")
    write_tree(tmp_path, {FIRST_FILE: changed})
    dry = run(app, "import", "--path", str(tree), "--dry-run")
    assert "Activities: 1 updated (read-more: title); 2 unchanged" in dry.output
    result = run(app, "import", "--path", str(tree))
    assert "Activities: 1 updated (read-more: title); 2 unchanged" in result.output
    db.session.expire_all()
    lesson = db.session.get(Activity, lesson_id)
    assert lesson.title == "Read a little more"

    # Taking the activity out of the files retires it; the completion stays.
    removed = changed[:changed.index("  - slug: read-more")].replace("hours: 10", "hours: 6")
    smaller = PROGRAMME.replace("total_hours: 20", "total_hours: 16").replace("national: 10,", "national: 6,")
    write_tree(tmp_path, {FIRST_FILE: removed, "programme.yaml": smaller})
    result = run(app, "import", "--path", str(tree))
    assert result.exit_code == 0, result.output
    assert "Activities: 1 retired (read-more); 2 unchanged" in result.output
    db.session.expire_all()
    assert db.session.get(Activity, lesson_id).retired is True
    assert db.session.scalar(select(func.count()).select_from(Completion)
                             .where(Completion.activity_id == lesson_id)) == 1

    # Putting it back brings back the same row.
    write_tree(tmp_path, {FIRST_FILE: changed})
    result = run(app, "import", "--path", str(tree))
    assert "read-more: retired" in result.output
    db.session.expire_all()
    assert db.session.get(Activity, lesson_id).retired is False


def test_national_variant_is_imported_with_its_country(app, tmp_path):
    content = write_tree(tmp_path)
    variant = content / "variants" / "se"
    (variant / "lessons").mkdir(parents=True)
    (variant / "lessons" / "se.md").write_text("Hej.", encoding="utf-8")
    (variant / "variant.yaml").write_text(VARIANT, encoding="utf-8")
    check = run(app, "check", "--path", str(content))
    assert check.output.splitlines()[0] == "content OK: 2 modules, 3 activities, 20 hours, 1 national variants"
    run(app, "import", "--path", str(content))
    national = db.session.scalar(select(Activity).where(Activity.slug == "se-read-more"))
    assert national.country.code == "SE"
    assert national.replaces.slug == "read-more"
    assert national.settings["body_md"] == "Hej."


def test_planned_type_is_imported_without_a_plugin(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LIFE_PLANNED_ACTIVITY_TYPES", ["futuretype"])
    first = FIRST.replace("type: reading\n    title: Read more", "type: futuretype\n    title: Read more")
    first = first.replace("      body: lessons/more.md\n", "      anything: goes\n")
    content = write_tree(tmp_path, {FIRST_FILE: first})
    result = run(app, "import", "--path", str(content))
    assert result.exit_code == 0, result.output
    planned = db.session.scalar(select(Activity).where(Activity.slug == "read-more"))
    assert planned.type == "futuretype"
    assert planned.settings == {"anything": "goes"}


# -- the real programme -----------------------------------------------------------------------

def test_the_real_content_passes_the_check_and_imports(app):
    check = run(app, "check", "--path", str(REAL_CONTENT))
    assert check.exit_code == 0, check.output
    assert check.output.startswith("content OK: 10 modules,")
    assert ", 160 hours" in check.output
    result = run(app, "import", "--path", str(REAL_CONTENT))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Module)) == 10
    assert run(app, "import", "--path", str(REAL_CONTENT)).output.strip() == "Nothing to change."


def test_a_resource_can_be_a_file_and_is_served_from_the_upload_folder(app, tmp_path, client, world, login):
    guide = GUIDE.replace("source: The LIFE Toolkit\n", "source: The LIFE Toolkit\nfile: files/guide.pdf\n")
    guide = guide[:guide.rindex("---") + 4]  # no body: the file is the resource
    content = write_tree(tmp_path, {"modules/01-first/resources/guide.md": guide})
    result = run(app, "check", "--path", str(content))
    assert problems(result) == ["content/modules/01-first/resources/guide.md:7: file not found: files/guide.pdf",
                                "content/modules/01-first/resources/guide.md:1: a resource needs a Markdown body "
                                "or a 'file'"]

    (content / "modules/01-first/resources/files").mkdir()
    (content / "modules/01-first/resources/files/guide.pdf").write_bytes(b"%PDF-1.4 a guide")
    dry = run(app, "import", "--path", str(content), "--dry-run")
    assert "would copy file modules/01-first/resources/files/guide.pdf" in dry.output
    result = run(app, "import", "--path", str(content))
    assert "copied file modules/01-first/resources/files/guide.pdf" in result.output
    assert run(app, "import", "--path", str(content)).output.strip() == "Nothing to change."

    login(world.trainee)  # the installation's only programme is the one the run teaches
    library = client.get("/programme/resources").get_data(as_text=True)
    assert 'href="/programme/resources/guide"' in library
    resource = client.get("/programme/resources/guide").get_data(as_text=True)
    assert 'href="/programme/resources/guide/file">Open the file</a>' in resource
    download = client.get("/programme/resources/guide/file")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 a guide"
    assert download.mimetype == "application/pdf"
