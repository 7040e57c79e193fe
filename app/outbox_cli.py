"""`flask outbox deliver` (cron, or after an SMTP outage) and `flask worker` (the RQ worker)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db

outbox_cli = AppGroup("outbox", help="Outgoing e-mail.")


@outbox_cli.command("deliver")
@click.option("--now", "retry_now", is_flag=True, help="Also retry messages waiting for their next try.")
def deliver(retry_now: bool) -> None:
    """Deliver the e-mail, xAPI statements and LTI grade scores that are due (run it from cron
    every few minutes without Redis)."""
    from . import outbox, xapi
    from .lti import grades
    # Learning records and grade scores leave through the same cron line (and are retried by it).
    kinds = [(outbox.OUTBOX, "e-mail(s) sent."), (grades.SCORES, "grade score(s) sent to LTI platforms.")]
    if xapi.enabled():
        kinds.insert(1, (xapi.STATEMENTS, "learning record(s) sent to the LRS."))
    for delivery, sent in kinds:
        if retry_now:
            delivery.due_now()
            db.session.commit()
        click.echo(f"{delivery.send_due()} {sent}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off runs).")
def worker(burst: bool) -> None:
    """Run the RQ worker that delivers e-mail (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis, mail leaves from the app itself "
                                   "(and `flask outbox deliver` retries).")
    from rq import SimpleWorker

    from .jobs import mail_queue
    queue = mail_queue()
    # SimpleWorker runs jobs in this process, inside this command's app context.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
