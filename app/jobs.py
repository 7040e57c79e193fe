"""The job queue (RQ on Redis), used only when REDIS_URL is set: `flask worker` runs it."""
from __future__ import annotations

from flask import current_app


def redis_connection():
    from redis import Redis
    return Redis.from_url(current_app.config["REDIS_URL"])


def mail_queue():
    from rq import Queue

    from .outbox import QUEUE_NAME
    return Queue(QUEUE_NAME, connection=redis_connection())
