from __future__ import annotations

import mimetypes
from decimal import Decimal
from functools import partial
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, g, has_request_context, render_template, request, send_file
from flask_babel import format_decimal, get_locale
from flask_login import current_user, login_required
from werkzeug.security import safe_join

from ..markdown import render_markdown
from ..numbers import hours_label, plural_count
from ..services import attendance as attendance_service
from ..services import meetings as meetings_service
from ..services import programme as programme_service
from ..services import variant_notes
from . import bp
from .forms import ResourceFilterForm
from .labels import template_helpers


@bp.app_context_processor
def programme_helpers():
    return template_helpers()


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None, heading_offset: int = 1, title: str | None = None):
    return render_markdown(text, heading_offset, title)


@bp.app_template_filter("hours")
def hours_filter(value: Decimal | int | None) -> str:
    """Hours for reading, in the user's locale: 12, 1.5 (1,5 in Swedish)."""
    return format_decimal(value or 0)


@bp.app_template_filter("decimal")
def decimal_filter(value: Decimal | float | int | None, places: int = 1) -> str:
    """A figure with a fixed number of decimals in the user's locale: 3.5, 3,5 in Portuguese.
    Each value is formatted once per request (a turnaround table of 480 cohorts repeats a few
    dozen medians; babel's formatting was a fifth of the programme report)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    if not has_request_context():
        return format_decimal(value or 0, format=pattern)
    memo = g.setdefault("_life_decimals", {})
    key = (value, places, str(get_locale()))
    if key not in memo:
        memo[key] = format_decimal(value or 0, format=pattern)
    return memo[key]


@bp.app_template_filter("plural_count")
def plural_count_filter(value: Decimal | int | None) -> int:
    """The count for ngettext / {% trans count=... %} of a number of hours or points."""
    return plural_count(value)


@bp.app_template_global("hours_label")
def hours_label_global(value: Decimal | int | None) -> str:
    return hours_label(value)

@bp.app_template_filter("number")
def number_filter(value: Decimal | int | None) -> str:
    """Hours for machines (aria-valuenow): 12, 1.5."""
    return format(Decimal(value or 0).normalize(), "f")


@bp.get("/")
@login_required
def overview():
    viewer = programme_service.viewer_for(current_user)
    if viewer is None:
        return render_template("programme/no_programme.html")
    next_meeting = attendance_service.next_meeting(current_user) if viewer.is_trainee else None
    return render_template("programme/overview.html", overview=programme_service.overview(viewer),
                           variant_notes=variant_notes.programme_notes(viewer),
                           module_hours=partial(variant_notes.module_hours, viewer),
                           next_meeting=next_meeting, today=meetings_service.today_for(current_user))


@bp.get("/modules/<slug>")
@login_required
def module(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    item = programme_service.module_or_404(programme_service.overview(viewer), slug)
    return render_template("programme/module.html", viewer=viewer, item=item,
                           competencies=programme_service.competencies_by_code(viewer.programme),
                           resources=programme_service.module_resources(viewer, item.module),
                           variant_notes=variant_notes.module_notes(viewer, item.module.slug),
                           module_hours=variant_notes.module_hours(viewer, item.module.slug, item.module.hours))


@bp.get("/resources")
@login_required
def resources():
    viewer = programme_service.viewer_for(current_user)
    if viewer is None:
        return render_template("programme/no_programme.html")
    competencies = viewer.programme.competencies
    form = ResourceFilterForm(competencies, formdata=request.args)
    valid = form.validate()
    kind = form.kind.data if valid else None
    competency = form.competency.data if valid else None
    return render_template("programme/resources.html", viewer=viewer, form=form,
                           filtered=bool(kind or competency),
                           resources=programme_service.resources(viewer, kind, competency),
                           competencies={c.code: c for c in competencies})


@bp.get("/resources/<slug>")
@login_required
def resource(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    resource_ = programme_service.resource_or_404(viewer, slug)
    return render_template("programme/resource.html", viewer=viewer, resource=resource_,
                           competencies=programme_service.competencies_by_code(viewer.programme))


@bp.get("/resources/<slug>/file")
@login_required
def resource_file(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    resource_ = programme_service.resource_or_404(viewer, slug)
    if not resource_.file_path:
        abort(404)
    path = safe_join(str(Path(current_app.config["UPLOAD_DIR"]) / "content"), resource_.file_path)
    if path is None or not Path(path).is_file():
        abort(404)
    # Read whole (resource files are small), so no file handle outlives the request.
    return send_file(BytesIO(Path(path).read_bytes()), download_name=Path(path).name,
                     mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
