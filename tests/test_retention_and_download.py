"""Issue 12, item 8: the data download is a zip (JSON per part, the uploaded files, a readable
index page); retention purges by run (`flask privacy purge --run`), and drafts, notifications,
e-mails and the audit log by age (`--expired`); the privacy notice says so."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CohortRole, Draft, Notification, OutboxMessage
from app.timeutil import utcnow
from modules.assignment.models import File, Submission
from modules.assignment.tests.helpers import build_assignments, pdf_bytes
from modules.journal.models import Entry
from modules.journal.tests.helpers import entry_form, journal_activity


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_download_is_a_zip_with_json_parts_files_and_an_index(client, world, login):
    build_assignments(world)
    login(world.trainee)
    client.post("/a/assignment/asg-files", data={"body": "My portrait", "action": "submit", "draft_version": 0,
                                                "base_version": 0,
                                                "files": [(io.BytesIO(pdf_bytes("portrait")), "me.pdf")]},
                content_type="multipart/form-data")
    response = client.get("/account/data/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        names = set(archive.namelist())
        assert {"index.html", "core.json", "activities/journal.json", "activities/assignment.json"} <= names
        uploaded = [n for n in names if n.startswith("files/assignment/")]
        assert len(uploaded) == 1 and uploaded[0].endswith("me.pdf")
        assert archive.read(uploaded[0]) == pdf_bytes("portrait")
        index = archive.read("index.html").decode()
    assert "Your data from LIFE Academy" in index and world.trainee.email in index
    assert 'href="core.json"' in index and f'href="{uploaded[0]}"' in index


def _overlapping_runs(factory, world):
    """A trainee in an old run (ended 2021) and, overlapping its end, a newer one."""
    old = factory.run("Pilot 2020", starts_on=date(2020, 1, 1), ends_on=date(2021, 3, 31))
    new = factory.run("Second 2021", starts_on=date(2021, 1, 1), ends_on=date(2021, 12, 31))
    old_cohort = factory.cohort(old, country="PT", name="Portugal 2020")
    new_cohort = factory.cohort(new, country="PT", name="Portugal 2021")
    trainee = factory.enrolled(old_cohort, CohortRole.TRAINEE, "Tiago")
    factory.member(trainee, new_cohort, CohortRole.TRAINEE)
    # Both written in the overlap (February 2021), one in each run.
    for title, cohort in (("old run", old_cohort), ("new run", new_cohort)):
        db.session.add(Entry(owner_id=trainee.id, title=title, body_html="<p>x</p>", entry_date=date(2021, 2, 1),
                             created_at=datetime(2021, 2, 1), cohort_id=cohort.id))
    db.session.commit()
    return old, new


def test_a_run_purge_keeps_what_the_same_trainee_wrote_in_an_overlapping_run(app, factory, world):
    _overlapping_runs(factory, world)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--run", "Pilot 2020", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nothing was deleted" in dry.output and "journal: 1 journal entries" in dry.output
    assert _count(Entry) == 2
    done = runner.invoke(args=["privacy", "purge", "--run", "Pilot 2020"])
    assert done.exit_code == 0 and "journal: 1 journal entries" in done.output
    assert list(db.session.scalars(select(Entry.title))) == ["new run"]
    # The same through the journal's own command: the newer run's entry is not the old run's.
    again = runner.invoke(args=["journal", "purge", "--run", "Pilot 2020"])
    assert again.exit_code == 0 and "Deleted 0 journal entries" in again.output
    assert list(db.session.scalars(select(Entry.title))) == ["new run"]


def test_a_run_purge_takes_its_submissions_and_files_and_nothing_before_the_period(app, client, world, login):
    build_assignments(world)
    login(world.trainee)
    client.post("/a/assignment/asg-files", data={"body": "My portrait", "action": "submit", "draft_version": 0,
                                                "base_version": 0, "files": [(io.BytesIO(pdf_bytes()), "me.pdf")]},
                content_type="multipart/form-data")
    stored = db.session.scalar(select(File.stored_name))
    path = app.config["UPLOAD_DIR"] + "/assignment/" + stored
    runner = app.test_cli_runner()
    early = runner.invoke(args=["privacy", "purge", "--run", world.run.name])
    assert early.exit_code == 0
    assert "its submissions are kept for 365 days (SUBMISSION_RETENTION_DAYS)" in early.output
    assert _count(Submission) == 1
    world.run.starts_on, world.run.ends_on = date(2020, 1, 1), date(2020, 12, 31)
    db.session.commit()
    done = runner.invoke(args=["privacy", "purge", "--run", world.run.name])
    assert "assignment: 1 submissions, 1 files" in done.output, done.output
    assert _count(Submission) == 0 and _count(File) == 0
    import os
    assert not os.path.exists(path)


def test_expired_drafts_notifications_emails_and_audit_events_are_purged(app, world):
    old = utcnow() - timedelta(days=6 * 365)
    db.session.add_all([
        Draft(user_id=world.trainee.id, key="x:old", data={"body": "old"}, updated_at=old),
        Draft(user_id=world.trainee.id, key="x:new", data={"body": "new"}, updated_at=utcnow()),
        Notification(user_id=world.trainee.id, kind="x", message="old", created_at=old),
        Notification(user_id=world.trainee.id, kind="x", message="new", created_at=utcnow()),
        OutboxMessage(user_id=world.trainee.id, kind="x", to="a@example.org", subject="old", body="old",
                      status="sent", created_at=old, next_attempt_at=old),
        OutboxMessage(user_id=world.trainee.id, kind="x", to="a@example.org", subject="waiting", body="w",
                      status="pending", created_at=old, next_attempt_at=old),
        AuditEvent(action="x.old", at=old, detail={}),
        AuditEvent(action="x.new", at=utcnow(), detail={}),
    ])
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--expired", "--dry-run"])
    assert "1 drafts, 1 notifications, 1 audit events, 1 e-mails" in dry.output, dry.output
    assert _count(Draft) == 2
    assert runner.invoke(args=["privacy", "purge", "--expired"]).exit_code == 0
    assert list(db.session.scalars(select(Draft.key))) == ["x:new"]
    assert list(db.session.scalars(select(Notification.message))) == ["new"]
    assert list(db.session.scalars(select(OutboxMessage.subject))) == ["waiting"]
    assert "x.old" not in set(db.session.scalars(select(AuditEvent.action)))


def test_purge_says_what_to_purge_and_which_run(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["privacy", "purge"]).exit_code != 0
    missing = runner.invoke(args=["privacy", "purge", "--run", "No such run"])
    assert missing.exit_code != 0 and "no programme run with id or name 'No such run'" in missing.output


def test_the_privacy_notice_is_in_the_footer_and_states_how_long(client, world, login):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/privacy"' in page
    notice = client.get("/privacy").get_data(as_text=True)
    assert "What is kept, why and for how long" in notice
    assert "365 days after your run ends" in notice and "5 years" in notice
    assert "90 days after the last change" in notice


def test_a_new_entry_belongs_to_the_run_of_its_cohort(client, world, login):
    journal_activity(world)
    login(world.trainee)
    assert client.post("/a/journal/new", data=entry_form(body="x")).status_code == 302
    assert db.session.scalar(select(Entry.cohort_id)) == world.cohort.id
