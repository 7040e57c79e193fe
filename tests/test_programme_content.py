"""The real programme in content/ is the one issue 3 describes: 160 hours over 12 months, 100
national and 60 in two transnational weeks, ECVET credits stated, and in every module outcomes
mapped to the seven competencies, Knowledge Triangle resources, homework after its meetings, a
reflection prompt, and the evaluation points placed in time. `flask content check` proves the files
are consistent; these tests prove they say what the programme must say."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.content import load_content, validate
from app.plugins import planned_types, registry

from .test_content_import import REAL_CONTENT


@pytest.fixture(scope="module")
def tree():
    tree = load_content(REAL_CONTENT)
    assert tree.programme is not None and tree.problems == []
    return tree


def _day(activity, meetings: dict) -> int:
    """The day (from the run's start) an activity is due."""
    due = activity.due
    if due.after_meeting is not None:
        return meetings[due.after_meeting.value].after_start_days + due.days
    return due.after_start_days


@pytest.fixture(scope="module")
def meetings(tree) -> dict:
    return {m.slug: m for module in tree.modules for m in module.meetings}


def test_the_check_passes(app, tree):
    assert validate(tree, registry(), planned_types(), None) == []


def test_160_hours_100_national_and_60_in_two_transnational_weeks(tree):
    programme = tree.programme
    assert programme.total_hours == 160 and programme.duration_months == 12
    assert {k: hours for k, (hours, _loc) in programme.component_hours.items()} == {
        "national": Decimal(100), "transnational": Decimal(60)}
    by_component = {c: sum((m.hours for m in tree.modules if m.component == c), Decimal(0))
                    for c in ("national", "transnational")}
    assert by_component == {"national": Decimal(100), "transnational": Decimal(60)}
    weeks = [m for m in tree.modules if m.component == "transnational"]
    assert len(weeks) == 2 and all(m.hours == 30 for m in weeks)
    for week in weeks:
        assert [(m.kind, m.duration_days) for m in week.meetings] == [("transnational", 5)]


def test_national_half_day_meetings_spread_over_the_year(tree):
    national = [m for module in tree.modules for m in module.meetings if m.kind == "national"]
    assert len(national) >= 8
    assert all(m.hours == 4 and m.duration_days == 1 for m in national)
    days = sorted(m.after_start_days for m in national)
    assert days[0] < 30 and days[-1] > 330  # a kick-off in the first month, a closing in the twelfth


def test_ecvet_units_and_credits_are_stated(tree):
    units = tree.programme.ecvet_units
    assert sum((u.credit_points for u in units), Decimal(0)) == 6
    assert all(u.learning_outcomes for u in units)
    assert {o["kind"] for u in units for o in u.learning_outcomes} == {"knowledge", "skills", "competence"}
    assert all(m.ecvet_unit is not None and m.credit_points > 0 for m in tree.modules)


def test_every_competency_is_developed_and_every_outcome_mapped(tree):
    codes = [c.code for c in tree.programme.competencies]
    assert codes == [f"C{i}" for i in range(1, 8)]
    mapped = set()
    for module in tree.modules:
        assert module.learning_outcomes, module.slug
        for outcome in module.learning_outcomes:
            assert outcome.competencies, (module.slug, outcome.text)
            mapped |= {r.value for r in outcome.competencies}
    assert mapped == set(codes)


def test_each_module_has_research_and_practice_resources_and_a_reflection_prompt(tree):
    for module in tree.modules:
        kinds = {r.kind for r in module.resources}
        assert {"research-based", "practice-based"} <= kinds, module.slug
        assert all(r.source for r in module.resources), module.slug
        assert any(a.type == "journal" for a in module.activities), module.slug


def test_tasks_and_homework_follow_each_meeting(tree):
    for module in tree.modules:
        for meeting in module.meetings:
            after = [a for a in module.activities
                     if a.due and a.due.after_meeting and a.due.after_meeting.value == meeting.slug and a.due.days > 0]
            assert after, f"nothing is due after {meeting.slug}"
            assert any(a.type in ("assignment", "journal") for a in after), f"no task after {meeting.slug}"


def test_evaluation_points_before_the_start_half_way_and_at_the_end(tree, meetings):
    evaluations = {a.settings["instrument"]: _day(a, meetings) for a in tree.activities() if a.type == "evaluation"}
    kickoff = min(m.after_start_days for m in meetings.values() if m.kind == "national")
    assert evaluations["needs-survey"] < kickoff and evaluations["self-assessment-baseline"] < kickoff
    for interim in ("interim-evaluation", "self-assessment-interim"):
        assert 150 <= evaluations[interim] <= 215, interim  # month 6, or about
    for final in ("final-evaluation", "self-assessment-final"):
        assert evaluations[final] >= 330, final
    assert all(0 <= day <= 365 for day in (_day(a, meetings) for a in tree.activities() if a.due))


def test_the_themes_of_the_programme_and_the_micro_innovation_life_cycle(tree):
    slugs = [m.slug for m in tree.modules]
    for theme in ("innovation-theory", "abductive-learning", "whole-family-co-creation", "case-management",
                  "communication-reframing", "micro-innovation-life-cycle", "final-presentation-evaluation"):
        assert theme in slugs
    knowledge_triangle = [r for r in tree.resources() if r.slug == "knowledge-triangle"]
    assert knowledge_triangle and knowledge_triangle[0].kind == "training-education"  # a model, not research
    life_cycle = " ".join(
        [m.summary_md for m in tree.modules if m.slug == "micro-innovation-life-cycle"]
        + [r.body_md for r in tree.resources() if r.slug == "innovation-life-cycle"]).lower()
    for stage in ("emergence", "stabilisation", "scaling up"):
        assert stage in life_cycle
    final = next(m for m in tree.modules if m.slug == "final-presentation-evaluation")
    assert any(a.type == "assignment" and a.settings.get("submission") == "template" for a in final.activities)


def test_national_variants_keep_the_common_frame(tree):
    assert {v.country for v in tree.variants} >= {"SI", "PT"}
    transnational = {m.slug for m in tree.modules if m.component == "transnational"}
    for variant in tree.variants:
        touched = [a.module.value for a in (*variant.add, *variant.replace)] + [r.module.value for r in variant.remove]
        assert not set(touched) & transnational, variant.country
        assert all(a.slug.startswith(variant.country.lower() + "-") for a in (*variant.add, *variant.replace))
