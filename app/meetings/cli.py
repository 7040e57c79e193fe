"""`flask meetings schedule --run <id>`."""
from __future__ import annotations

import click

from ..extensions import db
from ..input_guard import MAX_ID
from ..models import ProgrammeRun
from ..services import meetings as meetings_service
from . import bp


@bp.cli.command("schedule")
@click.option("--run", "run_id", required=True, type=int, help="The id of the programme run.")
def schedule(run_id: int) -> None:
    """Give every cohort of the run its meetings from the programme's meeting plans (only what is
    missing: running it again changes nothing)."""
    # An id past what the column holds is no run (the database would refuse to compare it).
    run = db.session.get(ProgrammeRun, run_id) if 1 <= run_id <= MAX_ID else None
    if run is None:
        raise click.ClickException(f"there is no run with id {run_id}")
    if meetings_service.programme_of(run) is None:
        raise click.ClickException("the run has no programme: import the content first (`flask content import`)")
    created = meetings_service.schedule_run(run)
    db.session.commit()
    click.echo(f"{run.name}: {created} meeting{'s' if created != 1 else ''} scheduled.")
