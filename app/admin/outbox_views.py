"""Admin page "E-mail": what the outbox holds, failed mail first, and "try again now"; below it the
learning records (xAPI) and the grade scores sent back to LTI platforms. It shows recipients,
kinds and errors, never a message's text (it may hold names and titles)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from .. import outbox, xapi
from ..access import admin_required
from ..extensions import db
from ..input_guard import bounded_int
from ..lti import grades
from ..models import OutboxMessage, OutboxStatus
from . import bp

PER_PAGE = 50
STATUSES = [s.value for s in OutboxStatus]


@bp.get("/outbox")
@admin_required
def outbox_list():
    status = request.args.get("status", "")
    stmt = select(OutboxMessage).order_by(
        case((OutboxMessage.status == OutboxStatus.FAILED, 0), else_=1), OutboxMessage.id.desc())
    if status in STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=bounded_int), per_page=PER_PAGE, error_out=False)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template("admin/outbox.html", page=page, counts=counts, statuses=STATUSES, status=status,
                           shows_text=shows_text(), xapi=xapi.summary(),
                           lti_scores=grades.SCORES.summary())


@bp.post("/outbox/xapi/retry")
@admin_required
def xapi_retry():
    """Failed learning records (the LRS refused them or was away past the last try) go again now."""
    retried = xapi.STATEMENTS.retry_failed()
    db.session.commit()
    if retried and xapi.enabled():
        xapi.send_later()
    flash(_("The failed learning records will be sent again now."), "success")
    return redirect(url_for("admin.outbox_list"))


@bp.post("/outbox/lti/retry")
@admin_required
def lti_scores_retry():
    """Failed grade scores (the platform refused them or was away past the last try) go again now."""
    retried = grades.SCORES.retry_failed()
    db.session.commit()
    if retried:
        grades.send_later()
    flash(_("The failed grade scores will be sent again now."), "success")
    return redirect(url_for("admin.outbox_list"))


@bp.post("/outbox/<int:message_id>/retry")
@admin_required
def outbox_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status == OutboxStatus.SENT:
        flash(_("This e-mail has already been sent."), "info")
    else:
        outbox.retry(message)
        db.session.commit()
        flash(_("The e-mail will be sent again now."), "success")
    return redirect(url_for("admin.outbox_list", status=request.args.get("status", "")))


def shows_text() -> bool:
    """Only a development set-up whose mail never leaves (MAIL_BACKEND=log) shows what a message
    says, so a newcomer trying the demo can follow an invitation link; a real server never does."""
    cfg = current_app.config
    return cfg.get("ENV_NAME") != "production" and cfg.get("MAIL_BACKEND") == "log"


@bp.get("/outbox/<int:message_id>")
@admin_required
def outbox_message(message_id: int):
    if not shows_text():
        abort(404)
    return render_template("admin/outbox_message.html", message=db.get_or_404(OutboxMessage, message_id))
