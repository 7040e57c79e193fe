"""Admin: a run's content version, what the latest version would change for it, and Apply.
The rules (what changes, what would be orphaned) live in app/services/content_updates.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from ..access import admin_required
from ..extensions import db
from ..models import ProgrammeRun
from ..services import content_updates
from . import bp
from .forms import ApplyContentForm


@bp.get("/runs/<int:run_id>/content")
@admin_required
def run_content(run_id: int):
    run = db.get_or_404(ProgrammeRun, run_id)
    plan = content_updates.plan_update(run)
    form = ApplyContentForm(formdata=None, target=plan.target.id if plan else "")
    return render_template("admin/run_content.html", run=run, plan=plan, form=form)


@bp.post("/runs/<int:run_id>/content")
@admin_required
def run_content_apply(run_id: int):
    run = db.get_or_404(ProgrammeRun, run_id)
    form = ApplyContentForm()
    plan = content_updates.plan_update(run)
    if not form.validate_on_submit() or plan is None or not plan.available:
        flash(_("There is no content update to apply to this run."), "info")
        return redirect(url_for("admin.run_detail", run_id=run.id))
    if form.target.data != str(plan.target.id):
        flash(_("The content was imported again since you opened the preview. Check the changes below, "
                "then apply."), "warning")
        return redirect(url_for("admin.run_content", run_id=run.id))
    if plan.blockers:
        flash(_("The update was not applied: it would take away activities on which trainees have work."), "danger")
        return redirect(url_for("admin.run_content", run_id=run.id))
    content_updates.apply_update(plan)
    db.session.commit()
    flash(_("The run “%(name)s” now teaches the content version of %(date)s. Trainees' work, completions, "
            "hours and answers are unchanged.", name=run.name, date=format_date(plan.target.created_at.date())),
          "success")
    return redirect(url_for("admin.run_detail", run_id=run.id))
