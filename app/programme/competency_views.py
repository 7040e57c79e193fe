"""The competency profile: the trainee's own (/programme/competencies, with their reflection per
element), a trainee's for the facilitators who read their work (/programme/competencies/<user_id>,
evidence only), and the coordinators' distributions per country
(/programme/competencies/distribution). All printable."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from app.forms import LocalizedForm

from ..access import report_country_ids_or_403
from ..extensions import db
from ..guarded_save import guarded_save
from ..input_guard import MAX_ID, bounded_int
from ..models import Draft
from ..privacy_check import PrivacyConfirmMixin
from ..services import competency_profile as service
from . import bp


class ReflectionForm(PrivacyConfirmMixin, LocalizedForm):
    text = TextAreaField(_l("Your reflection"), validators=[Length(max=service.REFLECTION_LIMIT)],
                         render_kw={"rows": 4},
                         description=_l("Only you see this. What does the evidence say about this competency, "
                                        "and what will you work on next?"))
    base_version = IntegerField(widget=HiddenField.widget, default=0, validators=[Optional(), NumberRange(0, MAX_ID)])


def _user():
    return current_user._get_current_object()


def _forms(profile: service.Profile, failed: str | None = None, failed_form=None,
           failed_draft: int | None = None) -> dict[str, tuple[ReflectionForm, int]]:
    """Each element's reflection form and draft version (the drafts in one query)."""
    keys = {f"competency:{e.code}": e.code for e in profile.elements}
    saved = {keys[d.key]: d for d in db.session.scalars(select(Draft).where(
        Draft.user_id == profile.learner.id, Draft.key.in_(keys)))}
    forms = {}
    for element in profile.elements:
        draft = saved.get(element.code)
        if element.code == failed and failed_form is not None:
            forms[element.code] = (failed_form, failed_draft if failed_draft is not None else
                                   (draft.version if draft else 0))
            continue
        row = element.reflection
        text = draft.data.get("text", "") if draft else (row.text if row else "")
        form = ReflectionForm(formdata=None, prefix=element.code,
                              data={"text": text, "base_version": row.version if row else 0})
        forms[element.code] = (form, draft.version if draft else 0)
    return forms


def _render_own(failed: str | None = None, failed_form=None, outcome=None, status: int = 200):
    profile = service.profile_for(_user(), own=True)
    draft_version = outcome.draft.version if outcome is not None and outcome.draft is not None else None
    forms = _forms(profile, failed, failed_form, draft_version) if profile else {}
    return render_template("programme/competencies.html", profile=profile, learner=_user(), own=True, forms=forms,
                           failed=failed, outcome=outcome), status


@bp.get("/competencies")
@login_required
def competencies():
    return _render_own()


@bp.post("/competencies/<code>/reflection")
@login_required
def competency_reflection(code: str):
    if len(code) > 10:
        abort(404)
    user = _user()
    competency = service.competency_or_404(user, code)
    form = ReflectionForm(prefix=competency.code)
    text = (form.text.data or "").strip()
    outcome = guarded_save(
        user, f"competency:{competency.code}", {"text": form.text.data or ""},
        request.form.get("draft_version", default=0, type=bounded_int),
        texts={"text": (str(form.text.label.text), text)}, confirmed=bool(form.privacy_confirmed.data),
        errors=None if form.validate_on_submit() else [_("Please correct the field marked below. Nothing was saved.")],
        save=lambda: service.save_reflection(user, competency.code, text, form.base_version.data or 0))
    if not outcome.saved:
        return _render_own(competency.code, form, outcome, outcome.status)
    flash(_("Your reflection on %(code)s is saved.", code=competency.code), "success")
    return redirect(url_for("programme.competencies") + f"#competency-{competency.code}")


@bp.get("/competencies/<int:user_id>")
@login_required
def trainee_competencies(user_id: int):
    learner = service.trainee_for_staff_or_error(user_id, _user())  # NotFound / Forbidden: app/web.py
    if learner.id == _user().id:
        return redirect(url_for("programme.competencies"))
    profile = service.profile_for(learner, own=False)
    return render_template("programme/competencies.html", profile=profile, learner=learner, own=False, forms={},
                           failed=None, outcome=None)


@bp.get("/competencies/distribution")
@login_required
def competency_distribution():
    countries = report_country_ids_or_403(_user())
    return render_template("programme/competency_distribution.html", data=service.distributions(countries))

