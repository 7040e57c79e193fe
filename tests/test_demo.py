import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Attendance, Cohort, Completion, Meeting, Membership, ProgrammeRun, User
from app.services.demo import DEMO_DAY, DEMO_PASSWORD, years
from app.services.meetings import today_for

from .test_content_import import REAL_CONTENT


def test_demo_load_creates_run_cohorts_and_prints_logins(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    for expected in ("admin@", "marco@", "national coordinator (SE)", "facilitator (PT)", "trainee (IT)"):
        assert expected in result.output
    kinds = db.session.execute(select(Cohort.kind, func.count()).group_by(Cohort.kind)).all()
    assert dict(kinds) == {"national": 5, "transnational": 1}


def test_demo_load_is_idempotent_and_logins_work(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    counts = (db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(Membership)))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert counts == (db.session.scalar(select(func.count()).select_from(User)),
                      db.session.scalar(select(func.count()).select_from(Membership)))
    response = client.post("/login", data={"email": "ana.pt@demo.life-academy.eu", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get("/home").get_data(as_text=True)
    run = db.session.scalar(select(ProgrammeRun))
    assert "Ana Pereira" in home and f"Portugal {years(run)}" in home


def _login(client, name: str) -> str:
    client.post("/logout")
    client.post("/login", data={"email": f"{name}@demo.life-academy.eu", "password": DEMO_PASSWORD})
    return client.get("/home").get_data(as_text=True)


def _progress_counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Meeting, Attendance, Completion))


def test_the_demo_run_is_under_way_with_meetings_attendance_and_progress(app, client):
    """`python3 tasks.py demo` imports the content, then loads the demo: the pages are not empty."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "import", "--path", str(REAL_CONTENT)]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    run = db.session.scalar(select(ProgrammeRun))
    assert run.programme is not None
    ana = db.session.scalar(select(User).where(User.email == "ana.pt@demo.life-academy.eu"))
    assert run.starts_on == today_for(ana) - timedelta(days=DEMO_DAY)
    # 9 national half-days for each of 4 countries, Norway's variant 5 full days, 2 transnational weeks.
    assert _progress_counts()[0] == 4 * 9 + 5 + 2
    counts = _progress_counts()
    assert counts[1] > 0 and counts[2] > 0
    db.session.execute(update(User).values(locale="en"))  # the demo users read their own languages
    db.session.commit()

    ana = _login(client, "ana.pt")
    assert "of 160 hours done" in ana and "0 of 160 hours done" not in ana
    assert "Transnational: 26.5 of 60 hours" in ana  # the first transnational week and its reading
    assert "Next due:" in ana and "Next meeting:" in ana and "APCC, Coimbra" in ana

    joao = _login(client, "joao.pt")
    tomorrow = joao[joao.index("Tomorrow — record who came after the meeting:"):]
    assert "National meeting: how practice learns" in tomorrow and "Portugal" in tomorrow
    # The assignment plugin's seed_demo: work waits for João, the oldest for 6 days (his national
    # cohort's, and the transnational cohort's he facilitates too).
    assert re.search(r"\d+ submissions await your feedback \(oldest: 6 days\)", joao)

    paolo = _login(client, "paolo.it")  # Italy's kick-off attendance is still to record
    # The demo's "today" is Lisbon's; after 23:00 UTC Rome is a day ahead, and the meeting planned
    # for Lisbon's tomorrow has begun in Italy too.
    from app.timezones import today_in
    waiting = 1 if today_in("Europe/Rome") == today_in("Europe/Lisbon") else 2
    assert (f"{waiting} meeting needs its attendance recorded:" if waiting == 1
            else f"{waiting} meetings need their attendance recorded:") in paolo
    assert "National kick-off" in paolo

    from modules.assignment.models import Submission
    from modules.journal.models import Supervisor
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 5
    submissions = db.session.scalar(select(func.count()).select_from(Submission))
    assert submissions == 5 * 3
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _progress_counts() == counts
    assert db.session.scalar(select(func.count()).select_from(Submission)) == submissions
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 5
