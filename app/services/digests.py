"""The digest e-mails `flask notify digest` sends: daily to facilitators (work waiting for their
feedback, meetings whose attendance is not recorded, flags) and to anyone who chose "daily digest"
for a kind of notification (what gathered since); weekly to coordinators (their scope's summary).

One e-mail per recipient and period: the `digest_sent` row is written first, under a unique key,
so a second run the same day (or week), or two runs at once, send nothing twice. Each recipient
is committed on its own, so a failure half-way keeps what was sent."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, request, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..access import cohorts_with_status_access_query
from ..extensions import db
from ..models import Cohort, CohortRole, DigestSent, Membership, Notification, ProgrammeRun, SiteRole, User
from ..plugins import registry
from . import preferences, unsubscribe
from .attendance import attendance_reminders
from .cohort_progress import cohort_progress

DAILY, WEEKLY = "daily", "weekly"


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


def period_key(period: str, today: date) -> str:
    if period == DAILY:
        return f"daily:{today.isoformat()}"
    year, week, _day = today.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def _open_runs(today: date):
    return select(ProgrammeRun.id).where(ProgrammeRun.starts_on <= today, ProgrammeRun.ends_on >= today)


def _staff(role: str, today: date):
    return select(Membership.user_id).join(Cohort).where(Membership.role == role,
                                                         Cohort.run_id.in_(_open_runs(today)))


def recipients(period: str, today: date) -> list[User]:
    """Daily: facilitators of running cohorts and whoever has notifications waiting for the digest;
    weekly: national coordinators of running cohorts and transnational coordinators."""
    if period == DAILY:
        pending = select(Notification.user_id).where(Notification.digest_pending.is_(True))
        who = or_(User.id.in_(_staff(CohortRole.FACILITATOR, today)), User.id.in_(pending))
    else:
        who = or_(User.id.in_(_staff(CohortRole.COORDINATOR, today)),
                  User.site_role == SiteRole.TRANSNATIONAL_COORDINATOR)
    return list(db.session.scalars(select(User).where(who, User.active.is_(True), User.erased_at.is_(None))
                                   .order_by(User.id)))


def _link(path: str | None) -> str:
    return request.host_url.rstrip("/") + path if path and path.startswith("/") else (path or "")


def _plugin_lines(user: User, cohorts: list[Cohort]) -> list[str]:
    return [f"- {item.label}: {_link(item.url)}" for plugin in registry()
            for item in plugin.digest_items(user, cohorts)]


def daily_sections(user: User, today: date) -> list[Section]:
    cohorts = [m.cohort for m in user.memberships if m.role == CohortRole.FACILITATOR
               and m.cohort.run.starts_on <= today <= m.cohort.run.ends_on]
    if not cohorts:
        return []
    work = Section(_("Work waiting for you"), _plugin_lines(user, cohorts))
    meetings = Section(_("Attendance to record"), [
        f"- {m.title} ({m.cohort.name}, {format_date(m.starts_on)}): "
        f"{_link(url_for('meetings.attendance', meeting_id=m.id))}"
        for m in attendance_reminders(user).to_record])
    return [s for s in (work, meetings) if s.lines]


def weekly_sections(user: User, today: date) -> list[Section]:
    cohorts = list(db.session.scalars(cohorts_with_status_access_query(user).where(
        Cohort.run_id.in_(_open_runs(today)))))
    if not cohorts:
        return []
    summary = Section(_("Your cohorts this week"))
    for cohort in cohorts:
        progress = cohort_progress(cohort, today)
        summary.lines.append("- " + ngettext(
            "%(cohort)s: %(num)d trainee, %(behind)d behind with their work",
            "%(cohort)s: %(num)d trainees, %(behind)d behind with their work", len(progress.trainees),
            cohort=cohort.name, behind=progress.behind)
            + f": {_link(url_for('main.cohort_detail', cohort_id=cohort.id))}")
    work = Section(_("Waiting"), _plugin_lines(user, cohorts))
    return [s for s in (summary, work) if s.lines]


def _pending(user_ids: list[int]) -> dict[int, list[Notification]]:
    found: dict[int, list[Notification]] = defaultdict(list)
    if user_ids:
        for note in db.session.scalars(select(Notification).where(
                Notification.user_id.in_(user_ids), Notification.digest_pending.is_(True))
                .order_by(Notification.created_at, Notification.id)):
            found[note.user_id].append(note)
    return found


def _claim(user: User, key: str) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(DigestSent(user_id=user.id, period=key))
    except IntegrityError:
        return False
    return True


def send_digests(period: str, today: date) -> int:
    """Send the period's digests; returns how many e-mails were queued. Run it in a request
    context whose host is the site's address (the CLI makes one from PUBLIC_URL)."""
    users = recipients(period, today)
    ids = [u.id for u in users]
    summary = preferences.modes_for(ids, preferences.SUMMARY)
    pending = _pending(ids) if period == DAILY else {}
    default, key, sent = current_app.config["BABEL_DEFAULT_LOCALE"], period_key(period, today), 0
    for user in users:
        with force_locale(user.locale or default):
            sections = []
            if summary[user.id] == preferences.DIGEST:
                sections = daily_sections(user, today) if period == DAILY else weekly_sections(user, today)
            notes = pending.get(user.id, [])
            if notes:
                sections.append(Section(_("Notifications"), [f"- {n.message}" + (f": {_link(n.url)}" if n.url else "")
                                                              for n in notes]))
            if not sections or not _claim(user, key):
                db.session.rollback()
                continue
            subject = _("LIFE Academy: your daily digest") if period == DAILY else _("LIFE Academy: your weekly digest")
            body = "\n\n".join(f"{s.title}\n" + "\n".join(s.lines) for s in sections)
            unsubscribe.mail_user(user, unsubscribe.DIGEST_LINK, subject, body, kind=f"digest.{period}")
        if notes:
            db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                               .values(digest_pending=False).execution_options(synchronize_session=False))
        db.session.commit()
        sent += 1
    return sent
