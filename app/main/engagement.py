"""Routes for autosaved drafts and notifications (core services shared by all activity types)."""
from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..guarded_save import snapshot
from ..input_guard import bounded_int
from ..services import drafts, notifications
from . import bp

KEY_RE = re.compile(r"^[a-z_]{2,30}:[A-Za-z0-9:_-]{1,80}$")


@bp.post("/drafts/save")
def save_draft():
    # JSON answers, never a redirect: the page's script must tell "logged out" from "saved".
    if not current_user.is_authenticated:
        return jsonify(error="login", message=_("Your session has ended. Your text is kept in this browser: "
                                                "save the form to log in again; it will be offered back.")), 401
    key = request.form.get("draft_key", "")
    if not KEY_RE.match(key):
        return jsonify(error="key", message=_("This form cannot be saved automatically.")), 400
    base = request.form.get("draft_version", type=bounded_int)
    try:
        draft = drafts.save_draft(current_user, key, snapshot(request.form), base)
    except drafts.DraftConflict as conflict:
        # Read before the rollback, which expires the stored draft (and may find it gone).
        version = conflict.current.version if conflict.current is not None else 0
        db.session.rollback()
        return jsonify(error="conflict", version=version, message=conflict.message), 409
    except drafts.DraftTooLarge:
        db.session.rollback()
        return jsonify(error="size", message=_("The text is too long to save automatically.")), 413
    db.session.commit()
    return jsonify(version=draft.version,
                   message=_("Draft saved at %(time)s", time=format_time(draft.updated_at, "short")))


@bp.get("/notifications")
@login_required
def notification_list():
    return render_template("main/notifications.html", notes=notifications.recent(current_user))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    notifications.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("main.notification_list"))


@bp.get("/notifications/<int:notification_id>")
@login_required
def notification_open(notification_id: int):
    note = notifications.open_notification(current_user, notification_id)
    if note is None:
        abort(404)
    db.session.commit()
    target = note.url if note.url and note.url.startswith("/") and not note.url.startswith("//") else None
    return redirect(target or url_for("main.notification_list"))
