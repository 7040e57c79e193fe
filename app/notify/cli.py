"""`flask notify digest --daily` / `--weekly`: the digest e-mails, for a scheduler (README: cron)."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from ..outbox import deliver_due, delivery_mode
from ..timeutil import EARLIEST_DATE, LATEST_DATE, utcnow

notify_cli = AppGroup("notify", help="Digest e-mails to facilitators, coordinators and trainees.")


@notify_cli.command("digest")
@click.option("--daily", "period", flag_value="daily", help="Facilitators' digest, and gathered notifications.")
@click.option("--weekly", "period", flag_value="weekly", help="Coordinators' summary of their scope.")
@click.option("--date", "on", default=None, metavar="YYYY-MM-DD", help="The day to send for (default: today, UTC).")
def digest(period: str | None, on: str | None) -> None:
    """Send the day's (or week's) digests; running it twice sends nothing twice."""
    from ..services.digests import send_digests
    if period is None:
        raise click.UsageError("say --daily or --weekly")
    today = _day(on)
    # Links in the e-mails point at the public site: build them as a request to it would.
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        sent = send_digests(period, today)
    if delivery_mode() != "rq":
        deliver_due()  # outside a real request the after-commit delivery waits for none
    click.echo(f"{sent} {period} digest(s) sent.")


def _day(text: str | None) -> date:
    if text is None:
        return utcnow().date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise click.BadParameter(f"give a date between {EARLIEST_DATE} and {LATEST_DATE}", param_hint="--date")
    return day
