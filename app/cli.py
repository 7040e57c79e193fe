"""Command-line interface: `flask demo load`, `flask users create`, `flask content check/import`,
`flask backup create/restore` (app/backup/cli.py), and the plugins' commands."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db

demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")
privacy_cli = AppGroup("privacy", help="Privacy tools.")


@demo_cli.command("load")
@click.option("--password", default=None, help="Password for every demo user (default: a fixed demo password).")
def demo_load(password: str | None) -> None:
    """Create a demo run with 5 national cohorts, the transnational cohort and a user per role."""
    from .services.demo import DEMO_PASSWORD, load_demo
    password = password or DEMO_PASSWORD
    logins = load_demo(password)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {password}):")
    for role, email in logins:
        click.echo(f"  {role:<32} {email}")


def _check_new_user(email: str, name: str) -> None:
    """The admin form's rules (app/admin/forms.py): a valid address of at most 254 characters, a
    name on one line of at most 200. Without them PostgreSQL refuses the row with a traceback."""
    from email_validator import EmailNotValidError, validate_email

    from .text import has_control_characters, has_line_break
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(f"'{email}' is not a valid e-mail address ({exc})", param_hint="--email") from None
    if not name.strip() or len(name.strip()) > 200 or has_control_characters(name) or has_line_break(name):
        raise click.BadParameter("give a name of 1 to 200 characters on one line", param_hint="--name")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--admin", is_flag=True, help="Give the user the admin site role.")
@click.option("--language", default=None, help="The user's language (en, sv, nb, sl, pt, it); their time zone "
                                                "is that of the country that speaks it.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(email: str, name: str, admin: bool, language: str | None, password: str) -> None:
    """Create a user (for the first admin of a fresh installation)."""
    from .security import password_problem
    from .services.accounts import AccountError, create_user
    _check_new_user(email, name)
    problem = password_problem(password, email=email)
    if problem:
        raise click.ClickException(problem)
    languages = current_app.config["LANGUAGES"]
    if language is not None and language not in languages:
        raise click.ClickException(f"--language must be one of: {', '.join(languages)}.")
    try:
        create_user(email, name, site_role="admin" if admin else None, password=password, locale=language)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {email}.")


@privacy_cli.command("scan")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def privacy_scan(file) -> None:
    """Check text before sharing it: one JSON object per finding; exit 1 when something is found.

    Reads FILE, or standard input when no file (or "-") is given."""
    import json
    import sys

    from .privacy_guard import scan
    findings = scan(file.read())
    for f in findings:
        click.echo(json.dumps({"line": f.line, "kind": f.kind, "text": f.text, "suggestion": f.suggestion,
                               "label": f.label}, ensure_ascii=False))
    sys.exit(1 if findings else 0)


@privacy_cli.command("purge")
@click.option("--run", "run_ref", default=None, help="A programme run (its id or exact name): purge its data.")
@click.option("--expired", is_flag=True, help="Purge drafts, notifications, e-mails and audit events past their time.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted; delete nothing.")
def privacy_purge(run_ref: str | None, expired: bool, dry_run: bool) -> None:
    """Delete what the retention rules no longer allow to keep (the privacy notice, /privacy):
    a run's journals, submissions and files once its retention period is over (--run), and
    data past its age (--expired)."""
    from .services import retention, runs
    from .timeutil import utcnow
    if not run_ref and not expired:
        raise click.UsageError("say what to purge: --run <id or name>, --expired, or both")
    lines = []
    if run_ref:
        run = runs.run_by_ref(run_ref)
        if run is None:
            raise click.ClickException(f"there is no programme run with id or name '{run_ref.strip()}'")
        result = retention.purge_run(run, utcnow().date())
        for part, counts in result.deleted.items():
            lines.append(f"{part}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        for part, reason in result.refused.items():
            lines.append(f"{part}: {reason}")
    if expired:
        counts = retention.purge_expired(utcnow())
        lines.append("expired: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was deleted. The purge would delete:")
    else:
        db.session.commit()
        click.echo("Deleted:")
    for line in lines:
        click.echo(f"  {line}")


def register_cli(app: Flask) -> None:
    from .content.cli import content_cli
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(privacy_cli)
    from .report_cli import report_cli
    app.cli.add_command(report_cli)
    from .outbox_cli import outbox_cli, worker
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker)
    from .backup.cli import backup_cli
    app.cli.add_command(backup_cli)
    from .notify.cli import notify_cli
    app.cli.add_command(notify_cli)
