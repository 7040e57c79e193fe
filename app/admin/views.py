"""Administration: users, partner countries, programme runs, cohorts and their memberships, bulk
enrolment from CSV, and the audit log. Every page is for admins only; the rules live in
app/services (accounts, runs, enrolment), these views parse, call and commit once."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, to_utc
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit, once
from ..access import admin_required
from ..conflicts import conflict_page, locked_for_save, stale_edit, state_token
from ..extensions import db
from ..input_guard import bounded_int
from ..localized import country_name
from ..models import AuditEvent, Cohort, CohortKind, Country, Membership, ProgrammeRun, SiteRole, User
from ..privacy.forms import erase_form_for
from ..services import accounts, content_updates, enrolment, runs
from ..services import cohorts as cohort_service
from ..services.runs import RuleError
from ..timeutil import add_days
from . import bp
from .forms import (
    AddMemberForm,
    AuditFilterForm,
    CohortForm,
    CountryForm,
    ImportForm,
    MemberRoleForm,
    RunForm,
    UserFilterForm,
    UserForm,
)

PER_PAGE = 25
AUDIT_PER_PAGE = 50
#: Details of audit events that name a user, shown with the user's name: "who read whose entry".
USER_DETAIL_KEYS = ("owner_id", "trainee_id", "supervisor_id")


def _count(model, *conditions):
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def _show_problems(form, exc: RuleError, fields: dict[str, str] | None = None) -> None:
    """Put the service's messages next to the form fields they are about."""
    for name, message in exc.problems:
        name = (fields or {}).get(name, name)
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


@bp.errorhandler(IntegrityError)
def concurrent_change(_exc):
    """The services check every unique rule first; this is for two admins saving the same thing
    at the same moment. The transaction is rolled back whole, so nothing is half-written."""
    db.session.rollback()
    return render_template("error.html", code=409, title=_("Nothing was saved"),
                           message=_("Someone else changed the same data at the same moment. Go back, reload "
                                     "the page and try again.")), 409


def _page() -> int:
    return request.args.get("page", 1, type=bounded_int)


@bp.get("/")
@admin_required
def index():
    row = db.session.execute(select(
        _count(User).label("users"), _count(User, User.active.is_(False)).label("inactive"),
        _count(Country).label("countries"), _count(ProgrammeRun).label("runs"), _count(Cohort).label("cohorts"),
        _count(Membership).label("memberships"), _count(AuditEvent).label("audit"),
        _count(User, User.erasure_requested_at.is_not(None), User.erased_at.is_(None)).label("erasures"))).one()
    return render_template("admin/index.html", counts=row._asdict())


# Users --------------------------------------------------------------------------------------

def _filtered_users(form: UserFilterForm):
    stmt = select(User).order_by(func.lower(User.name), User.id)
    if not form.validate():
        return stmt
    if form.q.data:
        q = form.q.data.strip()
        stmt = stmt.where(or_(User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)))
    if form.role.data == "none":
        stmt = stmt.where(User.site_role.is_(None))
    elif form.role.data:
        stmt = stmt.where(User.site_role == form.role.data)
    if form.status.data:
        stmt = stmt.where(User.active.is_(form.status.data == "active"))
    return stmt


@bp.get("/users")
@admin_required
def users():
    form = UserFilterForm(formdata=request.args)
    page = db.paginate(_filtered_users(form), page=_page(), per_page=PER_PAGE, error_out=False)
    ids = [u.id for u in page.items]
    cohort_counts = dict(db.session.execute(
        select(Membership.user_id, func.count()).where(Membership.user_id.in_(ids)).group_by(Membership.user_id)).all()
    ) if ids else {}
    return render_template("admin/users.html", form=form, page=page, cohort_counts=cohort_counts)


def _invite(user_ids: list[int]) -> list[User]:
    """Send invitations once the accounts are committed; keep the links (a second commit)."""
    failed = enrolment.send_invitations(user_ids)
    db.session.commit()
    if failed:
        flash(_("The invitation could not be sent to %(emails)s. Check the mail settings, then use "
                "“Send a new invitation” on the user's page.", emails=", ".join(u.email for u in failed)), "warning")
    return failed


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
@once.per_key
def user_create():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.name.data, site_role=form.site_role.data or None,
                                        locale=form.locale.data)
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            audit.record("admin.user.create", user, site_role=user.site_role)
            user_id, email = user.id, user.email
            once.saved(url_for("admin.user_detail", user_id=user_id))
            db.session.commit()
            if not _invite([user_id]):
                flash(_("The account is created and an invitation has been sent to %(email)s.", email=email),
                      "success")
            return redirect(url_for("admin.user_detail", user_id=user_id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.get("/users/<int:user_id>")
@admin_required
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id)
    memberships = list(db.session.scalars(
        select(Membership).join(Cohort).join(ProgrammeRun).where(Membership.user_id == user.id)
        .options(selectinload(Membership.cohort).selectinload(Cohort.run),
                 selectinload(Membership.cohort).selectinload(Cohort.country))
        .order_by(ProgrammeRun.starts_on.desc(), Cohort.name)))
    return render_template("admin/user.html", user=user, memberships=memberships,
                           erase_form=erase_form_for(user.id))


def _stale_edit(form, stored: str) -> bool:
    """Whether the posted edit form was loaded before another administrator saved the record."""
    return stale_edit(form, stored)


def _conflict_page(template: str, form, stored: str, saved: str, **context):
    """The form as typed with the saved record beside it; the next save is based on what is shown."""
    return conflict_page(template, form, stored, saved, **context)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = locked_for_save(db.get_or_404(User, user_id))
    form = UserForm(obj=user, user_id=user.id)
    stored = state_token(user.name, user.email, user.site_role, user.locale)
    if not form.is_submitted():
        form.site_role.data = user.site_role or ""
    stale = _stale_edit(form, stored)
    if form.validate_on_submit():
        if stale:
            return _conflict_page("admin/user_form.html", form, stored, f"{user.name} · {user.email}", user=user)
        if user.id == current_user.id and form.site_role.data != SiteRole.ADMIN:
            form.site_role.errors.append(_("You cannot take away your own administrator role; "
                                           "ask another administrator to do it."))
        else:
            changed = _apply_user_form(user, form)
            if changed:
                audit.record("admin.user.update", user, changed=changed, site_role=user.site_role)
            db.session.commit()
            flash(_("The changes to %(name)s are saved.", name=user.name), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


def _apply_user_form(user: User, form: UserForm) -> list[str]:
    new = {"name": form.name.data.strip(), "email": accounts.normalise_email(form.email.data),
           "site_role": form.site_role.data or None, "locale": form.locale.data}
    changed = [key for key, value in new.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, new[key])
    return changed


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account; ask another administrator to do it."), "danger")
    elif not user.active:
        flash(_("%(name)s is already deactivated.", name=user.name), "info")
    else:
        accounts.deactivate(user)
        db.session.commit()
        flash(_("%(name)s is deactivated and logged out everywhere.", name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/activate")
@admin_required
def user_activate(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.active:
        flash(_("%(name)s is already active.", name=user.name), "info")
    else:
        accounts.activate(user)
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/send-link")
@admin_required
def user_send_link(user_id: int):
    """A new invitation for someone who never set a password, a reset link for everyone else."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        flash(_("%(name)s is deactivated: reactivate the account before sending a link.", name=user.name), "danger")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    purpose = "invite" if user.password_hash is None else "reset"
    try:
        accounts.send_password_link(user, purpose)
    except OSError:  # smtplib's errors are OSErrors too
        current_app.logger.exception("Link to %s could not be sent", user.email)
        db.session.rollback()
        flash(_("The e-mail could not be sent. Check the mail settings and try again."), "danger")
    else:
        audit.record("admin.user.send_link", user, purpose=purpose)
        db.session.commit()
        if purpose == "invite":
            flash(_("A new invitation has been sent to %(email)s.", email=user.email), "success")
        else:
            flash(_("A link to choose a new password has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


# Countries ----------------------------------------------------------------------------------

@bp.route("/countries", methods=["GET", "POST"])
@admin_required
def countries():
    form = CountryForm()
    if form.validate_on_submit():
        try:
            country = runs.add_country(form.code.data, form.name.data, form.default_locale.data,
                                       form.time_zone.data)
        except RuleError as exc:
            _show_problems(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is added to the partner countries.", name=country_name(country)), "success")
            return redirect(url_for("admin.countries"))
    rows = db.session.execute(
        select(Country, func.count(Cohort.id)).outerjoin(Cohort, Cohort.country_id == Country.id)
        .group_by(Country.id).order_by(Country.name)).all()
    return render_template("admin/countries.html", form=form, countries=rows)


# Runs ---------------------------------------------------------------------------------------

@bp.get("/runs")
@admin_required
def run_list():
    rows = db.session.execute(
        select(ProgrammeRun, func.count(Cohort.id)).outerjoin(Cohort, Cohort.run_id == ProgrammeRun.id)
        .group_by(ProgrammeRun.id).order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.name)).all()
    return render_template("admin/runs.html", runs=rows)


@bp.route("/runs/new", methods=["GET", "POST"])
@admin_required
@once.per_key
def run_create():
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = runs.create_run(form.name.data, form.starts_on.data, form.ends_on.data)
        except RuleError as exc:
            _show_problems(form, exc)
        else:
            once.saved(url_for("admin.run_detail", run_id=run.id))
            db.session.commit()
            flash(_("The run “%(name)s” is created. Now add its cohorts.", name=run.name), "success")
            return redirect(url_for("admin.run_detail", run_id=run.id))
    return render_template("admin/run_form.html", form=form, run=None)


@bp.get("/runs/<int:run_id>")
@admin_required
def run_detail(run_id: int):
    run = db.get_or_404(ProgrammeRun, run_id)
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.run_id == run.id)
                                      .options(selectinload(Cohort.country)).order_by(Cohort.kind, Cohort.name)))
    has_transnational = any(c.is_transnational for c in cohorts)
    return render_template("admin/run.html", run=run, cohorts=cohorts, has_transnational=has_transnational,
                           counts=cohort_service.role_counts([c.id for c in cohorts]),
                           content=content_updates.content_status(run))


@bp.route("/runs/<int:run_id>/edit", methods=["GET", "POST"])
@admin_required
def run_edit(run_id: int):
    run = locked_for_save(db.get_or_404(ProgrammeRun, run_id))
    form = RunForm(obj=run)
    stored = state_token(run.name, run.starts_on, run.ends_on)
    stale = _stale_edit(form, stored)
    valid = form.validate_on_submit()
    if valid and stale:
        return _conflict_page("admin/run_form.html", form, stored,
                              f"{run.name} · {format_date(run.starts_on)} – {format_date(run.ends_on)}", run=run)
    if valid:
        try:
            runs.update_run(run, form.name.data, form.starts_on.data, form.ends_on.data)
        except RuleError as exc:
            _show_problems(form, exc)
        else:
            db.session.commit()
            flash(_("The run is saved."), "success")
            return redirect(url_for("admin.run_detail", run_id=run_id))
    return render_template("admin/run_form.html", form=form, run=run)


# Cohorts ------------------------------------------------------------------------------------

@bp.get("/cohorts")
@admin_required
def cohort_list():
    cohorts = list(db.session.scalars(
        select(Cohort).join(ProgrammeRun).options(selectinload(Cohort.run), selectinload(Cohort.country))
        .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.name, Cohort.kind, Cohort.name)))
    return render_template("admin/cohorts.html", cohorts=cohorts,
                           counts=cohort_service.role_counts([c.id for c in cohorts]))


def _cohort_form(**kwargs) -> CohortForm:
    all_runs = db.session.scalars(select(ProgrammeRun).order_by(ProgrammeRun.starts_on.desc()))
    all_countries = db.session.scalars(select(Country).order_by(Country.name))
    return CohortForm(runs=list(all_runs), countries=list(all_countries), **kwargs)


def _save_cohort(form: CohortForm, cohort: Cohort | None) -> Cohort | None:
    run = db.session.get(ProgrammeRun, form.run_id.data)
    country = db.session.get(Country, form.country_id.data) if form.country_id.data else None
    try:
        if cohort is None:
            cohort = runs.create_cohort(run, form.kind.data, country, form.name.data)
        else:
            runs.update_cohort(cohort, run, form.kind.data, country, form.name.data)
    except RuleError as exc:
        _show_problems(form, exc, {"country": "country_id", "run": "run_id"})
        return None
    return cohort


@bp.route("/cohorts/new", methods=["GET", "POST"])
@admin_required
@once.per_key
def cohort_create():
    form = _cohort_form()
    if not form.is_submitted():
        form.run_id.data = request.args.get("run_id", type=bounded_int)
        form.kind.data = request.args.get("kind") or CohortKind.NATIONAL.value
    if form.validate_on_submit():
        cohort = _save_cohort(form, None)
        if cohort is not None:
            once.saved(url_for("admin.cohort_detail", cohort_id=cohort.id))
            db.session.commit()
            flash(_("The cohort “%(name)s” is created.", name=cohort.name), "success")
            return redirect(url_for("admin.cohort_detail", cohort_id=cohort.id))
    return render_template("admin/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@admin_required
def cohort_edit(cohort_id: int):
    cohort = locked_for_save(db.get_or_404(Cohort, cohort_id))
    form = _cohort_form(obj=cohort)
    stored = state_token(cohort.run_id, cohort.kind, cohort.country_id, cohort.name)
    stale = _stale_edit(form, stored)
    valid = form.validate_on_submit()
    if valid and stale:
        return _conflict_page("admin/cohort_form.html", form, stored, cohort.name, cohort=cohort)
    if valid and _save_cohort(form, cohort) is not None:
        db.session.commit()
        flash(_("The cohort is saved."), "success")
        return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id))
    return render_template("admin/cohort_form.html", form=form, cohort=cohort)


def _cohort_page(cohort: Cohort, add_form: AddMemberForm | None = None):
    return render_template("admin/cohort.html", cohort=cohort, members=cohort_service.members(cohort),
                           add_form=add_form or AddMemberForm(formdata=None), role_form=MemberRoleForm(formdata=None))


@bp.get("/cohorts/<int:cohort_id>")
@admin_required
def cohort_detail(cohort_id: int):
    return _cohort_page(db.get_or_404(Cohort, cohort_id))


@bp.post("/cohorts/<int:cohort_id>/members")
@admin_required
@once.per_key
def member_add(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("No user has the e-mail %(email)s. Create the account on the Users page "
                                       "first, or import a CSV file.", email=accounts.normalise_email(form.email.data)))
        else:
            try:
                runs.add_member(cohort, user, form.role.data)
            except RuleError as exc:
                _show_problems(form, exc)
            else:
                once.saved(url_for("admin.cohort_detail", cohort_id=cohort_id))
                db.session.commit()
                flash(_("%(name)s is added to the cohort.", name=user.name), "success")
                return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id))
    return _cohort_page(cohort, form)


@bp.post("/memberships/<int:membership_id>/role")
@admin_required
def member_role(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    form = MemberRoleForm()
    cohort_id, name = membership.cohort_id, membership.user.name
    if not form.validate_on_submit():
        flash(_("Choose trainee, facilitator or national coordinator."), "danger")
    elif form.role.data != membership.role:
        runs.change_role(membership, form.role.data)
        db.session.commit()
        flash(_("The role of %(name)s is changed.", name=name), "success")
    return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id))


@bp.post("/memberships/<int:membership_id>/remove")
@admin_required
def member_remove(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    cohort_id, name = membership.cohort_id, membership.user.name
    runs.remove_member(membership)
    db.session.commit()
    flash(_("%(name)s is no longer a member of this cohort. Their account and their work are kept.", name=name),
          "success")
    return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id))


# Bulk enrolment -----------------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@admin_required
@once.per_key
def cohort_import(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = ImportForm()
    problems: list[enrolment.Problem] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            summary = enrolment.enrol(cohort, upload.read(), upload.filename)
        except enrolment.ImportRefused as exc:
            db.session.rollback()  # the service wrote nothing; make sure nothing pending follows
            problems = exc.problems
        else:
            new_ids = [u.id for u in summary.created]
            once.saved(url_for("admin.cohort_detail", cohort_id=cohort_id))
            db.session.commit()
            flash(_("Import done. New accounts created and invited: %(created)d. Existing users enrolled: "
                    "%(enrolled)d. Already members, skipped: %(skipped)d.", created=len(new_ids),
                    enrolled=len(summary.enrolled), skipped=len(summary.skipped)), "success")
            _invite(new_ids)
            return redirect(url_for("admin.cohort_detail", cohort_id=cohort_id))
    return render_template("admin/cohort_import.html", cohort=cohort, form=form, problems=problems,
                           columns=enrolment.COLUMNS, max_rows=enrolment.MAX_ROWS)


@bp.get("/cohorts/<int:cohort_id>/import/example.csv")
@admin_required
def cohort_import_example(cohort_id: int):
    """A file to start from; the byte-order mark makes Excel open it as UTF-8."""
    cohort = db.get_or_404(Cohort, cohort_id)
    country = cohort.country.code if cohort.country else "PT"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(enrolment.COLUMNS)
    writer.writerow(["ana.pereira@example.org", "Ana Pereira", "trainee", country, ""])
    writer.writerow(["joao.silva@example.org", "João Silva", "facilitator", country, ""])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=enrolment-example.csv"})


# Audit log ----------------------------------------------------------------------------------

def _utc_start_of(day: date) -> datetime:
    """Midnight in the admin's time zone, as the naive UTC the log stores."""
    return to_utc(datetime.combine(day, time.min))


def _filtered_events(form: AuditFilterForm):
    stmt = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at.desc(),
                                                                                  AuditEvent.id.desc())
    if not form.validate():
        return stmt
    if form.action.data:
        stmt = stmt.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
    if form.actor.data:
        stmt = stmt.where(AuditEvent.actor.has(
            User.email.icontains(accounts.normalise_email(form.actor.data), autoescape=True)))
    if form.date_from.data:
        stmt = stmt.where(AuditEvent.at >= _utc_start_of(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditEvent.at < _utc_start_of(add_days(form.date_to.data, 1)))
    return stmt


@bp.get("/audit")
@admin_required
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    page = db.paginate(_filtered_events(form), page=_page(), per_page=AUDIT_PER_PAGE, error_out=False)
    user_ids = {e.target_id for e in page.items if e.target_type == "user" and e.target_id}
    user_ids |= {value for e in page.items for key, value in (e.detail or {}).items()
                 if key in USER_DETAIL_KEYS and isinstance(value, int)}
    targets = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    actions = list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action).limit(200)))
    return render_template("admin/audit.html", form=form, page=page, user_targets=targets, actions=actions,
                           user_detail_keys=USER_DETAIL_KEYS)
