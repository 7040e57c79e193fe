"""LTI 1.3 registrations (app/lti/): what to give the platform, the platforms, add and delete."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..access import admin_required
from ..extensions import db
from ..lti.messages import tool_url
from ..models import Cohort, LtiPlatform, ProgrammeRun
from . import bp
from .lti_forms import LtiPlatformForm


@bp.route("/lti", methods=["GET", "POST"])
@admin_required
def lti_platforms():
    cohorts = db.session.scalars(select(Cohort).join(ProgrammeRun).order_by(ProgrammeRun.name, Cohort.name)).all()
    form = LtiPlatformForm(cohorts=cohorts)
    if form.validate_on_submit():
        if _registered(form.issuer.data, form.client_id.data):
            form.client_id.errors = [_("This platform and client ID are registered already.")]
        else:
            platform = _add_platform(form)
            audit.record("admin.lti.platform_added", platform, issuer=platform.issuer, client_id=platform.client_id)
            db.session.commit()
            flash(_("%(name)s is registered. Its people can now open LIFE Academy from it.", name=platform.name),
                  "success")
            return redirect(url_for("admin.lti_platforms"))
    platforms = db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name)).all()
    urls = {"login": tool_url("lti.login"), "launch": tool_url("lti.launch"), "jwks": tool_url("lti.jwks")}
    return render_template("admin/lti.html", form=form, platforms=platforms, urls=urls), 200 if not form.errors else 400


@bp.post("/lti/<int:platform_id>/delete")
@admin_required
def lti_platform_delete(platform_id: int):
    platform = db.get_or_404(LtiPlatform, platform_id)
    audit.record("admin.lti.platform_deleted", platform, issuer=platform.issuer, client_id=platform.client_id)
    db.session.delete(platform)
    db.session.commit()
    flash(_("%(name)s is no longer registered: launches from it are refused.", name=platform.name), "success")
    return redirect(url_for("admin.lti_platforms"))


def _add_platform(form: LtiPlatformForm) -> LtiPlatform:
    platform = LtiPlatform(name=form.name.data.strip(), issuer=form.issuer.data, client_id=form.client_id.data.strip(),
                           auth_login_url=form.auth_login_url.data, auth_token_url=form.auth_token_url.data,
                           key_set_url=form.key_set_url.data or None, key_set=getattr(form, "parsed_key_set", None),
                           deployment_ids=form.deployments, cohort_id=form.cohort_id.data)
    db.session.add(platform)
    db.session.flush()
    return platform


def _registered(issuer: str, client_id: str) -> bool:
    return db.session.scalar(select(LtiPlatform.id).where(LtiPlatform.issuer == issuer,
                                                          LtiPlatform.client_id == client_id.strip())) is not None
