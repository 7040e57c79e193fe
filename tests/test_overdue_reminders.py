"""Reminders about overdue work: one per trainee per item per 48 hours, held by the database;
the page says who was skipped and why."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CohortRole, Notification, ReminderSent
from app.services.reminders import claim
from app.timeutil import utcnow

from .programme_data import build_programme, complete


@pytest.fixture
def late(world, factory):
    """The Swedish cohort 60 days into its run: Lesson 1.1 (due on day 11) is overdue."""
    today = utcnow().date()
    world.run.starts_on, world.run.ends_on = today - timedelta(days=60), today + timedelta(days=300)
    built = build_programme(run=world.run, slug="late")
    db.session.commit()
    return built.activities[0]


def test_a_facilitator_reminds_the_late_trainees_once_in_48_hours(client, world, login, factory, late, outbox):
    punctual = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Pia Punctual")
    complete(punctual, late)
    db.session.commit()
    login(world.facilitator)
    cohort_page = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert f"/cohorts/{world.cohort.id}/reminders" in cohort_page
    page = client.get(f"/cohorts/{world.cohort.id}/reminders").get_data(as_text=True)
    assert late.title in page and world.trainee.name in page
    first = client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": late.id}).get_data(as_text=True)
    assert "Reminder sent to 1 trainee." in first
    assert [m["To"] for m in outbox] == [world.trainee.email]
    assert late.title in outbox[0]["Subject"] and outbox[0]["List-Unsubscribe"]
    second = client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": late.id})
    text = second.get_data(as_text=True)
    assert "Reminder sent to 0 trainees." in text and "already reminded of this in the last 48 hours" in text
    assert len(outbox) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.kind == "reminder.overdue")) == 1


def test_another_sender_is_held_by_the_same_limit(client, world, login, late, outbox):
    login(world.facilitator)
    client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": late.id})
    client.post("/logout")
    login(world.national_coordinator)
    text = client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": late.id}).get_data(as_text=True)
    assert "already reminded" in text and len(outbox) == 1


def test_bad_and_foreign_activity_ids_get_a_message(client, world, login, late):
    login(world.facilitator)
    for value in ("abc", "99999999999999999999", "123456"):
        response = client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": value})
        assert response.status_code == 200
        assert "Choose the activity" in response.get_data(as_text=True) \
            or "Nobody in this cohort is late" in response.get_data(as_text=True)
    assert client.post(f"/cohorts/{world.other_cohort.id}/reminders", data={"activity_id": late.id}).status_code == 403


def test_the_claim_is_a_compare_and_set_under_a_unique_key(world):
    now = utcnow()
    assert claim(world.trainee.id, "activity:1", now) is True
    assert claim(world.trainee.id, "activity:1", now + timedelta(hours=47)) is False
    assert claim(world.trainee.id, "activity:2", now) is True
    assert claim(world.trainee.id, "activity:1", now + timedelta(hours=48)) is True
    db.session.commit()
    # Two senders who both found no row: the database refuses the second insert.
    db.session.add(ReminderSent(user_id=world.trainee.id, item="activity:1", sent_at=now))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_senders_at_the_same_moment_remind_each_trainee_once(app, world, late, outbox):
    import threading
    senders = [world.facilitator, world.national_coordinator, world.transnational_coordinator, world.admin]
    clients = []
    for user in senders:
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    url, form = f"/cohorts/{world.cohort.id}/reminders", {"activity_id": str(late.id)}

    def send(client):
        barrier.wait()
        codes.append(client.post(url, data=form).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [200] * len(clients)
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.kind == "reminder.overdue")) == 1
    assert [m["To"] for m in outbox] == [world.trainee.email]
