"""`flask notify digest --daily` and `--weekly`: who gets one, what is in it, in their language,
never twice for the same day or week, and a query count that does not grow with the items."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from app.extensions import db
from app.models import DigestSent, Notification
from app.services import preferences
from app.services.notifications import notify
from app.timeutil import utcnow

from .programme_data import meeting


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _running(world):
    today = utcnow().date()
    world.run.starts_on, world.run.ends_on = today - timedelta(days=60), today + timedelta(days=300)
    db.session.commit()


def _digest(app, *args):
    result = app.test_cli_runner().invoke(args=["notify", "digest", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _to(outbox, user):
    return [m for m in outbox if m["To"] == user.email]


def test_the_daily_digest_tells_a_facilitator_what_waits_once_a_day(app, world, outbox):
    _running(world)
    held = meeting(world.cohort, None, utcnow().date() - timedelta(days=1))
    held.title = "Kick-off"
    db.session.commit()
    assert "1 daily digest(s) sent." in _digest(app, "--daily")
    mails = _to(outbox, world.facilitator)
    assert len(mails) == 1 and mails[0]["Subject"] == "LIFE Academy: your daily digest"
    body = mails[0].get_content()
    assert "Attendance to record" in body and "Kick-off (Sweden pilot" in body
    assert f"http://localhost:5000/meetings/{held.id}/attendance" in body
    assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _to(outbox, world.facilitator_other) == []  # nothing waits for them: no e-mail
    assert "0 daily digest(s) sent." in _digest(app, "--daily")
    assert len(outbox) == 1


def test_notifications_kept_for_the_digest_are_sent_in_it_and_then_cleared(app, world, outbox):
    _running(world)
    preferences.set_mode(world.trainee, preferences.ACTIVITY, preferences.DIGEST)
    db.session.commit()
    notify(world.trainee, "assignment.feedback", lambda: "Feedback one", url="/a/assignment/1")
    notify(world.trainee, "assignment.reply", lambda: "Reply two", url="/a/assignment/2")
    db.session.commit()
    assert outbox == []
    _digest(app, "--daily")
    [mail] = _to(outbox, world.trainee)
    body = mail.get_content()
    assert "Feedback one: http://localhost:5000/a/assignment/1" in body and "Reply two" in body
    assert db.session.scalar(select(db.func.count()).select_from(Notification)
                             .where(Notification.digest_pending.is_(True))) == 0
    # The next day: nothing new, nothing sent.
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    _digest(app, "--daily", "--date", tomorrow)
    assert len(_to(outbox, world.trainee)) == 1


def test_turning_the_summary_off_stops_the_digest(app, world, outbox):
    _running(world)
    meeting(world.cohort, None, utcnow().date() - timedelta(days=1))
    preferences.set_mode(world.facilitator, preferences.SUMMARY, preferences.OFF)
    db.session.commit()
    _digest(app, "--daily")
    assert _to(outbox, world.facilitator) == []


def test_the_weekly_digest_goes_to_coordinators_with_their_scope(app, world, outbox):
    _running(world)
    _digest(app, "--weekly")
    national = _to(outbox, world.national_coordinator)
    assert len(national) == 1 and national[0]["Subject"] == "LIFE Academy: your weekly digest"
    body = national[0].get_content()
    assert "Sweden pilot: 1 trainee" in body and "Norway pilot" not in body
    transnational = _to(outbox, world.transnational_coordinator)[0].get_content()
    assert "Sweden pilot" in transnational and "Norway pilot" in transnational
    assert _to(outbox, world.facilitator) == []
    sent = len(outbox)
    _digest(app, "--weekly")
    assert len(outbox) == sent
    assert db.session.scalar(select(db.func.count()).select_from(DigestSent)) == sent


def test_bad_dates_and_a_missing_period_are_refused(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["notify", "digest"]).exit_code != 0
    result = runner.invoke(args=["notify", "digest", "--daily", "--date", "3026-01-01"])
    assert result.exit_code != 0 and "between" in result.output
    assert runner.invoke(args=["notify", "digest", "--daily", "--date", "yesterday"]).exit_code != 0


def _daily_queries(app, world, items: int) -> int:
    yesterday = utcnow().date() - timedelta(days=1)
    for i in range(items):
        meeting(world.cohort, None, yesterday - timedelta(days=i))
        notify(world.facilitator, "assignment.resubmitted", lambda i=i: f"Resubmitted {i}", url="/x",
               mode=preferences.DIGEST)
    db.session.commit()
    with counted_queries() as statements:
        _digest(app, "--daily", "--date", (utcnow().date() + timedelta(days=items)).isoformat())
    return len(statements)


def test_the_digest_query_count_does_not_grow_with_the_items(app, world, outbox):
    _running(world)
    few = _daily_queries(app, world, 1)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    many = _daily_queries(app, world, 10)
    assert many == few


def test_the_digest_is_written_in_the_recipients_language(app, world, outbox):
    from flask_babel import force_locale, gettext
    _running(world)
    world.facilitator.locale = "sv"
    meeting(world.cohort, None, utcnow().date() - timedelta(days=1))
    db.session.commit()
    with force_locale("sv"):
        swedish = gettext("Attendance to record")
    assert swedish != "Attendance to record"
    _digest(app, "--daily")
    [mail] = _to(outbox, world.facilitator)
    assert swedish in mail.get_content() and "Attendance to record" not in mail.get_content()
