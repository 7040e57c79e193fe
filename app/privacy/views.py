"""Views for the data-protection rights; the rules live in app/services/privacy.py."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import admin_required
from ..extensions import db
from ..models import User
from ..security import verify_password
from ..services import privacy
from ..timeutil import utcnow
from . import bp
from .forms import ErasureRequestForm, erase_form_for


def _my_data_page(form: ErasureRequestForm | None = None, status: int = 200):
    return render_template("privacy/my_data.html", form=form or ErasureRequestForm()), status


@bp.get("/privacy")
def notice():
    """What is kept, why and for how long (the settings of config.py)."""
    return render_template("privacy/notice.html")


@bp.get("/account/data")
@login_required
def my_data():
    return _my_data_page()


@bp.get("/account/data/download")
@login_required
def download():
    body = privacy.export_zip(current_user._get_current_object())
    db.session.commit()
    filename = f"life-academy-my-data-{utcnow():%Y-%m-%d}.zip"
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.post("/account/data/erasure")
@login_required
def request_erasure():
    user = current_user._get_current_object()
    form = ErasureRequestForm()
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.current_password.data):
            privacy.request_erasure(user)
            db.session.commit()
            flash(_("Your request is sent to the administrators. Until they carry it out you can "
                    "withdraw it here."), "success")
            return redirect(url_for("privacy.my_data"))
        form.current_password.errors.append(_("The password is not right."))
    return _my_data_page(form, 400)


@bp.post("/account/data/erasure/withdraw")
@login_required
def withdraw_erasure():
    privacy.withdraw_erasure(current_user._get_current_object())
    db.session.commit()
    flash(_("Your erasure request is withdrawn."), "success")
    return redirect(url_for("privacy.my_data"))


@bp.get("/admin/erasure-requests")
@admin_required
def erasure_requests():
    return render_template("privacy/erasure_requests.html", users=privacy.pending_erasures(),
                           erase_form_for=erase_form_for)


@bp.post("/admin/users/<int:user_id>/erase")
@admin_required
def erase_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = erase_form_for(user.id)
    if not form.validate_on_submit() or form.confirm_email.data.strip().lower() != user.email:
        flash(_("Nothing was erased: type the user's e-mail address exactly to confirm."), "danger")
        return redirect(url_for("admin.user_detail", user_id=user.id)), 303
    name = user.name
    try:
        privacy.erase(user, by=current_user._get_current_object())
    except privacy.ErasureRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("admin.user_detail", user_id=user.id)), 303
    db.session.commit()
    privacy.compact_storage()
    flash(_("The data of %(name)s is erased.", name=name), "success")
    return redirect(url_for("privacy.erasure_requests"))
