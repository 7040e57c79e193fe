"""The questionnaires as content files: the shipped ones are valid and comparable, and every
mistake in a file is reported with its file:line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.plugins import ConfigError, ContentContext
from modules.evaluation import plugin
from modules.evaluation.instrument import competency_matrix, load_instrument, retrospective_matrix

ROOT = Path(__file__).resolve().parents[3]
CONTENT = ROOT / "content"
SLUGS = ("needs-survey", "self-assessment-baseline", "self-assessment-interim", "self-assessment-final",
         "interim-evaluation", "final-evaluation")


def validate(slug: str, root: Path = CONTENT) -> dict:
    context = ContentContext(root=root, base_dir=root / "modules" / "00-orientation",
                             file="content/modules/00-orientation/module.yaml", line=47,
                             key_lines={"instrument": 48})
    return plugin.validate_config({"instrument": slug}, context)["instrument"]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_shipped_instrument_is_valid(slug):
    instrument = validate(slug)
    assert instrument["slug"] == slug and instrument["anonymous"] is True


def test_the_self_assessment_asks_the_seven_competencies_the_same_way_three_times():
    matrices = [competency_matrix(validate(f"self-assessment-{phase}")) for phase in ("baseline", "interim", "final")]
    assert [r["key"] for r in matrices[0]["rows"]] == [f"C{i}" for i in range(1, 8)]
    assert matrices[0] == matrices[1] == matrices[2]
    assert [validate(f"self-assessment-{p}")["phase"] for p in ("baseline", "interim", "final")] == \
        ["before", "interim", "final"]


def test_the_final_evaluation_asks_before_and_now_beside_the_pretest():
    retro = retrospective_matrix(validate("final-evaluation"))
    baseline = competency_matrix(validate("self-assessment-baseline"))
    assert retro["rows"] == baseline["rows"] and retro["scale"] == baseline["scale"]


def _questions(slug: str) -> dict[str, dict]:
    return {q["key"]: q for s in validate(slug)["sections"] for q in s["questions"]}


def test_the_evaluations_ask_for_the_toolkit_factors_at_both_levels():
    for slug in ("interim-evaluation", "final-evaluation"):
        questions = _questions(slug)
        for factor in ("promoting", "impeding"):
            for level in ("professional", "organisational"):
                question = questions[f"{factor}_{level}"]
                assert question["type"] == "multiple" and len(question["options"]) >= 5


def test_the_evaluations_cover_reaction_learning_and_change_in_practice():
    interim, final = _questions("interim-evaluation"), _questions("final-evaluation")
    assert {"overall", "parts", "learning", "innovation_stage", "changes"} <= set(interim)
    assert {"overall", "parts", "then_now", "practice_change", "innovation_stage"} <= set(final)


def test_the_needs_survey_asks_needs_practice_and_conditions():
    sections = {s["key"] for s in validate("needs-survey")["sections"]}
    assert sections == {"practice", "needs", "conditions"}
    assert {"topics", "expectations", "practice_now", "organisation"} <= set(_questions("needs-survey"))


def test_the_shipped_instruments_use_every_kind_of_question():
    kinds = {q["type"] for slug in SLUGS for q in _questions(slug).values()}
    scales = {q["scale"] for slug in SLUGS for q in _questions(slug).values() if q["type"] == "matrix"}
    assert kinds == {"scale5", "agreement5", "single", "multiple", "text", "matrix"}
    assert scales == {"scale5", "agreement5"}


def test_the_instruments_open_and_close_in_the_right_order_relative_to_the_run():
    from datetime import date

    from app.models import ProgrammeRun
    from modules.evaluation.services import window
    run = ProgrammeRun(name="x", starts_on=date(2026, 10, 1), ends_on=date(2027, 9, 30))
    w = {slug: window(validate(slug), run) for slug in SLUGS}
    for slug in ("needs-survey", "self-assessment-baseline"):
        assert w[slug].opens_on < run.starts_on < w[slug].closes_on  # before the start
    for slug in ("self-assessment-interim", "interim-evaluation"):
        assert run.starts_on + (run.ends_on - run.starts_on) / 3 < w[slug].opens_on < w[slug].closes_on \
            < run.ends_on - (run.ends_on - run.starts_on) / 3  # half-way
    for slug in ("self-assessment-final", "final-evaluation"):
        assert w[slug].opens_on < run.ends_on < w[slug].closes_on  # at the end


@pytest.mark.parametrize("text, where, message", [
    ("title: X\nsections: []\nopens: {after_start_days: 0}\ncloses: {after_start_days: 9}\n", 2,
     "'sections' must be a non-empty list"),
    ("title: X\nopens: {after_start_days: 5}\ncloses: {after_start_days: 1}\nsections:\n"
     "  - {key: a, title: A, questions: [{key: q, type: text, text: Q}]}\n", 3, "'closes' must come after 'opens'"),
    ("title: X\nopens: {after_start_days: 0}\ncloses: {after_end_days: 9}\nsections:\n  - key: a\n    title: A\n"
     "    questions:\n      - {key: q, type: stars, text: Q}\n", 8, "'type' must be one of"),
    ("title: X\nopens: {after_start_days: 0}\ncloses: {after_end_days: 9}\nsections:\n  - key: a\n    title: A\n"
     "    questions:\n      - {key: q, type: text, text: Q}\n      - {key: q, type: text, text: R}\n", 9,
     "duplicate question key 'q'"),
    ("title: X\nopens: {after_start_days: 0}\ncloses: {after_end_days: 9}\nsections:\n  - key: a\n    title: A\n"
     "    questions:\n      - key: m\n        type: matrix\n        competencies: true\n        text: M\n"
     "        rows: [{key: C9, text: Nine}]\n", 12, "unknown competency 'C9'"),
    ("title: X\nopens: {after_start_days: 0}\ncloses: {after_end_days: 9}\nsections:\n  - key: a\n    title: A\n"
     "    questions:\n      - key: s\n        type: single\n        text: S\n        options: [{key: a, text: A}]\n",
     11, "'options' must list from 2"),
    ("title: X\nopens: {after_start_days: 0}\ncloses: {after_end_days: 9}\nsections:\n  - key: a\n    title: A\n"
     "    questions:\n      - {key: t, type: text, text: T, options: []}\n", 8, "'options' does not apply"),
])
def test_mistakes_are_reported_with_file_and_line(text, where, message):
    with pytest.raises(ConfigError) as error:
        load_instrument(text, "content/instruments/x.yaml", "x", competency_codes={"C1"})
    assert error.value.where == f"content/instruments/x.yaml:{where}"
    assert message in error.value.plain


def test_content_check_refuses_differing_self_assessment_items(app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "instruments" / "self-assessment-final.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Holistic approach:", "Whole family:"),
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert "content/instruments/self-assessment-final.yaml:31: the competency items differ" in result.output


def test_a_missing_instrument_is_reported_at_the_activity(app, tmp_path):
    with pytest.raises(ConfigError, match="instrument not found: instruments/nope.yaml") as error:
        validate("nope")
    assert error.value.where == "content/modules/00-orientation/module.yaml:48"


BLOCK_INSTRUMENT = """\
title: X
anonymous: true
opens: {after_start_days: 0}
closes:
  after_end_days: 9
sections:
  - key: a
    title: A
    questions:
      - key: s
        type: single
        text: S
        options:
          - {key: often, text: Often}
          - key: rarely
            text: Rarely
"""


@pytest.mark.parametrize("change, where, message", [
    (("anonymous: true", "anonymous: nope"), 2, "'anonymous' must be true or false"),
    (("  after_end_days: 9", "  after_end_days: nine"), 4, "'closes' days must be a whole number from -730 to 730"),
    (("        text: S", "        text: [S]"), 12, "'text' must be text"),
    (("title: X", "titel: X"), 1, "unknown key 'titel' (known: title, intro, family, phase, anonymous"),
    (("        type: single", "        kind: single"), 11, "unknown key 'kind' (known: key, type, text"),
    (("            text: Rarely", "            txt: Rarely"), 16,
     "each entry of 'options' must be a mapping with key and text"),
    (("    title: A\n", ""), 7, "'title' must be text"),
    (("closes:\n  after_end_days: 9\n", ""), 1, "'closes' must be one of {after_start_days: N}"),
    (("          - key: rarely\n            text: Rarely\n", ""), 13, "'options' must list from 2 to 30 options"),
])
def test_an_instruments_mistake_names_its_own_line(change, where, message):
    with pytest.raises(ConfigError) as error:
        load_instrument(BLOCK_INSTRUMENT.replace(*change), "content/instruments/x.yaml", "x")
    assert error.value.where == f"content/instruments/x.yaml:{where}"
    assert error.value.plain.startswith(message)


@pytest.mark.parametrize("raw, where, message", [
    ({"instrument": 7}, 48, "'instrument' must name a file in content/instruments/ (a slug)"),
    ({"instrument": "needs-survey", "slug": "x"}, 49, "unknown setting 'slug' (known: instrument)"),
    ({}, 47, "'instrument' must name a file in content/instruments/ (a slug)"),
])
def test_an_evaluations_settings_name_the_line(raw, where, message):
    context = ContentContext(root=CONTENT, base_dir=CONTENT / "modules" / "00-orientation",
                             file="content/modules/00-orientation/module.yaml", line=47,
                             key_lines={"instrument": 48, "slug": 49})
    with pytest.raises(ConfigError) as error:
        plugin.validate_config(raw, context)
    assert (error.value.where, error.value.plain) == (f"content/modules/00-orientation/module.yaml:{where}", message)
