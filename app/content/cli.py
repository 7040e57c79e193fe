"""`flask content check` and `flask content import`."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Country, Programme
from ..plugins import planned_types, registry
from ..services.content_updates import UpdateRefused
from .importer import import_content
from .loader import ContentTree, load_content
from .translations import LANGUAGES, Translations, load_translations
from .validator import validate
from .variant_rules import component_hours, country_hours
from .versions import VersionReport

content_cli = AppGroup("content", help="The programme's content files.")

path_option = click.option("--path", "path", default=None, type=click.Path(path_type=Path),
                           help="The content folder (default: LIFE_CONTENT_DIR, normally ./content).")


def _known_countries() -> set[str] | None:
    try:
        return set(db.session.scalars(select(Country.code)))
    except SQLAlchemyError:
        db.session.rollback()
        return None  # no migrated database: variants' countries are not checked


def _checked_tree(path: Path | None) -> ContentTree:
    """Load and validate; on any problem print them all and exit with status 1."""
    tree = load_content(path or Path(current_app.config["LIFE_CONTENT_DIR"]))
    countries = _known_countries()
    problems = validate(tree, registry(), planned_types(), countries)
    if not problems:
        # Translations are checked against a valid source only: their faults are then their own.
        tree.translations, problems = load_translations(
            tree, lambda translated: validate(translated, registry(), planned_types(), countries))
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.", err=True)
        if tree.unreadable:
            click.echo("Checks across files (references, hours, settings) run once every file above "
                       "is valid YAML.", err=True)
        raise SystemExit(1)
    return tree


def _hours(number: Decimal) -> str:
    return format(number.normalize(), "f")


@content_cli.command("check")
@path_option
@click.option("--languages", is_flag=True,
              help="List, per language, the items not yet translated and the translations no native speaker reviewed.")
def check(path: Path | None, languages: bool) -> None:
    """Check the content files and their translations; print every problem as file:line: message."""
    tree = _checked_tree(path)
    activities = sum(len(m.activities) for m in tree.modules)
    variants = f", {len(tree.variants)} national variants" if tree.variants else ""
    click.echo(f"content OK: {len(tree.modules)} modules, {activities} activities, "
               f"{_hours(tree.programme.total_hours)} hours{variants}")
    _report_country_hours(tree)
    _report_languages(tree.translations, detailed=languages)


def _report_country_hours(tree: ContentTree) -> None:
    """Each country's hours with its variant; the others follow the common programme."""
    if not tree.variants:
        return
    national, transnational = component_hours(tree)
    rows = [("country", "national", "transnational", "total")]
    rows += [(h.country, _hours(h.national), _hours(h.transnational), _hours(h.total)) for h in country_hours(tree)]
    rows.append(("others", _hours(national), _hours(transnational), _hours(national + transnational)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    click.echo("(others: every country without a variant follows the common programme)")


def _report_languages(translations: Translations, detailed: bool) -> None:
    """One line per language (items translated of all); with --languages, what is missing and
    which translated files no native speaker has reviewed. A folder without any translation
    prints nothing unless asked (--languages)."""
    if not translations.files and not detailed:
        return
    for lang in LANGUAGES:
        missing = translations.missing.get(lang, [])
        files = translations.files.get(lang)
        done = translations.total - len(missing)
        click.echo(f"{lang}: {done} of {translations.total} items translated, {len(missing)} missing"
                   f"{f', {len(files.files)} files' if files else ''}")
        if not detailed:
            continue
        for item in missing:
            click.echo(f"  missing: {item}")
        for file in files.unreviewed if files else []:
            click.echo(f"  not reviewed by a native speaker: {file}")


@content_cli.command("import")
@path_option
@click.option("--dry-run", is_flag=True, help="Only list what would change; write nothing.")
def import_(path: Path | None, dry_run: bool) -> None:
    """Create or update the programme from the content files, matching everything by slug."""
    tree = _checked_tree(path)
    try:
        report = import_content(tree, dry_run=dry_run)
    except UpdateRefused as exc:
        db.session.rollback()
        for message in exc.messages:
            click.echo(message, err=True)
        click.echo("Import refused: nothing was imported.", err=True)
        raise SystemExit(1) from exc
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(f"the database refused the import ({type(exc).__name__}); "
                                   "is it migrated? Run `flask db upgrade` first.") from exc
    if not report.changed:
        db.session.rollback()
        click.echo("Nothing to change.")
        if not dry_run:
            _schedule_meetings(tree.programme.slug)
        return
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was written. The import would make these changes:")
    else:
        db.session.commit()
        click.echo(f"Imported {tree.programme.slug} {tree.programme.version}:")
    for line in report.lines():
        click.echo(f"  {line}")
    for file in report.files:
        click.echo(f"  {'would copy' if dry_run else 'copied'} file {file}")
    _report_versions(report.versions, dry_run)
    if not dry_run:
        _schedule_meetings(tree.programme.slug)


def _report_versions(versions: VersionReport, dry_run: bool) -> None:
    if not versions.created or versions.version is None:
        return
    would = "would be" if dry_run else "is"
    click.echo(f"Content version {versions.version.label} of {versions.version.created_at:%Y-%m-%d %H:%M} "
               f"{would} the one runs opened from now on teach.")
    for name in versions.followed:
        click.echo(f"  run “{name}” (not started yet) follows it")
    for name in versions.behind:
        click.echo(f"  run “{name}” keeps its version; to correct it: flask content apply --run \"{name}\"")


def _schedule_meetings(slug: str) -> None:
    """Cohorts of the runs teaching the programme get the meetings its plans add (idempotent)."""
    from ..services.meetings import schedule_programme
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    created = schedule_programme(programme) if programme is not None else 0
    db.session.commit()
    if created:
        click.echo(f"Scheduled {created} meeting{'s' if created != 1 else ''} for the cohorts of its runs.")


@content_cli.command("apply")
@click.option("--run", "run_name", required=True, help="The run's name, as the admin pages show it.")
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
def apply(run_name: str, dry_run: bool) -> None:
    """Move a run under way to the latest content version: show the changes, then apply them.
    Trainees' work, completions, hours and answers are never changed."""
    from ..models import ProgrammeRun
    from ..services.content_updates import apply_update, plan_update
    run = db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name == run_name))
    if run is None:
        raise click.ClickException(f"no run is called “{run_name}”.")
    plan = plan_update(run)
    if plan is None or not plan.available:
        click.echo(f"Run “{run.name}” already teaches the latest content version. Nothing to change.")
        return
    click.echo(f"Run “{run.name}”: from content version {plan.current.label} of {plan.current.created_at:%Y-%m-%d} "
               f"to {plan.target.label} of {plan.target.created_at:%Y-%m-%d}:")
    for change in plan.changes:
        click.echo(f"  {change.line()}")
    if not plan.changes:
        click.echo("  (no change a page shows)")
    if plan.blockers:
        for blocker in plan.blockers:
            click.echo(blocker.message(run.name), err=True)
        click.echo("Update refused: nothing was changed.", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    scheduled = apply_update(plan)
    db.session.commit()
    click.echo(f"Applied. Trainees' work, completions, hours and answers are unchanged"
               f"{f'; {scheduled} meetings scheduled' if scheduled else ''}.")
