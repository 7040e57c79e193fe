"""The richer national variant format (content/README.md, "National variants"): meetings, module
hours, module notes, the national hours band and the protected common frame, each refused at its
file:line by `flask content check`, and the hours table it prints."""
from __future__ import annotations

import textwrap

from .test_content_import import PROGRAMME, REAL_CONTENT, problems, run, write_tree

BANDED = PROGRAMME.replace("hours_by_component:", "national_hours_band: [8, 12]\nhours_by_component:")

FULL_DAY = """\
country: "NO"
notes: Norway meets for full days.
module_notes:
  - module: first
    note: In Norway this module meets for a full day.
meetings:
  - module: first
    sessions:
      - slug: no-full-day
        title: Full day
        hours: 6
        at: {after_start_days: 14}
        start: "09:00"
        end: "16:00"
        place: Trondheim
hours:
  - {module: first, hours: 12}
"""


def variant_tree(tmp_path, text: str, programme: str = BANDED, country: str = "no"):
    content = write_tree(tmp_path, {"programme.yaml": programme})
    folder = content / "variants" / country
    (folder / "lessons").mkdir(parents=True)
    (folder / "lessons" / "x.md").write_text("Text.", encoding="utf-8")
    (folder / "variant.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return content


def test_longer_sessions_with_declared_hours_pass_and_the_table_shows_them(app, tmp_path):
    result = run(app, "check", "--path", str(variant_tree(tmp_path, FULL_DAY)))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "content OK: 2 modules, 3 activities, 20 hours, 1 national variants"
    assert lines[1].split() == ["country", "national", "transnational", "total"]
    assert lines[2].split() == ["NO", "12", "10", "22"]
    assert lines[3].split() == ["others", "10", "10", "20"]


def test_hours_that_do_not_follow_are_refused_at_the_hours_line(app, tmp_path):
    text = FULL_DAY.replace("{module: first, hours: 12}", "{module: first, hours: 11}")
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert result.exit_code == 1
    assert problems(result) == [
        "content/variants/no/variant.yaml:17: module 'first' is declared 11 hours for NO, but its activities "
        "and meetings in this variant add up to 12"]


def test_undeclared_hours_change_is_refused(app, tmp_path):
    text = FULL_DAY.replace("hours:\n  - {module: first, hours: 12}\n", "")
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == [
        "content/variants/no/variant.yaml:1: with this variant, module 'first' has 12 hours for NO instead of 10: "
        "declare it under 'hours:' (module: first, hours: 12) or balance the change"]


def test_national_total_outside_the_band_is_refused(app, tmp_path):
    text = FULL_DAY.replace("hours: 6\n", "hours: 9\n").replace("hours: 12}", "hours: 15}")
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == [
        "content/variants/no/variant.yaml:1: with this variant, NO's national hours are 15, outside the band "
        "8-12 declared at content/programme.yaml:19"]


def test_a_broken_band_is_refused(app, tmp_path):
    programme = PROGRAMME.replace("hours_by_component:", "national_hours_band: [110, 90]\nhours_by_component:")
    result = run(app, "check", "--path", str(write_tree(tmp_path, {"programme.yaml": programme})))
    assert problems(result) == ["content/programme.yaml:19: 'national_hours_band' must be two numbers, lowest "
                                "first, for example [90, 110]"]


def test_transnational_meetings_and_hours_are_the_common_frame(app, tmp_path):
    text = """\
        country: "NO"
        meetings:
          - module: second
            sessions: []
        hours:
          - {module: second, hours: 2}
        """
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == [
        "content/variants/no/variant.yaml:3: module 'second' is a transnational week, part of the common frame: "
        "a variant cannot change its meetings",
        "content/variants/no/variant.yaml:6: module 'second' is a transnational week, part of the common frame: "
        "a variant cannot change its hours"]


def test_competencies_units_instruments_and_modules_are_refused(app, tmp_path):
    text = """\
        country: "NO"
        competencies: [{code: C9, title: Nine}]
        ecvet_units: []
        instruments: [needs-survey]
        modules: [03-third]
        """
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == [
        "content/variants/no/variant.yaml:5: 'modules' cannot be set in a variant: a variant cannot add or remove "
        "modules; change a module's activities, meetings or hours instead",
        "content/variants/no/variant.yaml:2: 'competencies' cannot be set in a variant: the competencies are part "
        "of the common frame: a variant cannot change them",
        "content/variants/no/variant.yaml:3: 'ecvet_units' cannot be set in a variant: the ECVET units are part of "
        "the common frame: a variant cannot change them",
        "content/variants/no/variant.yaml:4: 'instruments' cannot be set in a variant: the evaluation instruments "
        "are part of the common frame: a variant cannot change them"]


def test_an_evaluation_instrument_cannot_be_removed(app, tmp_path):
    first_file = "modules/01-first/module.yaml"
    content = variant_tree(tmp_path, """\
        country: "NO"
        remove:
          - module: first
            activity: read-intro
        hours:
          - {module: first, hours: 8}
        """)
    module = (content / first_file).read_text(encoding="utf-8")
    (content / first_file).write_text(module.replace(
        "  - slug: read-intro\n    type: reading\n", "  - slug: read-intro\n    type: evaluation\n"), encoding="utf-8")
    result = run(app, "check", "--path", str(content))
    assert "content/variants/no/variant.yaml:4: activity 'read-intro' is an evaluation instrument, part of the " \
           "common frame: a variant cannot replace or remove it" in problems(result)


def test_a_session_is_checked_like_a_meeting(app, tmp_path):
    text = FULL_DAY.replace('end: "16:00"', 'end: "08:00"').replace("place: Trondheim", "room: 3")
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == [
        "content/variants/no/variant.yaml:15: unknown key 'room' in session (allowed: slug, title, hours, at, "
        "duration_days, agenda, start, end, place)",
        "content/variants/no/variant.yaml:14: the session must end after it starts (09:00-08:00)"]


def test_the_real_content_has_the_swedish_and_norwegian_variants(app):
    result = run(app, "check", "--path", str(REAL_CONTENT))
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:8]
            if line and line.split()[0] in ("NO", "SE", "others")}
    assert rows["NO"] == ["94", "60", "154"]
    assert rows["SE"] == ["102", "60", "162"]
    assert rows["others"] == ["100", "60", "160"]


def test_a_note_for_an_unknown_module_suggests_the_nearest(app, tmp_path):
    text = FULL_DAY.replace("  - module: first\n    note:", "  - module: frist\n    note:")
    result = run(app, "check", "--path", str(variant_tree(tmp_path, text)))
    assert problems(result) == ["content/variants/no/variant.yaml:4: unknown module 'frist' (did you mean 'first'?)"]
