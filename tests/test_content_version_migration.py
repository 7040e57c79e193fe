"""The content-version migrations on a database that already has a programme, a run with a
cohort and a hand-in (its own SQLite file, migrated to the revision before, filled, then
upgraded): the run is pinned to a version made of the current rows (the one the next import of
unchanged content finds, so no update shows up), and the hand-in gets its template."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import column, select, table

from app import create_app
from app.content.versions import current_snapshot
from app.extensions import db
from app.models import Activity, Cohort, ContentVersion, Module, Programme, ProgrammeRun, User
from modules.assignment.models import Submission, Version

from .conftest import make_config

#: The revision just before the content versions (the migration under test).
BEFORE = "5e1d7c0a9b3f"
TEMPLATE = {"slug": "plan", "title": "Plan", "intro_md": "",
            "fields": [{"name": "title", "label": "Title", "type": "short_text", "required": True,
                        "max_length": 200, "help": ""}]}


def _insert(model, **values) -> int:
    """A row written with the old schema's columns only: a bare table of just these columns, since
    the model's table would add the Python defaults of columns later migrations bring."""
    typed = model.__table__.c
    bare = table(model.__tablename__, column("id"), *(column(name, typed[name].type) for name in values))
    return db.session.execute(bare.insert().values(**values).returning(bare.c.id)).scalar_one()


def _fill() -> dict[str, int]:
    now = datetime(2026, 11, 1)
    ids = {"programme": _insert(Programme, slug="p", title="P", version="1", total_hours=Decimal(2),
                                duration_months=12, summary_md="", imported_at=now, translations={})}
    module = _insert(Module, programme_id=ids["programme"], slug="m", order=1, title="M", component="national",
                     hours=Decimal(2), credit_points=Decimal(0), competencies=[], summary_md="",
                     learning_outcomes=[], retired=False, translations={})
    activity = _insert(Activity, module_id=module, slug="a", type="assignment", title="A", hours=Decimal(2),
                       required=True, due_rule={}, competencies=[], position=0, omitted_in=[], retired=False,
                       settings={"submission": "template", "template": TEMPLATE}, translations={})
    ids["run"] = _insert(ProgrammeRun, name="2026/27", starts_on=date(2026, 10, 1), ends_on=date(2027, 9, 30),
                         created_at=now)
    cohort = _insert(Cohort, run_id=ids["run"], kind="transnational", name="All", created_at=now)
    user = _insert(User, email="t@example.org", name="T", password_hash="x", active=True, created_at=now,
                   timezone="Europe/Stockholm")
    submission = _insert(Submission, activity_id=activity, user_id=user, cohort_id=cohort, status="submitted",
                         latest_version=1, created_at=now, updated_at=now)
    _insert(Version, submission_id=submission, number=1, body_html="", fields={"title": "Walk"}, submitted_at=now)
    db.session.commit()
    return ids


def test_existing_runs_are_pinned_and_hand_ins_get_their_template(tmp_path):
    application = create_app(make_config(f"sqlite:///{tmp_path / 'before.sqlite'}", tmp_path))
    with application.app_context():
        upgrade(revision=BEFORE)
        ids = _fill()
        upgrade()
        programme = db.session.get(Programme, ids["programme"])
        version = db.session.scalar(select(ContentVersion))
        assert programme.content_version_id == version.id
        assert db.session.get(ProgrammeRun, ids["run"]).content_version_id == version.id
        # The version holds the rows as they were (later migrations may add fields to what a
        # snapshot records, so the hash is not compared with today's snapshot format).
        now = current_snapshot(programme)
        assert set(version.snapshot["modules"]) == set(now["modules"]) == {"m"}
        assert set(version.snapshot["activities"]) == set(now["activities"]) == {"a"}
        assert version.content_hash
        assert db.session.scalar(select(Version)).template == TEMPLATE
        # And back, and up again (SQLite keeps the run's column through the downgrade).
        downgrade(revision=BEFORE)
        upgrade()
        assert db.session.scalar(select(ContentVersion.id)) is not None
        db.session.remove()
        db.engine.dispose()
