"""The design's journeys through the programme, on the real content, following the links a user
clicks (JOURNEYS.md: Ana 1, 3 and 9; João 1 and 4; Marco 3). Each step starts from a page the
user already has and follows a link or a form on it, never a URL typed by hand."""
from __future__ import annotations

import re
import shutil
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Completion, Module
from app.services import meetings as meetings_service

from .programme_data import portuguese_cohorts_on_the_real_programme
from .test_content_import import REAL_CONTENT, problems, run


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def link(html: str, text: str) -> str:
    """The href of the link whose text starts with `text`."""
    match = re.search(r'<a [^>]*href="([^"]+)"[^>]*>\s*' + re.escape(text), html)
    assert match, f"no link {text!r} on the page"
    return match.group(1)


def form_action(html: str, button: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)">(?:(?!</form>).)*' + re.escape(button), html)
    assert match, f"no form with the button {button!r}"
    return match.group(1)


@pytest.fixture
def portugal(app, factory):
    return portuguese_cohorts_on_the_real_programme(app, factory)


def test_ana_and_joao_through_the_programme(client, login, portugal, monkeypatch):
    ana, joao = portugal

    # Ana 1: she lands on "My programme": the next thing due, hours of 160 split 100/60, the next meeting.
    home = page(client.get(login(ana).headers["Location"]))
    assert "My programme" in home and "0 of 160 hours done" in home
    assert "National: 0 of 100 hours" in home and "Transnational: 0 of 60 hours" in home
    assert "Next due:" in home and "Overdue" in home  # the needs survey, due before the kick-off
    assert "Next meeting:" in home and "National meeting: how practice learns" in home
    overview = page(client.get(link(home, "Open Innovation Skills Development Programme")))
    assert "0 of 160 hours done" in overview and "Next meeting:" in overview

    # Ana 3: module 2; a lesson with a research-based and a practice-based resource, each labelled.
    module = page(client.get(link(overview, "Innovation theory and practice")))
    assert "Research-based knowledge" in module and "Practice-based knowledge" in module
    lesson = page(client.get(link(module, "Learning at work and learning organisations")))
    resources = lesson[lesson.index("Resources for this lesson"):]
    assert re.search(r"Learning organisations and double-loop learning</a> <span[^>]*>Research-based knowledge",
                     resources)
    assert re.search(r"What helps and what hinders practice-based innovation</a> <span[^>]*>Practice-based "
                     r"knowledge", resources)
    resource = page(client.get(link(resources, "What helps and what hinders")))
    assert "Kind of knowledge" in resource and "Practice-based knowledge" in resource
    done = client.post(form_action(lesson, "Mark as done"), follow_redirects=True)
    assert "You marked this lesson as done" in page(done)
    overview = page(client.get(link(home, "Open Innovation Skills Development Programme")))
    assert "2 of 160 hours done" in overview and "National: 2 of 100 hours" in overview

    # João 1: tomorrow's national half-day meeting is on his home page.
    client.post("/logout")
    home = page(client.get(login(joao).headers["Location"]))
    tomorrow = home[home.index("Tomorrow — record who came after the meeting:"):]
    meeting_page = link(tomorrow, "National meeting: how practice learns")
    assert "Attendance can be recorded from the meeting's first day" in page(client.get(meeting_page))

    # João 4: the next day he records attendance from his home page; Ana's hours go up by 4.
    real_today = meetings_service.today_for
    monkeypatch.setattr(meetings_service, "today_for", lambda user: real_today(user) + timedelta(days=1))
    home = page(client.get("/home"))
    # With the kick-off and the first transnational week, whose attendance nobody has recorded.
    assert "3 meetings need their attendance recorded:" in home
    sheet = page(client.get(re.search(r'href="([^"]+)" aria-label="Record attendance: National meeting: how '
                                      r'practice learns, Portugal"', home).group(1)))
    assert "Ana Pereira" in sheet
    saved = client.post(form_action(sheet, "Save attendance"), data={"present": [str(ana.id)]},
                        follow_redirects=True)
    assert "Attendance saved: 1 present, 0 absent." in page(saved)
    assert "2 meetings need their attendance recorded:" in page(client.get("/home"))

    # Ana 9: her transcript, from the programme page: units, outcomes, hours and credits.
    client.post("/logout")
    home = page(client.get(login(ana).headers["Location"]))
    assert "6 of 160 hours done" in home and "National: 6 of 100 hours" in home
    overview = page(client.get(link(home, "Open Innovation Skills Development Programme")))
    transcript = page(client.get(link(overview, "Your transcript")))
    for code in ("U1", "U2", "U3", "U4"):
        assert f"{code} " in transcript
    assert "Knowledge" in transcript and "Skills" in transcript and "Competence" in transcript
    assert "6 of 160 hours" in transcript and "0 of 6 awarded" in transcript
    assert "Interim transcript" in transcript


def test_marco_adjusts_the_content_and_the_trainees_work_is_untouched(app, client, login, portugal, tmp_path):
    """Marco 3: edits the files, `flask content check` names file:line, he fixes it and imports."""
    ana, _joao = portugal
    lesson = db.session.scalar(select(Activity).where(Activity.slug == "read-learning-organisations"))
    login(ana)
    client.post(f"/a/reading/{lesson.slug}/done")
    draft = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, draft)
    module_file = draft / "modules" / "02-innovation-theory" / "module.yaml"
    original = module_file.read_text(encoding="utf-8")
    broken = original.replace("title: Learning at work and learning organisations",
                              "title: Learning at work - and in learning organisations").replace(
        "competencies: [C3, C5, C7]", "competencies: [C3, C5, C8]", 1)
    module_file.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("competencies: [C3, C5, C8]") + 1

    check = run(app, "check", "--path", str(draft))
    assert check.exit_code == 1
    assert problems(check) == [f"content/modules/02-innovation-theory/module.yaml:{line}: unknown competency "
                               "'C8' (known: C1, C2, C3, C4, C5, C6, C7)"]
    assert run(app, "import", "--path", str(draft)).exit_code == 1  # never half a programme

    module_file.write_text(broken.replace("[C3, C5, C8]", "[C3, C5, C7]"), encoding="utf-8")
    assert run(app, "check", "--path", str(draft)).exit_code == 0
    dry = run(app, "import", "--path", str(draft), "--dry-run")
    assert "Activities: 1 updated (read-learning-organisations: title)" in dry.output
    result = run(app, "import", "--path", str(draft))
    assert "Activities: 1 updated (read-learning-organisations: title)" in result.output
    assert run(app, "import", "--path", str(draft)).output.strip() == "Nothing to change."

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Completion)
                             .where(Completion.user_id == ana.id, Completion.activity_id == lesson.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Module)) == 10
    overview = page(client.get("/programme/"))
    assert "2 of 160 hours done" in overview
    assert "Learning at work - and in learning organisations" in page(
        client.get(link(overview, "Innovation theory and practice")))
