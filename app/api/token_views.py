"""The account page's personal access tokens: create (the secret is shown once), list, revoke."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..extensions import db
from ..models import ApiToken
from ..timeutil import utcnow
from . import auth, tokens_bp
from .forms import NewTokenForm
from .scopes import SCOPES


def _page(form: NewTokenForm, secret: str | None = None, status: int = 200):
    return render_template("api/tokens.html", form=form, tokens=auth.tokens_of(current_user), secret=secret,
                           scopes=SCOPES, now=utcnow()), status


@tokens_bp.get("/")
@login_required
def index():
    return _page(NewTokenForm())


@tokens_bp.post("/")
@login_required
def create():
    form = NewTokenForm()
    if not form.validate():
        return _page(form, status=400)
    token, secret = auth.issue(current_user, form.name.data.strip(), form.scopes.data, form.days.data)
    db.session.flush()
    audit.record("api_token.created", token, scopes=token.scopes)
    db.session.commit()
    # Shown on this response only: the page is not stored (no-store) and the secret is never kept.
    page, status = _page(NewTokenForm(formdata=None), secret=secret, status=201)
    return page, status, {"Cache-Control": "no-store"}


@tokens_bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    auth.revoke(token)
    audit.record("api_token.revoked", token)
    db.session.commit()
    flash(_("The token \u201c%(name)s\u201d is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
