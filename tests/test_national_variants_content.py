"""The national variants of the real content (content/variants/), seen through HTTP: a trainee of
a country meets that country's national activities, in their language, and a trainee of another
country does not."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest

from app.extensions import db
from app.models import CohortRole
from app.services.meetings import schedule_meetings, today_for

CONTENT = Path(__file__).resolve().parent.parent / "content"
ITALIAN_LESSON = "/a/reading/it-read-integrated-services"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


@pytest.fixture
def trainees(app, factory):
    """The real programme imported; Giulia (Italian, reads Italian), Lorenzo (Italian, reads
    English) and Sara (Swedish), trainees of one run."""
    assert app.test_cli_runner().invoke(args=["content", "import", "--path", str(CONTENT)]).exit_code == 0
    giulia = factory.user("Giulia Rossi", locale="it")
    lorenzo = factory.user("Lorenzo Bianchi", locale="en")
    sara = factory.user("Sara Lind", locale="en")
    today = today_for(giulia)
    run = factory.run(starts_on=today - timedelta(days=160), ends_on=today + timedelta(days=204))
    italy = factory.cohort(run, country="IT", name="Italia")
    sweden = factory.cohort(run, country="SE", name="Sverige")
    for user, cohort in ((giulia, italy), (lorenzo, italy), (sara, sweden)):
        factory.member(user, cohort, CohortRole.TRAINEE)
    for cohort in (italy, sweden):
        schedule_meetings(cohort)
    db.session.commit()
    return giulia, lorenzo, sara


def test_an_italian_trainee_sees_the_italian_national_lesson_in_italian(client, login, trainees):
    giulia, _lorenzo, _sara = trainees
    login(giulia)
    module = page(client.get("/programme/modules/case-management"))
    assert "Servizi sociali, sanitari ed educativi integrati in Emilia-Romagna" in module
    assert "/a/reading/read-multi-disciplinary-work" not in module  # the common lesson it replaces
    lesson = page(client.get(ITALIAN_LESSON))
    assert "piano di zona" in lesson and "Una vignetta inventata per la discussione" in lesson
    assert "legge 8 novembre 2000, n. 328" in lesson
    assert client.get("/a/reading/read-multi-disciplinary-work").status_code == 404


def test_an_italian_trainee_reading_english_sees_the_english_text(client, login, trainees):
    _giulia, lorenzo, _sara = trainees
    login(lorenzo)
    module = page(client.get("/programme/modules/case-management"))
    assert "Integrated social, health and education services in Emilia-Romagna" in module
    assert "An invented vignette for discussion" in page(client.get(ITALIAN_LESSON))


def test_a_swedish_trainee_does_not_see_the_italian_national_lesson(client, login, trainees):
    _giulia, _lorenzo, sara = trainees
    login(sara)
    module = page(client.get("/programme/modules/case-management"))
    assert "Working across professional borders" in module
    assert "Emilia-Romagna" not in module and "it-read-integrated-services" not in module
    assert client.get(ITALIAN_LESSON).status_code == 404
    assert client.get("/a/reading/read-multi-disciplinary-work").status_code == 200


def test_the_check_reports_the_national_variants(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert re.search(r"160 hours, \d+ national variants", result.output)
    count = int(re.search(r"(\d+) national variants", result.output).group(1))
    assert count >= 3 and count == len([p for p in (CONTENT / "variants").iterdir() if p.is_dir()])


def test_a_slovenian_trainee_meets_the_working_project_of_help_and_keeps_module_3(client, login, app, factory):
    assert app.test_cli_runner().invoke(args=["content", "import", "--path", str(CONTENT)]).exit_code == 0
    mojca = factory.user("Mojca Novak", locale="sl")
    today = today_for(mojca)
    run = factory.run(starts_on=today - timedelta(days=160), ends_on=today + timedelta(days=204))
    slovenia = factory.cohort(run, country="SI", name="Slovenija")
    factory.member(mojca, slovenia, CohortRole.TRAINEE)
    schedule_meetings(slovenia)
    db.session.commit()
    login(mojca)
    module = page(client.get("/programme/modules/case-management"))
    assert "Delovni odnos soustvarjanja" in module and "Prvi individualni delovni projekt pomoči" in module
    assert "individualni delovni projekt pomoči" in page(client.get("/a/reading/si-read-working-relationship"))
    assert client.get("/a/reading/read-case-management").status_code == 404
    # Module 3's common journal stays for Slovenia (the Slovenian language journey writes in it).
    whole_family = page(client.get("/programme/modules/whole-family-co-creation"))
    assert "journal-whole-family" in whole_family
