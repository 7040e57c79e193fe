"""The programme report as PDF, by WeasyPrint, from the same template as the page.

The PDF never depends on the machine or the network: the page links its stylesheets under
/static/ as on the site, the stylesheet names the bundled DejaVu Sans (app/static/fonts/) in
@font-face, and the URL fetcher serves files of the static folder only. Any other URL (a CDN, an
image on another host, a file elsewhere on disk) is refused, and WeasyPrint leaves it out."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

if TYPE_CHECKING:
    from .report import Report

#: The document's base URL: not a real host, only a prefix the fetcher recognises.
BASE_URL = "https://report.invalid/"
_HOST = urlsplit(BASE_URL).netloc
_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png"}


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing; the message says what to install."""


def static_file(url: str, static_folder: Path, static_path: str = "/static/") -> Path:
    """The file of the static folder a URL names, or ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != _HOST or not parts.path.startswith(static_path):
        raise ValueError(f"the report only loads its own static files, not {url}")
    root = static_folder.resolve()
    path = (root / unquote(parts.path[len(static_path):])).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"no such static file: {url}")
    return path


def render_pdf(html: str, static_folder: Path, static_path: str = "/static/") -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as exc:  # OSError: Pango is not installed
        raise PdfUnavailable(f"PDF needs WeasyPrint and Pango (Debian: apt-get install libpango-1.0-0 "
                             f"libpangoft2-1.0-0): {exc}") from exc

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file(url, static_folder, static_path)
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": _TYPES.get(path.suffix, "application/octet-stream")})

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnly()).write_pdf()
    assert pdf is not None  # no target given: the bytes are returned
    return pdf


def report_html(report: Report, mode: str, **context: Any) -> str:
    """The report as a document of its own: "pdf" or "file" (templates/report/document.html)."""
    return render_template("report/document.html", report=report, mode=mode, **context)


def report_pdf(report: Report) -> bytes:
    """The report as PDF; needs an application and request context (url_for, the locale)."""
    static = Path(current_app.static_folder or "")
    return render_pdf(report_html(report, "pdf"), static, (current_app.static_url_path or "/static") + "/")


def report_css_inline() -> str:
    """The stylesheets of a report written to an HTML file, which has no /static to link to
    (the bundled font's url() does not resolve there: a browser falls back to DejaVu Sans or its
    sans-serif; the PDF is the copy that carries the font)."""
    static = Path(current_app.static_folder or "")
    screen = [(static / part).read_text(encoding="utf-8")
              for part in ("vendor/bootstrap/bootstrap.min.css", "css/app.css", "css/report.css")]
    printing = (static / "css/print.css").read_text(encoding="utf-8")
    # print.css is linked with media="print" on the site (an @page rule may sit inside @media).
    return "\n".join([*screen, "@media print {", printing, "}"])
