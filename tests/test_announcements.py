"""Announcements: who may write to whom, the recipients' languages, "not handed in X", in-app
and by e-mail through the outbox, and the list of those sent."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Announcement, CohortRole, Notification, OutboxMessage
from app.timeutil import utcnow

from .programme_data import build_programme, complete


def _running(world):
    today = utcnow().date()
    world.run.starts_on, world.run.ends_on = today - timedelta(days=60), today + timedelta(days=300)
    db.session.commit()


def _post(client, **data):
    form = {"audience": "", "not_done": "", "language": "en", "subject": "Meeting moved",
            "body": "<p>The meeting is on <b>Friday</b>.</p><script>alert(1)</script>", "send": "1", **data}
    return client.post("/announcements/new", data=form)


def test_a_facilitator_announces_to_their_cohort_in_app_and_by_email(client, world, login, outbox):
    _running(world)
    login(world.facilitator)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert "Cohort: Sweden pilot" in page and "Norway pilot" not in page and "All of" not in page
    response = _post(client, audience=f"cohort-{world.cohort.id}")
    assert response.status_code == 302
    item = db.session.scalar(select(Announcement))
    assert item.recipients == 1 and "<script>" not in item.body and "<b>Friday</b>" in item.body
    assert [m["To"] for m in outbox] == [world.trainee.email]
    mail = outbox[0]
    assert mail["Subject"] == "Meeting moved" and "The meeting is on Friday." in mail.get_content()
    assert mail["List-Unsubscribe"].startswith("<http://localhost/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    client.post("/logout")
    login(world.trainee)
    home = client.get("/home").get_data(as_text=True)
    assert "New announcements" in home and "Meeting moved" in home
    assert "Meeting moved" in client.get("/notifications").get_data(as_text=True)
    shown = client.get(f"/announcements/{item.id}").get_data(as_text=True)
    assert "<b>Friday</b>" in shown
    assert "<script>alert" not in shown


def test_a_forged_audience_is_refused_with_a_message(client, world, login, outbox):
    _running(world)
    login(world.facilitator)
    response = _post(client, audience=f"cohort-{world.other_cohort.id}")
    assert response.status_code == 422
    assert "You cannot write to this audience" in response.get_data(as_text=True)
    assert db.session.scalar(select(Announcement.id)) is None
    client.post("/logout")
    login(world.national_coordinator)
    norway = world.other_cohort.country_id
    response = _post(client, audience=f"country-{norway}")
    assert response.status_code == 422 and "You cannot write to this audience" in response.get_data(as_text=True)
    assert _post(client, audience="cohort-99999999999999999999").status_code == 422
    assert db.session.scalar(select(Announcement.id)) is None and outbox == []


def test_a_national_coordinator_writes_to_their_whole_country(client, world, login, factory, outbox):
    _running(world)
    second = factory.cohort(world.run, country="SE", name="Sweden second")
    extra = factory.enrolled(second, CohortRole.TRAINEE, "Sara Second")
    db.session.commit()
    login(world.national_coordinator)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert "All of Sweden (2 cohorts)" in page and "Norway" not in page
    country = world.cohort.country_id
    preview = client.post("/announcements/new", data={"audience": f"country-{country}", "language": "en",
                                                      "subject": "Hello", "body": "<p>Hi</p>", "preview": "1"})
    assert "It will reach 2 trainees." in preview.get_data(as_text=True) and outbox == []
    assert _post(client, audience=f"country-{country}").status_code == 302
    assert sorted(m["To"] for m in outbox) == sorted([world.trainee.email, extra.email])


def test_a_transnational_coordinator_writes_to_the_transnational_cohort(client, world, login, outbox):
    _running(world)
    login(world.transnational_coordinator)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert "Cohort: Transnational pilot" in page and "All of Norway" in page and "All of Sweden" in page
    assert _post(client, audience=f"cohort-{world.transnational.id}").status_code == 302
    assert [m["To"] for m in outbox] == [world.trainee.email]


def test_each_recipient_reads_their_language_or_the_senders(client, world, login, factory, outbox):
    _running(world)
    world.trainee.locale = "sv"
    norwegian = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Nils Norsk")
    norwegian.locale = "nb"
    db.session.commit()
    login(world.facilitator)
    assert _post(client, audience=f"cohort-{world.cohort.id}", subject_sv="Mötet är flyttat",
                 body_sv="<p>Mötet är på fredag.</p>").status_code == 302
    by_address = {m["To"]: m for m in outbox}
    assert by_address[world.trainee.email]["Subject"] == "Mötet är flyttat"
    assert "Mötet är på fredag." in by_address[world.trainee.email].get_content()
    assert by_address[norwegian.email]["Subject"] == "Meeting moved"
    notes = {n.user_id: n.message for n in db.session.scalars(select(Notification))}
    assert notes[world.trainee.id] == "Mötet är flyttat" and notes[norwegian.id] == "Meeting moved"


def test_a_version_with_a_subject_but_no_text_is_refused(client, world, login):
    _running(world)
    login(world.facilitator)
    response = _post(client, audience=f"cohort-{world.cohort.id}", subject_sv="Bara rubrik")
    assert response.status_code == 422 and "needs both a subject and a text" in response.get_data(as_text=True)
    assert _post(client, audience=f"cohort-{world.cohort.id}", subject_sv="a\r\nBcc: x@example.org",
                 body_sv="x").status_code == 422


def test_everyone_who_has_not_handed_in_an_activity(client, world, login, factory, outbox):
    _running(world)
    built = build_programme(run=world.run, slug="ann")
    done = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Dora Done")
    activity = built.activities[0]
    complete(done, activity)
    db.session.commit()
    login(world.facilitator)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert activity.title in page
    assert _post(client, audience=f"cohort-{world.cohort.id}", not_done=str(activity.id)).status_code == 302
    assert [m["To"] for m in outbox] == [world.trainee.email]
    item = db.session.scalar(select(Announcement))
    assert activity.title in item.audience
    assert _post(client, audience=f"cohort-{world.cohort.id}", not_done="abc").status_code == 422


def test_the_list_of_sent_announcements_and_who_may_open_one(client, world, login):
    _running(world)
    login(world.facilitator)
    _post(client, audience=f"cohort-{world.cohort.id}")
    item = db.session.scalar(select(Announcement))
    listing = client.get("/announcements").get_data(as_text=True)
    assert "Meeting moved" in listing and "Cohort: Sweden pilot" in listing
    client.post("/logout")
    login(world.trainee_other)
    assert client.get(f"/announcements/{item.id}").status_code == 404
    assert "Meeting moved" not in client.get("/announcements").get_data(as_text=True)


def test_trainees_cannot_write_announcements(client, world, login):
    _running(world)
    login(world.trainee)
    assert client.get("/announcements/new").status_code == 403
    assert _post(client, audience=f"cohort-{world.cohort.id}").status_code == 403


def test_a_trainee_who_turned_announcements_off_sees_them_in_the_app_only(client, world, login, outbox):
    _running(world)
    login(world.trainee)
    assert client.post("/account/notifications", data={"pref_announcement": "off"}).status_code == 302
    client.post("/logout")
    login(world.facilitator)
    _post(client, audience=f"cohort-{world.cohort.id}")
    assert outbox == [] and db.session.scalar(select(OutboxMessage.id)) is None
    assert db.session.scalar(select(Notification.message).where(Notification.user_id == world.trainee.id)) \
        == "Meeting moved"


def test_old_announcements_and_reminder_records_are_purged(app, world):
    from app.models import AnnouncementRecipient, ReminderSent
    old = utcnow() - timedelta(days=400)
    item = Announcement(sender_id=world.facilitator.id, language="en", subject="Old", body="<p>x</p>", versions={},
                        audience="Sweden pilot", recipients=1, created_at=old)
    db.session.add(item)
    db.session.flush()
    db.session.add_all([AnnouncementRecipient(announcement_id=item.id, user_id=world.trainee.id),
                        ReminderSent(user_id=world.trainee.id, item="activity:1", sent_at=old)])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--expired"])
    assert "1 announcements" in result.output and "1 reminder records" in result.output, result.output
    assert db.session.scalar(select(AnnouncementRecipient.id)) is None


def test_text_typed_without_the_editor_keeps_its_paragraphs(client, world, login):
    _running(world)
    login(world.facilitator)
    _post(client, audience=f"cohort-{world.cohort.id}", body="First line\nsecond line\n\nNew paragraph & more")
    item = db.session.scalar(select(Announcement))
    assert item.body == "<p>First line<br>second line</p><p>New paragraph &amp; more</p>"


def test_the_same_form_sent_twice_sends_one_announcement(client, world, login, outbox):
    _running(world)
    login(world.facilitator)
    page = client.get("/announcements/new").get_data(as_text=True)
    key = re.search(r'name="send_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    assert _post(client, audience=f"cohort-{world.cohort.id}", send_key=key).status_code == 302
    # A double click, or the page sent again: refused with a message, nothing stored or mailed twice.
    again = _post(client, audience=f"cohort-{world.cohort.id}", send_key=key)
    assert again.status_code == 422 and "has already been sent from this form" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Announcement)).all()) == 1
    assert [m["To"] for m in outbox] == [world.trainee.email]
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    # A new form is a new announcement.
    fresh = re.search(r'name="send_key" type="hidden" value="([0-9a-f]{32})"',
                      client.get("/announcements/new").get_data(as_text=True)).group(1)
    assert fresh != key and _post(client, audience=f"cohort-{world.cohort.id}", send_key=fresh).status_code == 302
