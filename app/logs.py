"""Request logs without secrets: the calendar feed's token and the one-time links of invitations
and password resets are in URLs, and so in every access-log line (werkzeug, gunicorn). A filter on
those loggers replaces them with "[token]"."""
from __future__ import annotations

import logging
import re

_SECRET_PATHS = re.compile(r"(/meetings/ical/)[^/\s.?\"]+(\.ics)|(/(?:invitation|reset-password)/)[^/\s?\"]+")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(lambda m: f"{m.group(1)}[token]{m.group(2)}" if m.group(1) else f"{m.group(3)}[token]",
                             text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(_app) -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
