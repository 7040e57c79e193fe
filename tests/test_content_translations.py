"""Content translations by file name (content/README.md, section 19): checked against the source
with file:line, imported idempotently, shown in the reader's language with an English fallback."""
from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, CohortRole, MeetingPlan, Module, Programme

from .test_content_import import FIRST, FIRST_FILE, run, write_tree

REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"

MODULE_SV = """\
# reviewed-by-native-speaker: yes (Anna Berg, 2026-11-20)
title: Första modulen
learning_outcomes:
  - text: Gör saker.
meetings:
  - slug: kickoff
    title: Uppstart
activities:
  - slug: read-intro
    title: Läs inledningen
"""
INTRO_SV = "<!-- reviewed-by-native-speaker: no -->\nDen första modulen.\n"
LESSON_SV = "<!-- reviewed-by-native-speaker: no -->\n# Inledning\n\nVälkommen.\n"


def sv_tree(tmp_path, **extra: str | None) -> Path:
    return write_tree(tmp_path, {"modules/01-first/module.sv.yaml": MODULE_SV,
                                 "modules/01-first/intro.sv.md": INTRO_SV,
                                 "modules/01-first/lessons/intro.sv.md": LESSON_SV, **extra})


def problem_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("content/")]


# -- check -------------------------------------------------------------------------------------

def test_check_counts_translated_items_per_language(app, tmp_path):
    result = run(app, "check", "--path", str(sv_tree(tmp_path)))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Module first and the activity read-intro (title and lesson) are complete; the meeting
    # kickoff is not: its agenda is still English.
    assert "sv: 2 of 12 items translated, 10 missing, 3 files" in lines
    assert "nb: 0 of 12 items translated, 12 missing" in lines
    assert not any(line.startswith("  ") for line in lines)  # the lists only with --languages


def test_check_languages_lists_missing_items_and_unreviewed_files(app, tmp_path):
    result = run(app, "check", "--languages", "--path", str(sv_tree(tmp_path)))
    assert result.exit_code == 0, result.output
    sv = result.output.split("sv: ", 1)[1].split("\nnb: ", 1)[0].splitlines()
    assert "  missing: activity read-more (title, settings)" in sv
    assert "  missing: meeting kickoff (agenda_md)" in sv
    assert "  missing: programme test-programme (title, summary_md)" in sv
    assert not any("module first" in line or "read-intro" in line for line in sv)
    assert "  not reviewed by a native speaker: content/modules/01-first/intro.sv.md" in sv
    assert "  not reviewed by a native speaker: content/modules/01-first/lessons/intro.sv.md" in sv
    assert not any("module.sv.yaml" in line for line in sv)  # its header says yes


def test_real_content_carries_the_swedish_worked_example(app):
    result = run(app, "check", "--languages", "--path", str(REAL_CONTENT))
    assert result.exit_code == 0, result.output
    assert "  not reviewed by a native speaker: content/modules/00-orientation/module.sv.yaml" in result.output
    sv = result.output.split("sv: ", 1)[1].split("\nnb: ", 1)[0]
    assert "missing: module orientation" not in sv
    assert "missing: meeting national-kickoff" not in sv


def test_recording_formats_never_count_as_untranslated(app):
    # stakeholder-conversation and country-group-presentation take recordings (`media:`); with
    # their title and task translated nothing of theirs is missing: mp3 is not a text.
    result = run(app, "check", "--languages", "--path", str(REAL_CONTENT))
    assert result.exit_code == 0, result.output
    assert "media" in (REAL_CONTENT / "modules/07-micro-innovation-life-cycle/module.yaml").read_text()
    for lang in ("sv", "nb", "sl", "pt", "it"):
        if (REAL_CONTENT / f"modules/07-micro-innovation-life-cycle/tasks/stakeholder-conversation.{lang}.md").exists():
            section = result.output.split(f"\n{lang}: ", 1)[1].split("\n", 1)[1].split("\n  not reviewed", 1)[0]
            assert "missing: activity stakeholder-conversation" not in section, lang
            assert "missing: activity country-group-presentation" not in section, lang


def check_problems(app, tmp_path, **files: str) -> list[str]:
    result = run(app, "check", "--path", str(sv_tree(tmp_path, **files)))
    assert result.exit_code == 1, result.output
    return problem_lines(result)


def test_unknown_key_is_a_file_line_error(app, tmp_path):
    found = check_problems(app, tmp_path, **{"modules/01-first/module.sv.yaml": MODULE_SV + "subtitle: Nej\n"})
    assert len(found) == 1
    assert found[0].startswith("content/modules/01-first/module.sv.yaml:11: unknown key 'subtitle'")


def test_changed_slug_and_hours_are_structure_errors(app, tmp_path):
    text = MODULE_SV.replace("  - slug: kickoff\n    title: Uppstart\n",
                             "  - slug: uppstart\n    title: Uppstart\n") + "hours: 12\n"
    found = check_problems(app, tmp_path, **{"modules/01-first/module.sv.yaml": text})
    assert found == [
        "content/modules/01-first/module.sv.yaml:6: unknown slug 'uppstart' in 'meetings' (the source has: kickoff)",
        "content/modules/01-first/module.sv.yaml:11: 'hours' is structure, not text: it lives only in the source "
        "file (translate only texts such as titles, summaries, labels and questions)",
    ]


def test_text_where_the_source_has_text_and_placeholders_kept(app, tmp_path):
    source = (Path(write_tree(tmp_path / "src")) / FIRST_FILE).read_text(encoding="utf-8")
    with_placeholder = source.replace("title: First module", "title: First module for {cohort}")
    text = "title: Första modulen\nlearning_outcomes:\n  - text: [Gör, saker]\n"
    found = check_problems(app, tmp_path, **{FIRST_FILE: with_placeholder, "modules/01-first/module.sv.yaml": text})
    assert found == [
        "content/modules/01-first/module.sv.yaml:1: 'title' loses the placeholder {cohort} of the source",
        "content/modules/01-first/module.sv.yaml:3: 'text' must be text, as in the source",
    ]


def test_invalid_yaml_is_a_file_line_error(app, tmp_path):
    found = check_problems(app, tmp_path, **{"modules/01-first/module.sv.yaml": "title: [Första\nmeetings: x\n"})
    assert len(found) == 1 and found[0].startswith("content/modules/01-first/module.sv.yaml:")
    assert "broken YAML" in found[0]


def test_translation_without_a_source_is_an_error(app, tmp_path):
    found = check_problems(app, tmp_path, **{"modules/01-first/lessons/gone.sv.md": "Borta."})
    assert found == ["content/modules/01-first/lessons/gone.sv.md:1: no source file gone.md beside this translation"]



RECORDED = FIRST.replace("""\
  - slug: read-more
    type: reading
    title: Read more
    hours: 4
    due: {after_meeting: kickoff, days: 7}
    competencies: [C1, C2]
    settings:
      body: lessons/more.md
""", """\
  - slug: talk
    type: assignment
    title: Record a conversation
    hours: 4
    due: {after_meeting: kickoff, days: 7}
    competencies: [C1, C2]
    settings:
      instructions: tasks/talk.md
      submission: text
      media: [mp3, m4a, webm]
      completion: submitted
""")


def test_recording_formats_are_structure_not_text(app, tmp_path):
    """An assignment's `media` list names file types: a translated title and task cover it, and a
    translation that lists the formats again is told they live in the source."""
    module_sv = MODULE_SV + "  - slug: talk\n    title: Spela in ett samtal\n"
    files = {FIRST_FILE: RECORDED, "modules/01-first/tasks/talk.md": "# Task\n\nRecord it.",
             "modules/01-first/lessons/more.md": None, "modules/01-first/module.sv.yaml": module_sv,
             "modules/01-first/tasks/talk.sv.md": "<!-- reviewed-by-native-speaker: no -->\n# Uppgift\n"}
    result = run(app, "check", "--languages", "--path", str(sv_tree(tmp_path, **files)))
    assert result.exit_code == 0, result.output
    sv = result.output.split("sv: ", 1)[1].split("\nnb: ", 1)[0]
    assert "missing: activity talk" not in sv
    nb = result.output.split("\nnb: ", 1)[1].split("\nsl: ", 1)[0]
    assert "missing: activity talk (title, settings)" in nb

    relisted = module_sv + "    settings:\n      media: [mp3, m4a, webm]\n"
    found = check_problems(app, tmp_path / "again", **{**files, "modules/01-first/module.sv.yaml": relisted})
    assert set(found) == {  # once per listed format
        "content/modules/01-first/module.sv.yaml:14: 'media' is structure, not text: it lives only in the source "
        "file (translate only texts such as titles, summaries, labels and questions)",
    }

# -- import ------------------------------------------------------------------------------------

def test_a_bad_translation_imports_nothing(app, tmp_path):
    content = sv_tree(tmp_path, **{"modules/01-first/module.sv.yaml": MODULE_SV + "hours: 3\n"})
    result = run(app, "import", "--path", str(content))
    assert result.exit_code == 1
    assert db.session.scalar(select(Programme)) is None
    assert db.session.scalar(select(Module)) is None


def test_import_stores_translations_and_is_idempotent(app, tmp_path):
    content = sv_tree(tmp_path)
    first = run(app, "import", "--path", str(content))
    assert first.exit_code == 0, first.output
    module = db.session.scalar(select(Module).where(Module.slug == "first"))
    assert module.title == "First module"  # the source stays in its columns
    assert module.translations == {"sv": {"title": "Första modulen", "summary_md": "Den första modulen.\n",
                                          "learning_outcomes": [{"text": "Gör saker."}]}}
    plan = db.session.scalar(select(MeetingPlan).where(MeetingPlan.slug == "kickoff"))
    assert plan.translations == {"sv": {"title": "Uppstart"}}
    lesson = db.session.scalar(select(Activity).where(Activity.slug == "read-intro"))
    assert lesson.translations["sv"]["settings"] == {"body_md": "# Inledning\n\nVälkommen.\n"}
    assert "\u2063" not in repr(lesson.translations)
    again = run(app, "import", "--path", str(content))
    assert again.exit_code == 0 and "Nothing to change." in again.output
    # Taking a translation away updates just that row.
    (content / "modules/01-first/intro.sv.md").unlink()
    third = run(app, "import", "--path", str(content))
    assert "Modules: 1 updated (first: translations)" in third.output
    db.session.expire_all()
    assert "summary_md" not in db.session.scalar(select(Module).where(Module.slug == "first")).translations["sv"]


# -- display -----------------------------------------------------------------------------------

def trainee(app, tmp_path, factory, locale: str):
    assert run(app, "import", "--path", str(sv_tree(tmp_path))).exit_code == 0
    user = factory.user("Sara Lind", locale=locale)
    factory.member(user, factory.cohort(country="SE"), CohortRole.TRAINEE)
    db.session.commit()
    return user


def test_a_swedish_trainee_reads_the_module_in_swedish(app, tmp_path, factory, client, login):
    login(trainee(app, tmp_path, factory, "sv"))
    page = client.get("/programme/modules/first").get_data(as_text=True)
    assert "<h1>Första modulen</h1>" in page
    assert "Gör saker." in page and "Does things." not in page
    assert "Den första modulen." in page
    assert "Uppstart" in page and "Läs inledningen" in page
    # Not translated: English, marked for screen readers, with the note in the reader's language.
    assert '<span lang="en">Read more</span>' in page
    with app.test_request_context(), force_locale("sv"):
        note = gettext("Not yet available in %(language)s — shown in English", language="Svenska")
    assert note != "Not yet available in Svenska — shown in English" and note in page
    lesson = client.get("/a/reading/read-intro").get_data(as_text=True)
    assert "Välkommen." in lesson and "Welcome." not in lesson


def test_missing_lesson_falls_back_to_english_with_the_marker(app, tmp_path, factory, client, login):
    login(trainee(app, tmp_path, factory, "sv"))
    lesson = client.get("/a/reading/read-more").get_data(as_text=True)
    assert '<article class="mb-4 content-body" lang="en">' in lesson
    assert "More to read." in lesson
    assert "Svenska" in lesson and "fallback-note" in lesson


def test_an_english_reader_sees_the_source_without_markers(app, tmp_path, factory, client, login):
    login(trainee(app, tmp_path, factory, "en"))
    page = client.get("/programme/modules/first").get_data(as_text=True)
    assert "<h1>First module</h1>" in page and "Does things." in page
    assert "fallback-note" not in page and "Första" not in page


# -- a template's choices: matched by value, only the label is text ----------------------------

PLAN_TEMPLATE = """\
slug: plan
title: Plan
fields:
  - key: stage
    type: choice
    label: Stage
    choices:
      - {value: emergence, label: Emergence}
      - {value: stabilisation, label: Stabilisation}
      - {value: scaling-up, label: Scaling up}
    required: true
"""
PLAN_SV = """\
# reviewed-by-native-speaker: no
title: Plan
fields:
  - key: stage
    label: Fas
    choices:
      - {value: emergence, label: Framväxt}
      - {value: scaling-up, label: Spridning}
"""
PLAN_ACTIVITY = """\
  - slug: plan
    type: assignment
    title: Write the plan
    hours: 2
    competencies: [C1]
    settings:
      instructions: tasks/plan.md
      submission: template
      template: plan
"""


def template_tree(tmp_path, plan_sv: str = PLAN_SV) -> Path:
    # read-more gives two of its hours to the plan, so the module still adds up.
    first = FIRST.replace("    title: Read more\n    hours: 4\n", "    title: Read more\n    hours: 2\n")
    return sv_tree(tmp_path, **{FIRST_FILE: first + PLAN_ACTIVITY,
                                "modules/01-first/tasks/plan.md": "Write your plan.",
                                "templates/plan.yaml": PLAN_TEMPLATE, "templates/plan.sv.yaml": plan_sv})


def test_a_swedish_trainee_sees_the_translated_choice_labels(app, tmp_path, factory, client, login):
    assert run(app, "import", "--path", str(template_tree(tmp_path))).exit_code == 0
    user = factory.user("Sara Lind", locale="sv")
    factory.member(user, factory.cohort(country="SE"), CohortRole.TRAINEE)
    db.session.commit()
    login(user)
    page = client.get("/a/assignment/plan").get_data(as_text=True)
    assert "Fas" in page and "Framväxt" in page and "Spridning" in page
    assert "Emergence" not in page and "Scaling up" not in page
    assert "Stabilisation" in page  # not translated: the English label
    assert 'value="emergence"' in page and 'value="scaling-up"' in page  # the stored values stay


def test_a_translated_choice_names_a_value_of_the_source(app, tmp_path):
    wrong = PLAN_SV.replace("{value: scaling-up, label: Spridning}", "{value: scaling_up, label: Spridning}")
    result = run(app, "check", "--path", str(template_tree(tmp_path, wrong)))
    assert result.exit_code == 1, result.output
    assert problem_lines(result) == [
        "content/templates/plan.sv.yaml:8: unknown value 'scaling_up' in 'choices' "
        "(the source has: emergence, stabilisation, scaling-up)"]
