"""LTI 1.3: the platforms (Moodle, Canvas) registered with LIFE Academy, who is who on each, and
the short-lived OIDC state of launches (app/lti/)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .cohort import Cohort
from .outbox import RetryColumns
from .user import User


class LtiPlatform(db.Model):
    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform_issuer_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    #: Where the platform publishes its public keys; or the keys themselves (key_set).
    key_set_url: Mapped[str | None] = mapped_column(String(500))
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    deployment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The cohort people launched from this platform are enrolled in.
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()


class LtiIdentity(db.Model):
    """A platform's user (its `sub`) and the LIFE Academy account they are."""
    __tablename__ = "lti_identity"
    __table_args__ = (UniqueConstraint("platform_id", "subject", name="uq_lti_identity_platform_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    platform: Mapped[LtiPlatform] = relationship()


class LtiGradeLink(db.Model):
    """Where a trainee's completion of an activity goes back to (AGS): the line item of the resource
    link they launched it from. The scores waiting to go there are LtiScore rows."""
    __tablename__ = "lti_grade_link"
    __table_args__ = (UniqueConstraint("platform_id", "user_id", "activity_id", name="uq_lti_grade_link_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    #: The platform's subject for this user (AGS scores name the user by it).
    subject: Mapped[str] = mapped_column(String(255))
    lineitem: Mapped[str] = mapped_column(String(1000))
    #: When the platform last took a score for this link (None: never).
    score_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiScore(RetryColumns, db.Model):
    """A "Completed, 1/1" waiting to go to a grade link's line item, sent after the commit by
    app/lti/grades.py through app/delivery.py (claimed by one sender, retried with back-off)."""
    __tablename__ = "lti_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_grade_link.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    link: Mapped[LtiGradeLink] = relationship()


class LtiLaunchValue(db.Model):
    """pylti1p3's launch data (state, nonce, launch claims), kept server-side with an expiry.
    A nonce is deleted when it is checked, so an id_token can be used once."""
    __tablename__ = "lti_launch_value"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(index=True)


__all__ = ["LtiGradeLink", "LtiIdentity", "LtiLaunchValue", "LtiPlatform", "LtiScore"]
