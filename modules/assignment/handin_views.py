"""Pages for richer hand-ins: recordings played in the page, a task's hand-ins as one zip, and
one extension for several trainees. Routes of the assignment blueprint (views.bp), kept here so
views.py stays readable; plugin.py imports this module so that they are registered."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from app import audit, once
from app.access import can_view_cohort_status
from app.extensions import db
from app.models import Activity, Cohort
from app.privacy_check import review_fields
from app.services import programme as programme_service

from . import bulk_extensions, handins_zip, media, services, uploads
from .forms import BulkExtensionForm
from .models import File
from .views import _cohort_activity, _user, bp


@bp.get("/file/<int:file_id>/play")
@login_required
def play(file_id: int):
    """A recording, inline, for the <audio>/<video> player: the same readers as the download,
    with range requests (conditional=True) so the player can seek. Only the first request of a
    playback (no Range, or one from byte 0) is audited, not every chunk the player fetches."""
    row = db.get_or_404(File, file_id)
    user = _user()
    if not services.may_download(user, row):
        abort(403 if can_view_cohort_status(user, row.submission.cohort) else 404)
    if media.player_of(row.mime) is None:
        abort(404)
    if (request.headers.get("Range") or "bytes=0-").startswith("bytes=0-"):
        services.record_read(user, row.submission, "file")
        db.session.commit()
    response = send_file(uploads.path_of(row.stored_name), mimetype=row.mime, conditional=True, etag=row.sha256,
                         download_name=row.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- a task in a cohort, for its staff ------------------------------------------------------------

def _status_page(cohort: Cohort, activity: Activity, *, form: BulkExtensionForm | None = None,
                 errors: list[str] | None = None, privacy=None, chosen: list[str] | None = None):
    user = _user()
    base_due = programme_service.due_date_of(services.cohort_viewer(user, cohort, activity), activity)
    facilitator = cohort.id in services.facilitated_cohort_ids(user)
    return render_template("assignment/cohort_status.html", cohort=cohort, activity=activity, base_due=base_due,
                           rows=services.cohort_overview(cohort, activity, base_due), facilitator=facilitator,
                           bulk_form=(form or BulkExtensionForm(formdata=None)) if facilitator else None,
                           bulk_errors=errors or [], privacy=privacy, chosen=set(chosen or []))


@bp.get("/cohort/<int:cohort_id>/<slug>")
@login_required
def cohort_status(cohort_id: int, slug: str):
    cohort, activity = _cohort_activity(cohort_id, slug)
    return _status_page(cohort, activity)


def _facilitated(cohort_id: int, slug: str) -> tuple[Cohort, Activity]:
    """Only the cohort's facilitators: they read its hand-ins (access.may_review); coordinators
    and admins see status, never content (403, as they know the cohort); anyone else 403 too,
    as _cohort_activity decides."""
    cohort, activity = _cohort_activity(cohort_id, slug)
    if cohort.id not in services.facilitated_cohort_ids(_user()):
        abort(403)
    return cohort, activity


@bp.post("/cohort/<int:cohort_id>/<slug>/extensions")
@login_required
@once.per_key
def bulk_extension(cohort_id: int, slug: str):
    cohort, activity = _facilitated(cohort_id, slug)
    form = BulkExtensionForm()
    tokens = request.form.getlist("owner")
    shown = tokens[:bulk_extensions.MAX_OWNERS]
    if not form.validate_on_submit():
        return _status_page(cohort, activity, form=form, chosen=shown,
                            errors=[_("Please correct the fields marked below. Nothing was changed.")])
    base_due = programme_service.due_date_of(services.cohort_viewer(_user(), cohort, activity), activity)
    given = bulk_extensions.BulkRequest(tokens, form.due_on.data, form.reason.data.strip(), base_due)
    try:
        owners = bulk_extensions.check(given, cohort, activity)
    except bulk_extensions.BulkRefused as refused:
        return _status_page(cohort, activity, form=form, chosen=shown, errors=[refused.message])
    privacy = review_fields(form, ["reason"])
    if privacy.blocked:
        return _status_page(cohort, activity, form=form, chosen=shown, privacy=privacy)
    bulk_extensions.grant_all(_user(), activity, owners, given)
    once.saved(url_for("assignment.cohort_status", cohort_id=cohort.id, slug=activity.slug))
    db.session.commit()
    flash(_("%(n)d trainee(s) now have until %(date)s. They have been told.", n=len(owners),
            date=format_date(given.due_on)), "success")
    return redirect(url_for("assignment.cohort_status", cohort_id=cohort.id, slug=activity.slug))


@bp.get("/cohort/<int:cohort_id>/<slug>/handins.zip")
@login_required
def download_all(cohort_id: int, slug: str):
    """The latest handed-in version of every trainee (or group), as one zip; the read is audited
    with every submission it holds."""
    cohort, activity = _facilitated(cohort_id, slug)
    handins = handins_zip.latest_handins(cohort, activity)
    archive = handins_zip.write_zip(activity, handins)  # before the commit, which would expire what it reads
    name = handins_zip.safe_name(f"{activity.slug}-{cohort.name}", activity.slug) + ".zip"
    audit.record("assignment.handins.download", activity, cohort=cohort.id,
                 submissions=[h.submission.id for h in handins])
    db.session.commit()
    response = send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
