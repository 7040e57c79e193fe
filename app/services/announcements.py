"""Announcements: a facilitator writes to their cohorts, a national coordinator to their
country's cohorts or the whole country, a transnational coordinator or an admin to any cohort, a
country or the transnational cohort; optionally only to those who have not handed in one activity.
Each trainee reads it in their language when the sender wrote that version, else in the sender's.

The audiences a user may choose are built here (`audiences_for`); a value that is not one of them
(a forged form) is refused by `audience_for`, never widened."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from .. import audit
from ..access import cohorts_with_status_access_query
from ..extensions import db
from ..localized import country_name
from ..models import (
    Activity,
    Announcement,
    AnnouncementRecipient,
    Cohort,
    CohortRole,
    Completion,
    CompletionState,
    Country,
    Membership,
    Module,
    Notification,
    ProgrammeRun,
    SiteRole,
    User,
)
from ..sanitize import plain_lines, sanitize_html
from ..timeutil import utcnow
from . import preferences, unsubscribe
from .meetings import programme_of
from .notifications import absolute


class AnnouncementError(ValueError):
    """The announcement cannot be sent as asked; the message says why."""


class AlreadySent(AnnouncementError):
    """The same form sent a second time (a double click, a resent page, another tab)."""

    def __init__(self) -> None:
        super().__init__(_("This announcement has already been sent from this form: it was not sent a second "
                           "time. The announcements you sent are listed under Announcements."))


@dataclass
class Audience:
    #: The form value: "cohort-12" or "country-3".
    key: str
    label: str
    cohorts: list[Cohort]


def _open_cohorts(user: User) -> list[Cohort]:
    """Cohorts the user may address whose run has not ended."""
    today = utcnow().date()
    return list(db.session.scalars(cohorts_with_status_access_query(user).join(ProgrammeRun)
                                   .where(ProgrammeRun.ends_on >= today)))


def audiences_for(user: User) -> list[Audience]:
    cohorts = _open_cohorts(user)
    audiences = [Audience(f"cohort-{c.id}", _("Cohort: %(name)s", name=c.name), [c]) for c in cohorts]
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        countries = {c.country_id for c in cohorts if c.country_id is not None}
    else:
        countries = {m.cohort.country_id for m in user.memberships
                     if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}
    for country in db.session.scalars(select(Country).where(Country.id.in_(countries)).order_by(Country.name)):
        part = [c for c in cohorts if c.country_id == country.id]
        if part:
            label = ngettext("All of %(country)s (%(num)d cohort)", "All of %(country)s (%(num)d cohorts)",
                             len(part), country=country_name(country))
            audiences.append(Audience(f"country-{country.id}", label, part))
    return audiences


def audience_for(user: User, key: str | None) -> Audience:
    found = next((a for a in audiences_for(user) if a.key == key), None)
    if found is None:
        raise AnnouncementError(_("You cannot write to this audience. Choose one of the list."))
    return found


def activity_choices(user: User) -> list[tuple[int, str]]:
    """Activities of the programmes the user's open cohorts follow, in programme order."""
    programmes = {p.id for p in (programme_of(c.run) for c in _open_cohorts(user)) if p is not None}
    if not programmes:
        return []
    rows = db.session.scalars(
        select(Activity).join(Module).where(Module.programme_id.in_(programmes), Activity.retired.is_(False))
        .options(contains_eager(Activity.module)).order_by(Module.order, Activity.position, Activity.id))
    return [(a.id, f"{a.module.title} – {a.title}") for a in rows]


def _activity_for(audience: Audience, activity_id: int | None) -> Activity | None:
    if activity_id is None:
        return None
    activity = db.session.get(Activity, activity_id)
    programmes = {p.id for p in (programme_of(c.run) for c in audience.cohorts) if p is not None}
    if activity is None or activity.module.programme_id not in programmes:
        raise AnnouncementError(_("This activity is not part of the programme of this audience."))
    return activity


def recipients(audience: Audience, activity: Activity | None) -> list[User]:
    """The audience's active trainees (once each), without those who have done `activity`."""
    query = (select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.cohort_id.in_([c.id for c in audience.cohorts]), Membership.role == CohortRole.TRAINEE,
        User.active.is_(True), User.erased_at.is_(None)).distinct().order_by(User.name, User.id))
    if activity is not None:
        query = query.where(~exists().where(Completion.user_id == User.id, Completion.activity_id == activity.id,
                                            Completion.state == CompletionState.DONE))
    return list(db.session.scalars(query))


def describe(audience: Audience, activity: Activity | None) -> str:
    if activity is None:
        return audience.label
    return _("%(audience)s, who have not handed in “%(activity)s”", audience=audience.label, activity=activity.title)


@dataclass
class Draft:
    audience: Audience
    activity: Activity | None
    language: str
    subject: str
    body: str
    #: {lang: {"subject": ..., "body": ...}} for the other languages written.
    versions: dict[str, dict[str, str]]


def _as_html(text: str) -> str:
    """Sanitized HTML; text typed without the editor (no script) keeps its paragraphs and lines."""
    if "<" not in text:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        text = "".join("<p>" + str(escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitize_html(text)


def prepare(user: User, key: str, activity_id: int | None, language: str, subject: str, body: str,
            versions: dict[str, dict[str, str]]) -> Draft:
    audience = audience_for(user, key)
    activity = _activity_for(audience, activity_id)
    clean = _as_html(body)
    if not plain_lines(clean).strip():
        raise AnnouncementError(_("Write the announcement's text."))
    kept = {lang: {"subject": v["subject"].strip(), "body": _as_html(v["body"])}
            for lang, v in versions.items() if lang != language and v["subject"].strip()
            and plain_lines(_as_html(v["body"])).strip()}
    return Draft(audience, activity, language, subject.strip(), clean, kept)


def send(sender: User, draft: Draft, send_key: str | None = None) -> Announcement:
    """Store the announcement, notify each recipient in the app and, as their preference says, by
    e-mail now or in their digest. A fixed number of queries, then one insert per recipient."""
    people = recipients(draft.audience, draft.activity)
    if not people:
        raise AnnouncementError(_("Nobody is in this audience: nothing was sent."))
    announcement = Announcement(sender_id=sender.id, language=draft.language, subject=draft.subject,
                                body=draft.body, versions=draft.versions,
                                audience=describe(draft.audience, draft.activity)[:300], recipients=len(people),
                                send_key=send_key or None)
    db.session.add(announcement)
    try:
        db.session.flush()
    except IntegrityError:  # the unique send key: this form was sent already
        raise AlreadySent() from None
    url = url_for("notify.announcement", announcement_id=announcement.id)
    modes = preferences.modes_for([u.id for u in people], preferences.ANNOUNCEMENT)
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for user in people:
        subject, body = announcement.version_for(user.locale)
        mode = modes[user.id]
        db.session.add(AnnouncementRecipient(announcement_id=announcement.id, user_id=user.id))
        db.session.add(Notification(user_id=user.id, kind="announcement", message=subject[:500], url=url,
                                    digest_pending=mode == preferences.DIGEST))
        if mode == preferences.NOW:
            with force_locale(user.locale or default):
                text = "\n\n".join((_("From %(name)s:", name=sender.name), plain_lines(body).strip(), absolute(url)))
                unsubscribe.mail_user(user, preferences.ANNOUNCEMENT, subject, text, kind="announcement")
    audit.record("notify.announcement", announcement, actor=sender, audience=announcement.audience,
                 recipients=len(people))
    return announcement


def may_read(user: User, announcement: Announcement) -> bool:
    if user.is_admin or announcement.sender_id == user.id:
        return True
    return db.session.scalar(select(exists().where(AnnouncementRecipient.announcement_id == announcement.id,
                                                   AnnouncementRecipient.user_id == user.id))) or False


def sent_by(user: User, limit: int = 100) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(limit)
    return list(db.session.scalars(query if user.is_admin else query.where(Announcement.sender_id == user.id)))


def received_by(user: User, limit: int = 100) -> list[Announcement]:
    return list(db.session.scalars(select(Announcement).join(AnnouncementRecipient).where(
        AnnouncementRecipient.user_id == user.id).order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)))
