"""`flask report run "<run name>" --output report.pdf`: the programme report of a run, as PDF
(the default) or as a printable HTML file, in any of the interface languages."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

report_cli = AppGroup("report", help="Programme reports.")


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    value = value or current_app.config["BABEL_DEFAULT_LOCALE"]
    if value not in languages:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(languages)}")
    return value


def write_whole(output: Path, data: bytes) -> None:
    """Write `data` to `output` in one step: a temporary file beside it, then renamed, so a
    failure never leaves half a report (nor spoils an older one) under that name."""
    fd, temporary = tempfile.mkstemp(prefix=".report-", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@report_cli.command("run")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="pdf: A4 with the bundled font; html: a printable page in one file.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write (replaced if it exists).")
@click.option("--language", callback=_language, default=None,
              help="The report's language: en (default), sv, nb, sl, pt or it.")
def report_run(name: str, fmt: str, output: Path, language: str) -> None:
    """Write the programme report of the run called NAME (aggregates only)."""
    from .errors import NotFound
    from .services import report as report_service
    from .services import report_pdf
    from .timeutil import utcnow
    try:
        run = report_service.run_by_name(name)
    except NotFound:
        known = report_service.run_names()
        listing = "; known runs: " + ", ".join(repr(n) for n in known) if known else "; there is no run yet"
        raise click.ClickException(f"no run is called {name!r}{listing}") from None
    if not output.parent.is_dir():
        raise click.ClickException(f"cannot write {output}: the folder {output.parent} does not exist")
    with current_app.test_request_context("/"), force_locale(language):
        report = report_service.build(run, utcnow().date())
        try:
            if fmt == "pdf":
                data = report_pdf.report_pdf(report)
            else:
                data = report_pdf.report_html(report, "file", inline_css=report_pdf.report_css_inline()).encode()
        except report_pdf.PdfUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    try:
        write_whole(output, data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}")
