"""The trainee's transcript: ECVET units with outcomes, hours and credits, the micro-credential
elements, who may read it, and a fixed number of queries."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.extensions import db
from app.models import EcvetUnit

from .programme_data import build_programme, complete, meeting
from .queries import counted_queries


def flat(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _programme(world, modules: int = 2, slug: str = "test-programme"):
    """Module 1 (national) in unit U1, module 2 (transnational) in unit U2, with outcomes."""
    built = build_programme(modules, 2, run=world.run, slug=slug)
    first = built.modules[0].ecvet_unit
    first.learning_outcomes = [{"kind": "knowledge", "text": "Explains the Knowledge Triangle."},
                               {"kind": "skills", "text": "Uses a reflection model."},
                               {"kind": "competence", "text": "Takes responsibility for own learning."}]
    second = EcvetUnit(programme=built.programme, code="U2", title="Unit two", credit_points=Decimal("1.5"),
                       position=2, learning_outcomes=[{"kind": "skills", "text": "Maps the services."}])
    db.session.add(second)
    for module in built.modules[1:]:
        module.ecvet_unit = second
    db.session.flush()
    return built


def test_transcript_lists_units_outcomes_hours_and_credits(client, world, login):
    built = _programme(world)
    # Module 1 complete (both lessons) and its meeting attended: unit U1 is awarded.
    complete(world.trainee, built.activity("test-programme-m1-a1"))
    complete(world.trainee, built.activity("test-programme-m1-a2"))
    meeting(world.cohort, built.plans[0], date(2026, 10, 11), attended_by=[world.trainee])
    # Module 2 half done: U2 is not.
    complete(world.trainee, built.activity("test-programme-m2-a1"))
    db.session.commit()
    login(world.trainee)
    page = flat(client.get("/programme/transcript"))
    assert "Transcript: Tina Trainee" in page and "Interim transcript" in page
    assert "Explains the Knowledge Triangle." in page and "Maps the services." in page
    assert re.search(r"Knowledge</p> <ul><li>Explains", page) and re.search(r"Competence</p> <ul><li>Takes", page)
    units = re.findall(r'<article class="card mb-3 transcript-unit".*?</article>', page)
    assert len(units) == 2
    assert "U1 Unit one" in units[0] and "2 ECVET credit points" in units[0] and ">Awarded<" in units[0]
    assert "6 of 6 hours" in units[0] and "Module 1" in units[0]
    assert "U2 Unit two" in units[1] and "Not yet awarded" in units[1] and "1 of 6 hours" in units[1]
    assert "2 of 3.5 awarded" in page
    assert "7 of 12 hours" in page and "national 6, transnational 1" in page
    # The EU micro-credential elements.
    for label in ("Learner", "Awarding body", "Country", "Date of issue", "Notional workload",
                  "Type of assessment", "Form of participation"):
        assert f">{label}</dt>" in page, label
    assert "R&amp;D Centre of the Municipality of Linköping" in page and ">Sweden</dd>" in page
    assert "How credits are awarded" in page and "Ctrl+P" in page
    assert re.search(r'href="/static/css/print\.css(\?v=\w+)?" media="print"', page)  # fingerprinted
    assert " style=" not in page


def test_every_unit_complete_makes_a_final_transcript(client, world, login):
    built = _programme(world)
    for activity in built.activities:
        complete(world.trainee, activity)
    db.session.commit()
    login(world.trainee)
    page = flat(client.get("/programme/transcript"))
    assert "Every unit of the programme is complete." in page and "3.5 of 3.5 awarded" in page


def test_overview_links_to_the_transcript(client, world, login):
    _programme(world)
    db.session.commit()
    login(world.trainee)
    assert 'href="/programme/transcript"' in flat(client.get("/programme/"))


def test_who_may_read_a_trainees_transcript(client, world, login):
    built = _programme(world)
    complete(world.trainee, built.activity("test-programme-m1-a1"))
    db.session.commit()
    url = f"/programme/transcript/{world.trainee.id}"
    for persona in (world.facilitator, world.national_coordinator, world.transnational_coordinator, world.admin,
                    world.trainee):
        login(persona)
        page = flat(client.get(url))
        assert "Transcript: Tina Trainee" in page and "U1 Unit one" in page, persona
        client.post("/logout")
    for persona in (world.trainee_other, world.facilitator_other):
        login(persona)
        assert client.get(url).status_code == 403, persona
        client.post("/logout")
    login(world.admin)
    assert client.get(f"/programme/transcript/{world.facilitator.id}").status_code == 404
    assert client.get("/programme/transcript/999999").status_code == 404
    page = flat(client.get("/programme/transcript"))
    assert "Transcripts are for trainees" in page
    # The cohort page links each trainee's transcript.
    assert f'href="/programme/transcript/{world.trainee.id}"' in flat(client.get(f"/cohorts/{world.cohort.id}"))




def _transcript_queries(client, world, modules: int) -> int:
    built = _programme(world, modules, slug=f"t{modules}")
    for activity in built.activities[::2]:
        complete(world.trainee, activity)
    meeting(world.cohort, built.plans[0], date(2026, 10, 11), attended_by=[world.trainee])
    db.session.commit()
    url = f"/programme/transcript/{world.trainee.id}"
    client.get(url)
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200 and f"Module {modules}" in response.get_data(as_text=True)
    world.run.programme_id = None
    db.session.commit()
    return len(statements)


def test_transcript_queries_do_not_grow_with_the_programme(client, world, login):
    login(world.facilitator)
    small, large = _transcript_queries(client, world, 3), _transcript_queries(client, world, 12)
    assert small == large, (small, large)
