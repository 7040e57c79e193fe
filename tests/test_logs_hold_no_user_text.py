"""Logs never hold what users wrote: a failing write does not log its bound values, and the
calendar feed's secret token is kept out of request logs."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.logs import redact
from app.models import Draft

SECRET_TEXT = "Family B's mother told me about the debt collector"


def test_a_failing_write_logs_no_text(world, caplog):
    caplog.set_level(logging.DEBUG)
    db.session.add(Draft(user_id=world.trainee.id, key="journal:new", data={"body": SECRET_TEXT}, version=1))
    db.session.add(Draft(user_id=world.trainee.id, key="journal:new", data={"body": SECRET_TEXT}, version=1))
    with pytest.raises(IntegrityError) as raised:
        db.session.commit()
    db.session.rollback()
    logging.getLogger("app").error("database error: %s", raised.value)
    assert SECRET_TEXT not in str(raised.value)
    assert SECRET_TEXT not in caplog.text


def test_the_feed_token_is_redacted_from_request_lines():
    line = '127.0.0.1 - - "GET /meetings/ical/Zm9vYmFyLXNlY3JldC10b2tlbg.ics HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - "GET /meetings/ical/[token].ics HTTP/1.1" 200 -'
    assert redact("/invitation/abcDEF123_-x and /reset-password/abcDEF123_-x") == \
        "/invitation/[token] and /reset-password/[token]"


def test_the_request_loggers_carry_the_filter(app):
    for name in ("werkzeug", "gunicorn.access"):
        record = logging.LogRecord(name, logging.INFO, __file__, 1, '"GET /meetings/ical/%s.ics"', ("abc123",), None)
        for handler_filter in logging.getLogger(name).filters:
            handler_filter.filter(record)
        assert "abc123" not in record.getMessage()
