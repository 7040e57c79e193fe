"""The job queue (RQ on Redis), used only when REDIS_URL is set: `flask worker` runs it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")


def redis_connection():
    from redis import Redis
    return Redis.from_url(current_app.config["REDIS_URL"])


def mail_queue():
    from rq import Queue

    from .outbox import QUEUE_NAME
    return Queue(QUEUE_NAME, connection=redis_connection())


def enqueue(job: str, delay: timedelta | None = None) -> None:
    """Queue the job at dotted path `job` (now, or after `delay`) on the queue `flask worker`
    already works through: one worker for all that leaves the site."""
    queue = mail_queue()
    if delay is None:
        queue.enqueue(job)
    else:
        queue.enqueue_in(delay, job)


def in_app_context(work: Callable[[], T]) -> T:
    """A job's body: `work` in the worker's app context (one is created when it has none)."""
    if has_app_context():
        return work()
    from . import create_app
    with create_app().app_context():
        return work()
