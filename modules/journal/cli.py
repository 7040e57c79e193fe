"""`flask journal purge --run <id or name> [--dry-run]`: the retention rule of ARCHITECTURE.md
section 6."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import ProgrammeRun
from app.services.runs import run_by_ref
from app.timeutil import utcnow

from . import privacy

journal_cli = AppGroup("journal", help="Reflection journals.")


def _run(id_or_name: str) -> ProgrammeRun:
    run = run_by_ref(id_or_name)
    if run is None:
        raise click.ClickException(f"there is no programme run with id or name '{id_or_name}'")
    return run


@journal_cli.command("purge")
@click.option("--run", "run_ref", required=True, help="The programme run: its id or its exact name.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted; delete nothing.")
def purge(run_ref: str, dry_run: bool) -> None:
    """Delete the journals of a run that ended more than JOURNAL_RETENTION_DAYS ago: its trainees'
    entries (with comments, flags and answers) and its cohorts' group reflections."""
    run = _run(run_ref.strip())
    try:
        report = privacy.purge_run(run, utcnow().date())
    except privacy.RetentionError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    summary = (f"{report.entries} journal entries of {report.trainees} trainees and "
               f"{report.group_posts} group reflections of run '{run.name}' (ended {run.ends_on.isoformat()})")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: nothing was deleted. The purge would delete {summary}.")
        return
    db.session.commit()
    click.echo(f"Deleted {summary}.")
