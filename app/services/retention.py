"""How long data is kept, and its purge (the privacy notice at /privacy says the same).

Two kinds of rule:
- a run's data (journals, submissions and their files) is kept for a number of days after the
  run ends and is purged by run: each activity plugin deletes what belongs to the run's cohorts
  (`ActivityPlugin.purge_run_data`), never selected by trainee and date, so a trainee's work in an
  overlapping or later run stays;
- drafts, notifications, sent e-mail and the audit log expire by age (config.py), the one-time
  keys of create forms after app/once.py's KEEP_DAYS."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from .. import audit, once
from ..extensions import db, rows_changed
from ..models import (
    Announcement,
    AnnouncementRecipient,
    AuditEvent,
    DigestSent,
    Draft,
    Notification,
    OutboxMessage,
    ProgrammeRun,
    ReminderSent,
)
from ..models.outbox import OutboxStatus
from ..plugins import registry
from ..timeutil import add_days


class RetentionError(ValueError):
    """A purge asked for too early; the message says from when it is allowed."""


def purge_allowed_from(run: ProgrammeRun, days: int) -> date:
    return add_days(run.ends_on, days + 1)


def check_retention(run: ProgrammeRun, today: date, days: int, setting: str, what: str) -> None:
    allowed = purge_allowed_from(run, days)
    if today < allowed:
        raise RetentionError(
            f"run '{run.name}' ended on {run.ends_on.isoformat()}; its {what} are kept for {days} days "
            f"({setting}) and can be purged from {allowed.isoformat()}. Nothing was deleted.")


@dataclass
class RunPurge:
    run: ProgrammeRun
    #: Per plugin: what was deleted ("journal entries": 3), or why nothing was.
    deleted: dict[str, dict[str, int]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def purge_run(run: ProgrammeRun, today: date) -> RunPurge:
    """Each plugin's data of the run, where its retention period is over (add and flush)."""
    result = RunPurge(run)
    for plugin in registry():
        try:
            counts = plugin.purge_run_data(run, today)
        except RetentionError as exc:
            result.refused[plugin.name] = str(exc)
            continue
        if counts:
            result.deleted[plugin.name] = counts
    audit.record("privacy.purge_run", run, deleted=result.deleted, refused=sorted(result.refused))
    db.session.flush()
    return result


def _config(name: str) -> int:
    return int(current_app.config[name])


def _purge_messaging(before: datetime) -> dict[str, int]:
    """Announcements, and the records of reminders and digests sent, as old as notifications."""
    old_announcements = select(Announcement.id).where(Announcement.created_at < before)
    db.session.execute(delete(AnnouncementRecipient).where(AnnouncementRecipient.announcement_id.in_(old_announcements)))
    counts = {}
    for label, model, column in (("announcements", Announcement, Announcement.created_at),
                                 ("reminder records", ReminderSent, ReminderSent.sent_at),
                                 ("digest records", DigestSent, DigestSent.sent_at)):
        counts[label] = rows_changed(db.session.execute(delete(model).where(column < before))) or 0
    return counts


def purge_expired(now: datetime) -> dict[str, int]:
    """Drafts, notifications, finished e-mail and audit events older than their settings allow."""
    limits = {
        "drafts": (Draft, Draft.updated_at, now - timedelta(days=_config("DRAFT_RETENTION_DAYS"))),
        "notifications": (Notification, Notification.created_at,
                          now - timedelta(days=_config("NOTIFICATION_RETENTION_DAYS"))),
        "audit events": (AuditEvent, AuditEvent.at, now - timedelta(days=365 * _config("AUDIT_RETENTION_YEARS"))),
    }
    counts = {}
    for label, (model, column, before) in limits.items():
        counts[label] = rows_changed(db.session.execute(delete(model).where(column < before))) or 0
    outbox_before = now - timedelta(days=_config("OUTBOX_RETENTION_DAYS"))
    counts["e-mails"] = rows_changed(db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
        OutboxMessage.created_at < outbox_before))) or 0
    counts.update(_purge_messaging(now - timedelta(days=_config("NOTIFICATION_RETENTION_DAYS"))))
    counts["form keys"] = once.purge_expired(now)
    audit.record("privacy.purge_expired", None, **counts)
    db.session.flush()
    return counts
