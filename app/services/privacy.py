"""The data-protection rights of a user: a copy of everything stored about them, and erasure.

The core answers for its own tables; every activity plugin answers for its own through
`export_user_data` and `erase_user_data`, so no plugin's data is forgotten and the core never
needs to know what a plugin stores."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import String, and_, cast, delete, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from .. import audit, figures_cache
from ..extensions import db
from ..models import (
    Announcement,
    AnnouncementRecipient,
    ApiToken,
    Attendance,
    AuditEvent,
    CompetencyReflection,
    Completion,
    DigestSent,
    Draft,
    IssuedCredential,
    LtiGradeLink,
    LtiIdentity,
    Membership,
    Notification,
    NotificationPreference,
    OnceKey,
    OutboxMessage,
    PasswordToken,
    ReminderSent,
    SiteRole,
    User,
    UserSession,
    XapiStatement,
)
from ..plugins import NotPersonal, PersonalData, registry
from ..timeutil import utcnow
from . import calendar_feed, two_factor
from .notifications import notify

ERASED_DOMAIN = "erased.invalid"

_CONTENT = "programme content and structure, written by the content team and coordinators"
_KEPT_LINK = "kept: points at the erased, anonymous user row"

#: The core's tables, declared as the plugins declare theirs (app/plugins.py PersonalData).
CORE_PERSONAL_DATA: tuple[PersonalData | NotPersonal, ...] = (
    PersonalData("user", (), ("email", "name", "password_hash", "locale", "timezone", "site_role"),
                 export="core.profile", erase="anonymised: the row stays so that links to it keep working",
                 retention="while the account exists"),
    NotPersonal("user", ("calendar_feed_hash", "calendar_feed_sealed"),
                "the secret of the calendar feed's address (a hash, and the sealed token to show it to its owner); "
                "removed at erasure (calendar_feed.end_feed_token)"),
    NotPersonal("user", ("totp_secret_sealed", "totp_enabled_at", "totp_last_step"),
                "the authenticator app's sealed secret, when it was set up and the last step used; the export "
                "says whether it is on (core.two_factor), never the secret; removed at erasure"),
    PersonalData("recovery_code", ("user_id",), export="core.two_factor (how many are left, never a code)",
                 erase="deleted", retention="until used, renewed or the second factor is turned off"),
    NotPersonal("recovery_code", ("salt", "code_hash"), "a salted hash of a one-time secret"),
    PersonalData("passkey", ("user_id",), ("name",), export="core.two_factor (names and dates, never a key)",
                 erase="deleted", retention="until the user or an admin removes it"),
    NotPersonal("passkey", ("credential_id", "public_key"), "the public half of a passkey and its id"),
    PersonalData("membership", ("user_id",), export="core.memberships", erase="deleted",
                 retention="with the run (flask privacy purge --run)"),
    NotPersonal("membership", ("role",), "a role name"),
    PersonalData("attendance", ("user_id", "recorded_by_id"), export="core.attendance",
                 erase="deleted; recorded_by " + _KEPT_LINK, retention="with the run (flask privacy purge --run)"),
    PersonalData("completion", ("user_id",), export="core.completions", erase="deleted",
                 retention="with the run (flask privacy purge --run)"),
    NotPersonal("completion", ("state",), "a workflow state"),
    PersonalData("competency_reflection", ("user_id",), ("text",), export="core.competency_reflections",
                 erase="deleted", retention="while the account exists"),
    NotPersonal("competency_reflection", ("code",), "a competency element's code"),
    PersonalData("draft", ("user_id",), ("data",), export="core.drafts", erase="deleted",
                 retention="DRAFT_RETENTION_DAYS after the last save"),
    NotPersonal("draft", ("key",), "the name of the form the draft belongs to"),
    PersonalData("notification", ("user_id",), ("message", "url"), export="core.notifications",
                 erase="deleted; other people's notifications that name the user are anonymised",
                 retention="NOTIFICATION_RETENTION_DAYS"),
    NotPersonal("notification", ("kind",), "the kind of event"),
    PersonalData("outbox_message", ("user_id",), ("to", "subject", "body", "last_error"),
                 export="not exported: a copy of e-mails already listed as notifications",
                 erase="deleted, and so are messages that name the user",
                 retention="OUTBOX_RETENTION_DAYS after sending"),
    NotPersonal("outbox_message", ("kind", "status"), "the kind of e-mail and its delivery state"),
    NotPersonal("outbox_message", ("unsubscribe_url",), "a signed link that names no one (a user id and a kind)"),
    PersonalData("notification_preference", ("user_id",), export="not exported: shown on the account page",
                 erase="deleted", retention="while the account exists"),
    NotPersonal("notification_preference", ("kind", "mode"), "a kind of notification and how to send it"),
    PersonalData("announcement", ("sender_id",), ("subject", "body", "versions", "audience"),
                 export="not exported: the sender's messages are listed on the announcements page",
                 erase="unlinked from the sender; the text stays for its recipients",
                 retention="NOTIFICATION_RETENTION_DAYS"),
    NotPersonal("announcement", ("language",), "a language code"),
    NotPersonal("announcement", ("send_key",), "a random one-time key of the form it was sent from"),
    PersonalData("once_key", ("user_id",), export="not exported: which forms the user sent (app/once.py)",
                 erase="deleted", retention="7 days (app/once.py KEEP_DAYS)"),
    NotPersonal("once_key", ("key", "url"),
                "a random one-time key of a create form, and the address of what it created (ids, no text)"),
    PersonalData("kept_figures", (), ("value",),
                 export="not exported: the dashboard's figures kept a few minutes (app/figures_cache.py), which "
                        "name the trainees whose work waits longest for feedback",
                 erase="every row deleted at any erasure", retention="FIGURES_MAX_AGE seconds, then replaced"),
    NotPersonal("kept_figures", ("slot",), "a hash of which figures the row holds (a run, cohorts and a day)"),
    PersonalData("announcement_recipient", ("user_id",), export="not exported: the announcements are notifications",
                 erase="deleted", retention="with the announcement"),
    PersonalData("reminder_sent", ("user_id",), export="not exported: when a reminder was last sent",
                 erase="deleted", retention="NOTIFICATION_RETENTION_DAYS"),
    NotPersonal("reminder_sent", ("item",), "the kind and id of the item reminded of"),
    PersonalData("digest_sent", ("user_id",), export="not exported: when a digest was last sent",
                 erase="deleted", retention="NOTIFICATION_RETENTION_DAYS"),
    NotPersonal("digest_sent", ("period",), "the day or week of a digest"),
    PersonalData("password_token", ("user_id",), export="not exported: one-time secrets", erase="deleted",
                 retention="until used or expired"),
    NotPersonal("password_token", ("token_hash", "purpose"), "a hash of a one-time secret and what it is for"),
    PersonalData("user_session", ("user_id",), ("user_agent",), export="not exported: sign-in sessions",
                 erase="deleted", retention="until signed out or expired"),
    NotPersonal("user_session", ("token_hash",), "a hash of the session secret"),
    PersonalData("issued_credential", ("user_id",), ("jwt", "revoked_reason"), export="core.credentials",
                 erase="revoked, and the signed copy (it carries the name) deleted; the row stays so that the "
                       "status list keeps saying the credential is revoked",
                 retention="while the account exists"),
    NotPersonal("issued_credential", ("id",), "the credential's random public id"),
    PersonalData("api_token", ("user_id",), ("name",), export="core.api_tokens", erase="deleted",
                 retention="until revoked or expired, then with the account"),
    NotPersonal("api_token", ("token_hash", "prefix", "scopes"),
                "a hash of the token's secret, its first characters and what it may read"),
    PersonalData("lti_identity", ("user_id",), ("subject",), export="core.lti_accounts", erase="deleted",
                 retention="while the account exists or until the platform is removed"),
    PersonalData("lti_grade_link", ("user_id",), ("subject", "lineitem"), export="core.lti_accounts",
                 erase="deleted", retention="while the account exists or until the platform is removed"),
    NotPersonal("lti_score", ("status", "last_error"),
                "a score's delivery state and the platform's error (it names no one; the score goes to the "
                "grade link's subject); deleted with its grade link"),
    PersonalData("xapi_statement", ("user_id",), ("statement", "last_error"), export="core.learning_records",
                 erase="deleted here (the LRS keeps what it was sent: the account number, never name or e-mail)",
                 retention="while the account exists"),
    NotPersonal("xapi_statement", ("id", "verb", "status"),
                "the statement's derived id, its verb and its delivery state"),
    PersonalData("lti_launch_value", (), ("value",),
                 export="not exported: a launch's claims (name, e-mail) kept for the launch only",
                 erase="not erased by the user: it is gone within two hours",
                 retention="two hours; expired rows are deleted at the next LTI login"),
    NotPersonal("lti_launch_value", ("key",), "a random state or nonce"),
    NotPersonal("lti_platform", ("*",), "a learning platform's registration: its addresses, ids and public keys"),
    PersonalData("audit_event", ("actor_id",), ("detail", "ip"),
                 export="not exported: the security record of who did what",
                 erase="the actor is anonymised; names and text in details are removed",
                 retention="AUDIT_RETENTION_YEARS"),
    NotPersonal("audit_event", ("action", "target_type"), "the kind of event and of thing it was about"),
    *(NotPersonal(table, ("*",), _CONTENT) for table in (
        "country", "programme", "competency", "ecvet_unit", "programme_run", "cohort", "module", "activity",
        "meeting_plan", "resource", "meeting", "content_version", "content_generation")),
)


def declarations() -> list[PersonalData | NotPersonal]:
    """The core's and every plugin's declarations of personal data."""
    return [*CORE_PERSONAL_DATA, *(d for plugin in registry() for d in plugin.personal_data)]


class ErasureRefused(Exception):
    """The erasure cannot be carried out; the message says why."""


def _confidential_kinds() -> list[str]:
    return [kind for plugin in registry() for kind in plugin.confidential_notification_kinds]


def _core_data(user: User) -> dict[str, Any]:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                     .options(selectinload(Membership.cohort)))
    attendance = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id)
                                    .options(selectinload(Attendance.meeting)))
    completions = db.session.scalars(select(Completion).where(Completion.user_id == user.id)
                                     .options(selectinload(Completion.activity)))
    return {
        "profile": {"email": user.email, "name": user.name, "language": user.locale, "timezone": user.timezone,
                    "site_role": user.site_role, "created_at": user.created_at,
                    "last_login_at": user.last_login_at, "erasure_requested_at": user.erasure_requested_at},
        "two_factor": two_factor.summary(user),
        "memberships": [{"cohort": m.cohort.name, "role": m.role} for m in memberships],
        "attendance": [{"meeting": a.meeting.title, "starts_on": a.meeting.starts_on, "present": a.present}
                       for a in attendance],
        "completions": [{"activity": c.activity.slug, "title": c.activity.title, "state": c.state,
                         "completed_at": c.completed_at} for c in completions],
        "competency_reflections": [{"competency": r.code, "text": r.text, "saved_at": r.updated_at}
                                   for r in db.session.scalars(select(CompetencyReflection).where(
                                       CompetencyReflection.user_id == user.id))],
        "drafts": [{"key": d.key, "data": d.data, "saved_at": d.updated_at}
                   for d in db.session.scalars(select(Draft).where(Draft.user_id == user.id))],
        "notifications": [{"message": n.message, "url": n.url, "at": n.created_at}
                          for n in db.session.scalars(select(Notification).where(
                              Notification.user_id == user.id, Notification.kind.not_in(_confidential_kinds())))],
        "credentials": [{"id": c.id, "unit": c.unit.code if c.unit else None, "issued_at": c.issued_at,
                         "revoked_at": c.revoked_at, "credential": c.jwt}
                        for c in db.session.scalars(select(IssuedCredential)
                                                    .where(IssuedCredential.user_id == user.id))],
        "api_tokens": [{"name": t.name, "scopes": t.scopes, "created_at": t.created_at, "expires_at": t.expires_at,
                        "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
                       for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))],
        "lti_accounts": [{"platform": i.platform.name, "subject": i.subject, "linked_at": i.created_at}
                         for i in db.session.scalars(select(LtiIdentity).where(LtiIdentity.user_id == user.id))],
        "learning_records": [{"statement": s.statement, "status": s.status, "sent_at": s.sent_at}
                             for s in db.session.scalars(select(XapiStatement).where(
                                 XapiStatement.user_id == user.id).order_by(XapiStatement.created_at))],
    }


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about the user: the core's records and each activity type's."""
    data: dict[str, Any] = {"exported_at": utcnow(), "core": _core_data(user)}
    data["activities"] = {plugin.name: plugin.export_user_data(user) for plugin in registry()}
    return data


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, indent=2)


def export_zip(user: User) -> bytes:
    """The data download: core.json, activities/<type>.json, the uploaded files under
    files/<type>/, and index.html, a page that lists them in the user's language."""
    data = export_data(user)
    parts = [("core.json", _("Your account: profile, cohorts, attendance, progress, drafts, notifications"))]
    parts += [(f"activities/{name}.json", plugin.label) for plugin in registry()
              for name in [plugin.name] if name in data["activities"]]
    files = [(f"files/{plugin.name}/{name}", path) for plugin in registry()
             for name, path in plugin.export_user_files(user)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("core.json", _dumps({"exported_at": data["exported_at"], **data["core"]}))
        for name, part in data["activities"].items():
            archive.writestr(f"activities/{name}.json", _dumps(part))
        for name, path in files:
            archive.write(path, name)
        archive.writestr("index.html", render_template("privacy/export_index.html", user=user, data=data,
                                                       parts=parts, files=[name for name, _path in files]))
    audit.record("privacy.export", user, files=len(files))
    return buffer.getvalue()


def request_erasure(user: User) -> None:
    if user.erasure_requested_at is not None:
        return
    user.erasure_requested_at = utcnow()
    audit.record("privacy.erasure_requested", user)
    for admin in db.session.scalars(select(User).where(User.site_role == SiteRole.ADMIN, User.active.is_(True))):
        notify(admin, "privacy.erasure_requested",
               lambda: _("%(name)s asks for their data to be erased.", name=user.name),
               url=f"/admin/erasure-requests#user-{user.id}")


def withdraw_erasure(user: User) -> None:
    if user.erasure_requested_at is None:
        return
    user.erasure_requested_at = None
    audit.record("privacy.erasure_withdrawn", user)


def pending_erasures() -> list[User]:
    return list(db.session.scalars(select(User).where(User.erasure_requested_at.is_not(None),
                                                      User.erased_at.is_(None))
                                   .order_by(User.erasure_requested_at)))


def erase(user: User, *, by: User) -> None:
    """Delete what the user wrote and what identifies them. The row stays, anonymous, so that the
    audit log and other people's records (a facilitator's feedback, a group's submission) keep
    their links without keeping the person."""
    if user.id == by.id:
        raise ErasureRefused(_("You cannot erase your own account: ask another administrator."))
    if user.erased_at is not None:
        raise ErasureRefused(_("This account has already been erased."))
    old_name, old_email = user.name, user.email
    for plugin in registry():
        plugin.erase_user_data(user)
    for model in (Draft, CompetencyReflection, Notification, OutboxMessage, Completion, Attendance, Membership,
                  UserSession,
                  PasswordToken, ApiToken, NotificationPreference, AnnouncementRecipient, ReminderSent,
                  DigestSent, LtiIdentity, LtiGradeLink, XapiStatement, OnceKey):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(update(Announcement).where(Announcement.sender_id == user.id).values(sender_id=None)
                       .execution_options(synchronize_session=False))
    # A credential someone may still hold must not verify as valid for an erased person: revoked,
    # and our signed copy (it names them) dropped.
    db.session.execute(update(IssuedCredential).where(IssuedCredential.user_id == user.id)
                       .values(revoked_at=func.coalesce(IssuedCredential.revoked_at, utcnow()),
                               revoked_reason="erased", jwt=""))
    db.session.expire(user)
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name = _("Erased user %(id)s", id=user.id)
    user.password_hash = None
    user.active = False
    user.site_role = None
    user.locale = None
    user.timezone = "UTC"
    calendar_feed.end_feed_token(user)
    two_factor.remove_second_factor(user)
    user.erased_at = utcnow()
    _anonymise_copies(user, {old_name: user.name, old_email: user.email})
    audit.record("privacy.erased", user, actor=by)
    figures_cache.forget_all()  # the dashboard names trainees waiting for feedback


def _anonymise_copies(user: User, replacements: dict[str, str]) -> None:
    """The user's name and address are copied into other people's notifications ("… would like to
    talk about a journal entry …"), e-mails waiting or kept in the outbox, and audit details:
    replace them there. The audit events the user caused or that are about them keep their
    action and links but no text and no address."""
    replacements = {old: new for old, new in replacements.items() if old and old != new}
    for model, columns in ((Notification, ("message", "url")),
                           (OutboxMessage, ("to", "subject", "body", "last_error"))):
        for name in columns:
            column = getattr(model, name)
            for old, new in replacements.items():
                db.session.execute(update(model).where(column.contains(old, autoescape=True))
                                   .values({name: func.replace(column, old, new)})
                                   .execution_options(synchronize_session=False))
    as_text = cast(AuditEvent.detail, String)
    mentions = [as_text.contains(form, autoescape=True) for old in replacements
                for form in {old, json.dumps(old)[1:-1]}]
    own = or_(AuditEvent.actor_id == user.id, and_(AuditEvent.target_type == "user", AuditEvent.target_id == user.id))
    for event in db.session.scalars(select(AuditEvent).where(or_(own, *mentions))):
        if event.actor_id == user.id or (event.target_type == "user" and event.target_id == user.id):
            event.detail = _without_text(event.detail)
            if event.actor_id == user.id:
                event.ip = None
        else:
            event.detail = _replaced(event.detail, replacements)


def _without_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_text(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_without_text(v) for v in value]
    return "(erased)" if isinstance(value, str) else value


def _replaced(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(v, replacements) for key, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, replacements) for v in value]
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
    return value


def compact_storage() -> None:
    """After an erasure's commit: SQLite keeps deleted text in free pages and in the write-ahead
    log until a checkpoint, so copy the log into the file, rebuild the file without free pages
    (VACUUM) and empty the log again. PostgreSQL's old row versions are not reachable by any
    query; its autovacuum reclaims them. A failure here (another connection busy) leaves the
    erasure done and is logged without any user text."""
    if db.engine.dialect.name != "sqlite":
        return
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except OperationalError as exc:
        current_app.logger.warning("after an erasure the database could not be compacted: %s", type(exc).__name__)
