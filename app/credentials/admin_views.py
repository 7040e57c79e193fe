"""Admins list the issued credentials and revoke one, with a reason (audited); the status list
then carries its bit and the verification page says revoked."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import admin_required
from ..audit import record
from ..extensions import db
from ..models import IssuedCredential
from ..timeutil import utcnow
from . import bp
from .views import _row_or_404

MAX_REASON = 300


@bp.get("/admin/credentials")
@admin_required
def admin_list():
    rows = db.session.scalars(select(IssuedCredential).order_by(IssuedCredential.issued_at.desc()).limit(500))
    return render_template("credentials/admin.html", rows=list(rows))


@bp.post("/admin/credentials/<string(length=32):credential_id>/revoke")
@admin_required
def admin_revoke(credential_id: str):
    row = _row_or_404(credential_id)
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > MAX_REASON or "\n" in reason or "\r" in reason:
        flash(_("Give a reason for the revocation, on one line and at most 300 characters."), "danger")
        return redirect(url_for("credentials.admin_list")), 303
    if row.revoked_at is None:
        row.revoked_at, row.revoked_reason = utcnow(), reason
        record("credential.revoke", row.user, credential=row.id, reason=reason)
        db.session.commit()
        flash(_("The credential is revoked."), "success")
    return redirect(url_for("credentials.admin_list")), 303
