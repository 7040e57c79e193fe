"""Pages: the calendar (/meetings/), a meeting, its attendance sheet, a cohort's meetings, editing
and adding meetings, and the calendar feed (/meetings/ical/<token>.ics, no login: calendar apps
cannot log in, so the secret address is the credential). Access is decided in
app/services/meetings.py (attendance.py, meeting_calendar.py and calendar_feed.py beside it); each
view parses a form, calls a service and commits once."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import once
from ..access import can_view_cohort_status, cohort_roles
from ..conflicts import CONFLICT_MESSAGE, locked_for_save, stale_edit, state_token
from ..extensions import db
from ..models import Cohort, CohortRole
from ..privacy_check import review_fields
from ..services import attendance as attendance_service
from ..services import calendar_feed
from ..services import meetings as service
from ..services.meeting_calendar import calendar_for
from ..timeutil import DEFAULT_END, DEFAULT_START
from ..timezones import first_day_span
from . import bp
from .forms import GUARDED_FIELDS, AttendanceForm, EmptyForm, MeetingForm


def _user():
    return current_user._get_current_object()


@bp.app_template_filter("meeting_times")
def meeting_times(meeting) -> str:
    """Each day's times in the viewer's zone (flask-babel converts), "10:00–14:00", with the
    viewer's zone named when the meeting is planned in another one."""
    start, end = first_day_span(meeting)
    text = f"{format_time(start, 'short')}–{format_time(end, 'short')}"
    viewer_zone = get_timezone()
    if viewer_zone is not None and str(viewer_zone) != meeting.time_zone:
        text += f" ({str(viewer_zone).replace('_', ' ')})"
    return text


@bp.get("/")
@login_required
def calendar():
    user = _user()
    feed_url = url_for("meetings.feed", token=calendar_feed.feed_token(user), _external=True)
    db.session.commit()  # a first visit issues the feed token
    return render_template("meetings/calendar.html", calendar=calendar_for(user), feed_url=feed_url,
                           managed=service.managed_cohorts(user), reset_form=EmptyForm())


@bp.post("/calendar-link/reset")
@login_required
def reset_feed():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    calendar_feed.reset_feed_token(_user())
    db.session.commit()
    flash(_("Your calendar has a new address. The old one no longer works: subscribe again with the new one."),
          "success")
    return redirect(url_for("meetings.calendar") + "#feed-h")


@bp.get("/ical/<token>.ics")
def feed(token: str):
    user = calendar_feed.user_for_feed_token(token)
    if user is None:
        abort(404)
    response = Response(calendar_feed.feed(user, request.host), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="life-academy.ics"'
    # Personal data behind a secret address: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    user = _user()
    meeting_ = service.viewable_meeting_or_403(user, meeting_id)
    roles = cohort_roles(user, meeting_.cohort_id)
    own = None
    if CohortRole.TRAINEE in roles and attendance_service.has_started(meeting_, user):
        own = attendance_service.attendance_state_of(user, meeting_)
    return render_template("meetings/meeting.html", meeting=meeting_, own_attendance=own,
                           started=attendance_service.has_started(meeting_, user),
                           can_manage=service.can_manage(user, meeting_.cohort),
                           can_record=service.can_record_attendance(user, meeting_.cohort),
                           can_see_cohort=can_view_cohort_status(user, meeting_.cohort) or bool(roles))


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(meeting_id: int):
    user = _user()
    meeting_ = service.meeting_or_404(meeting_id)
    if not service.can_record_attendance(user, meeting_.cohort):
        abort(403)
    if request.method == "POST":
        attendance_service.lock_sheet(meeting_)
    sheet = attendance_service.attendance_sheet(meeting_)
    form = AttendanceForm()
    form.present.choices = [(row.trainee.id, row.trainee.name) for row in sheet]
    started = attendance_service.has_started(meeting_, user)
    if request.method == "GET":
        form.present.data = [row.trainee.id for row in sheet if row.attendance is not None and row.attendance.present]
    elif not started:
        flash(_("Attendance can be recorded from the meeting's first day."), "warning")
        return redirect(url_for("meetings.attendance", meeting_id=meeting_.id))
    elif form.validate_on_submit():
        changed = attendance_service.overwritten_rows(sheet, _row_bases(sheet), set(form.present.data or []))
        if changed:
            # Another facilitator recorded these since the page was loaded: nothing is saved, their
            # marks are listed, this user's ticks stay on the page and the next save is based on both.
            flash(_("Someone else recorded attendance for this meeting after you opened the page. Nothing was "
                    "saved: the marks they recorded are listed below and your ticks are kept. Check them and "
                    "save again."), "danger")
            return _sheet_page(meeting_, sheet, form, started, changed), 409
        try:
            present, absent = attendance_service.record_attendance(meeting_, sheet, set(form.present.data or []), user)
        except service.MeetingError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("meetings.attendance", meeting_id=meeting_.id))
        db.session.commit()
        flash(_("Attendance saved: %(present)d present, %(absent)d absent.", present=present, absent=absent),
              "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting_.id))
    status = 400 if form.errors else 200
    return _sheet_page(meeting_, sheet, form, started), status


def _sheet_page(meeting_, sheet, form, started: bool, changed=()):
    """The attendance sheet with the form's ticks (as posted, after a refused save), each row with
    the state it shows (`base-<trainee id>`), and the rows someone else changed meanwhile."""
    return render_template("meetings/attendance.html", meeting=meeting_, sheet=sheet, form=form,
                           checked=set(form.present.data or []), started=started, changed=list(changed),
                           row_token=attendance_service.row_token)


def _row_bases(sheet) -> dict[int, str]:
    """The row tokens the attendance form was loaded with (`base-<trainee id>`)."""
    return {row.trainee.id: request.form[f"base-{row.trainee.id}"] for row in sheet
            if f"base-{row.trainee.id}" in request.form}


@bp.get("/cohort/<int:cohort_id>")
@login_required
def cohort_meetings(cohort_id: int):
    user = _user()
    cohort = db.get_or_404(Cohort, cohort_id)
    if not service.can_view(user, cohort):
        abort(403)
    return render_template("meetings/cohort.html", cohort=cohort, rows=service.cohort_meetings(cohort),
                           today=service.today_for(user), can_manage=service.can_manage(user, cohort),
                           can_record=service.can_record_attendance(user, cohort))


def _times(form: MeetingForm, current: service.Times) -> service.Times:
    """The form's times; a field left empty keeps the current (or default) value."""
    return service.Times(form.starts_at.data or current.starts_at, form.ends_at.data or current.ends_at,
                         form.time_zone.data or current.time_zone)


def _apply_errors(form: MeetingForm, error: service.MeetingError) -> None:
    for name, message in error.problems:
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(message, "danger")


def meeting_token(meeting_) -> str:
    """What the edit form was loaded from (MeetingForm.base)."""
    return state_token(meeting_.title, meeting_.starts_on, meeting_.ends_on, meeting_.starts_at, meeting_.ends_at,
                       meeting_.time_zone, meeting_.place, meeting_.agenda_md, float(meeting_.hours))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    user = _user()
    meeting_ = service.meeting_or_404(meeting_id)
    if not service.can_manage(user, meeting_.cohort):
        abort(403)
    locked_for_save(meeting_)
    form = MeetingForm(obj=meeting_)
    stored = meeting_token(meeting_)
    stale = stale_edit(form, stored)
    if meeting_.plan_id is not None:
        del form.hours  # planned meetings keep the content's hours
    privacy = None
    if stale and form.validate_on_submit():
        # Saved by someone else since this page was loaded: the form as typed, the saved meeting
        # beside it, and the next save based on what is shown (a choice, not an accident).
        flash(str(CONFLICT_MESSAGE), "danger")
        form.base.data = stored
        return render_template("meetings/form.html", form=form, meeting=meeting_, cohort=meeting_.cohort,
                               privacy=None, conflict=meeting_), 409
    if form.validate_on_submit() and not (privacy := review_fields(form, GUARDED_FIELDS)).blocked:
        try:
            changed = service.update_meeting(
                meeting_, title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                place=form.place.data, agenda_md=form.agenda_md.data,
                hours=form.hours.data if "hours" in form else None,
                times=_times(form, service.Times(meeting_.starts_at, meeting_.ends_at, meeting_.time_zone)))
        except service.MeetingError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The meeting is saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting_.id))
    status = 400 if form.errors else 200
    return render_template("meetings/form.html", form=form, meeting=meeting_, cohort=meeting_.cohort,
                           privacy=privacy), status


@bp.route("/cohort/<int:cohort_id>/new", methods=["GET", "POST"])
@login_required
@once.per_key
def new(cohort_id: int):
    user = _user()
    cohort = db.get_or_404(Cohort, cohort_id)
    if not service.can_manage(user, cohort):
        abort(403)
    defaults = service.Times(DEFAULT_START, DEFAULT_END, service.cohort_zone(cohort))
    form = MeetingForm(**vars(defaults))
    privacy = None
    if form.validate_on_submit() and not (privacy := review_fields(form, GUARDED_FIELDS)).blocked:
        try:
            meeting_ = service.add_meeting(
                cohort, title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                place=form.place.data, agenda_md=form.agenda_md.data, hours=form.hours.data,
                times=_times(form, defaults))
        except service.MeetingError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            once.saved(url_for("meetings.meeting", meeting_id=meeting_.id))
            db.session.commit()
            flash(_("The meeting is added to the cohort's calendar."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting_.id))
    status = 400 if form.errors else 200
    return render_template("meetings/form.html", form=form, meeting=None, cohort=cohort, privacy=privacy), status
