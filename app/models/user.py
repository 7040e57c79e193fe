from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

if TYPE_CHECKING:
    from .cohort import Membership
    from .two_factor import Passkey, RecoveryCode


class SiteRole(StrEnum):
    ADMIN = "admin"
    TRANSNATIONAL_COORDINATOR = "transnational_coordinator"


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("site_role IN ('admin', 'transnational_coordinator')", name="site_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-cased, so look-ups need no case folding.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Argon2id PHC string; None until the user accepts an invitation.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    #: A deactivated user cannot log in and loses every open session.
    active: Mapped[bool] = mapped_column(default=True)
    #: Site-wide role; per-cohort roles live in Membership.
    site_role: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: The calendar feed's secret address (app/services/calendar_feed.py): a random token, stored as
    #: its SHA-256 (looked up) and sealed with a key derived from SECRET_KEY (shown on the calendar
    #: page). Neither the key alone nor the database alone gives the token. None: not issued yet.
    calendar_feed_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_feed_sealed: Mapped[str | None] = mapped_column(String(255))
    #: The authenticator app's TOTP secret, sealed with a key derived from SECRET_KEY
    #: (app/services/two_factor.py); None: no authenticator app. Removed at erasure.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    #: The 30-second time step of the last code accepted: a code of that step or an earlier one is
    #: refused, so an overheard code cannot be replayed within its window.
    totp_last_step: Mapped[int | None]
    #: When the user asked for their data to be erased; an admin carries it out (app/services/privacy.py).
    erasure_requested_at: Mapped[datetime | None]
    #: When the erasure was carried out: the row stays only so that others' records keep their links.
    erased_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user", cascade="all, delete-orphan")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(cascade="all, delete-orphan",
                                                              passive_deletes=True)
    passkeys: Mapped[list[Passkey]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                   order_by="Passkey.id")

    #: The token of the session this request runs in (set by app.sessions, never stored).
    if TYPE_CHECKING:  # a plain attribute, not a column: SQLAlchemy must not see an annotation
        session_token: str | None
        unread_when_loaded: int | None
    session_token = None
    #: Unread notifications counted with the session lookup (app/services/notifications.py).
    unread_when_loaded = None

    def get_id(self) -> str | None:
        # flask-login puts this in the cookies: the session token, never the user id, so a
        # deleted session row ends the login wherever the cookie is.
        return self.session_token

    # flask-login's is_active is what stops a deactivated user at login and on every request.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.site_role == SiteRole.ADMIN

    @property
    def is_transnational_coordinator(self) -> bool:
        return self.site_role == SiteRole.TRANSNATIONAL_COORDINATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One row per login, so logout, deactivation and time-outs end a session on the server, not
    only in the browser's cookie."""
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random token the cookie carries; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Absolute end of the session (longer when "remember me" was chosen).
    expires_at: Mapped[datetime]
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class PasswordToken(db.Model):
    """A single-use, expiring link for a password reset or an invitation."""
    __tablename__ = "password_token"
    __table_args__ = (CheckConstraint("purpose IN ('reset', 'invite')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordToken {self.id} {self.purpose} user={self.user_id}>"
