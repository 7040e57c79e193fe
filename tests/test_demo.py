from sqlalchemy import func, select

from app.extensions import db
from app.models import Cohort, Membership, User
from app.services.demo import DEMO_PASSWORD


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
    assert "Ana Pereira" in home and "Portugal 2026–2027" in home
