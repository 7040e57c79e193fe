"""Evaluation activities built straight in the database on top of tests/programme_data.py.

Windows are set relative to today, so a questionnaire is open (or closed, or not yet open)
whatever day the suite runs."""
from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import Activity, CohortRole, Module, ProgrammeRun
from app.timeutil import utcnow
from modules.evaluation.instrument import load_instrument
from tests.factories import Factory
from tests.programme_data import build_programme

SURVEY = """\
title: Test survey
intro: Tell us **honestly**.
family: {family}
phase: {phase}
anonymous: {anonymous}
opens: {{after_start_days: {opens}}}
closes: {{after_start_days: {closes}}}
sections:
  - key: main
    title: About the programme
    questions:
      - {{key: overall, type: scale5, text: "How useful is the programme?", required: true}}
      - key: role
        type: single
        text: What is your role?
        options:
          - {{key: sw, text: Social worker}}
          - {{key: ot, text: Occupational therapist}}
      - key: topics
        type: multiple
        text: Which topics help you most?
        max_choices: 2
        options:
          - {{key: family, text: The whole family}}
          - {{key: cases, text: Case management}}
          - {{key: research, text: Research}}
      - {{key: comment, type: text, text: "Anything else you want to tell us?", max_length: 300}}
  - key: growth
    title: Your competencies
    questions:
      - key: competencies
        type: matrix
        competencies: true
        required: true
        text: Where are you today?
        rows:
          - {{key: C1, text: Holistic approach}}
          - {{key: C2, text: Setting priorities}}
"""

RETRO = """\
title: Final evaluation
family: programme-evaluation
phase: final
anonymous: true
opens: {{after_start_days: {opens}}}
closes: {{after_start_days: {closes}}}
sections:
  - key: back
    title: Looking back
    questions:
      - key: then_now
        type: matrix
        competencies: true
        retrospective: true
        required: true
        text: Before the programme, and now
        rows:
          - {{key: C1, text: Holistic approach}}
          - {{key: C2, text: Setting priorities}}
"""


def days_since_start(run: ProgrammeRun) -> int:
    return (utcnow().date() - run.starts_on).days


def instrument(run: ProgrammeRun, *, state: str = "open", family: str = "test-survey", phase: str = "before",
               anonymous: bool = True, template: str = SURVEY, slug: str = "test-survey") -> dict:
    """A checked instrument whose window is open today (or closed / upcoming)."""
    today = days_since_start(run)
    opens, closes = {"open": (today - 5, today + 5), "closed": (today - 20, today - 1),
                     "upcoming": (today + 1, today + 20)}[state]
    text = template.format(family=family, phase=phase, anonymous=str(anonymous).lower(), opens=opens, closes=closes)
    return load_instrument(text, f"content/instruments/{slug}.yaml", slug,
                           competency_codes={f"C{i}" for i in range(1, 8)})


def add_evaluation(module: Module, slug: str, inst: dict, *, position: int = 50) -> Activity:
    activity = Activity(module=module, slug=slug, type="evaluation", title=inst["title"] + f" ({slug})",
                        hours=Decimal(1), required=True, due_rule={"after_start_days": 10}, position=position,
                        competencies=["C7"], settings={"instrument": inst})
    db.session.add(activity)
    db.session.flush()
    return activity


def evaluation_for_world(world, **kw) -> Activity:
    """One open questionnaire in the world's programme (built once per world)."""
    built = getattr(world, "_programme", None)
    if built is None:
        built = world._programme = build_programme(run=world.run, slug="authz")
    activity = add_evaluation(built.modules[0], kw.pop("slug", "eval-survey"), instrument(world.run, **kw))
    db.session.commit()
    return activity


def set_window(activity: Activity, run: ProgrammeRun, state: str) -> None:
    inst = dict(activity.settings["instrument"])
    today = days_since_start(run)
    opens, closes = {"open": (today - 5, today + 5), "closed": (today - 20, today - 1),
                     "upcoming": (today + 1, today + 20)}[state]
    inst["opens"] = {"from": "start", "days": opens}
    inst["closes"] = {"from": "start", "days": closes}
    activity.settings = {"instrument": inst}
    db.session.commit()


def trainees(factory: Factory, cohort, count: int, prefix: str = "Trainee") -> list:
    users = [factory.enrolled(cohort, CohortRole.TRAINEE, f"{prefix} {i}") for i in range(1, count + 1)]
    db.session.commit()
    return users


def complete_answers(overall: int = 4, c1: int = 3, c2: int = 3, **extra) -> dict[str, str]:
    """Form data answering every required question of SURVEY, and sending it."""
    return {"overall": str(overall), "competencies-C1": str(c1), "competencies-C2": str(c2), "send": "y", **extra}


def full_answers(inst: dict, rating: int = 4, text: str = "In general terms: more time to reflect.") -> dict:
    """Form data answering every question of a checked instrument, and sending it."""
    from modules.evaluation.instrument import questions
    data: dict = {"send": "y"}
    for q in questions(inst):
        key = q["key"]
        if q["type"] == "text":
            data[key] = text
        elif q["type"] == "single":
            data[key] = q["options"][0]["key"]
        elif q["type"] == "multiple":
            data[key] = [o["key"] for o in q["options"][:q["max_choices"]]]
        elif q["type"] in ("scale5", "agreement5"):
            data[key] = str(rating)
        else:
            for row in q["rows"]:
                if q["retrospective"]:
                    data[f"{key}-{row['key']}-then"] = str(max(1, rating - 1))
                    data[f"{key}-{row['key']}-now"] = str(rating)
                else:
                    data[f"{key}-{row['key']}"] = str(rating)
    return data
