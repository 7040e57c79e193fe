from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.services import programme as programme_service
from app.services import progress

from .forms import MarkDoneForm

bp = Blueprint("reading", __name__, template_folder="templates")


def _lesson_or_404(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    return viewer, programme_service.activity_or_404(viewer, slug, type_="reading")


@bp.get("/<slug>")
@login_required
def lesson(slug: str):
    viewer, activity = _lesson_or_404(slug)
    completion = progress.completion_of(current_user, activity) if viewer.is_trainee else None
    return render_template(
        "reading/lesson.html", viewer=viewer, activity=activity, completion=completion,
        due=programme_service.due_date_of(viewer, activity), form=MarkDoneForm(),
        resources=programme_service.resources_by_slug(viewer, activity.settings.get("resources", [])))


@bp.post("/<slug>/done")
@login_required
def mark_done(slug: str):
    viewer, activity = _lesson_or_404(slug)
    if not viewer.is_trainee:
        abort(403)  # facilitators and coordinators read lessons; only trainees complete them
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    title = activity.title  # as the run's content version has it: the commit reloads the row
    progress.mark_done(current_user, activity)
    db.session.commit()
    flash(_("“%(title)s” is marked as done.", title=title), "success")
    return redirect(url_for("reading.lesson", slug=activity.slug))
