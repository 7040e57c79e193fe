"""Passwords, single-use tokens and login throttling."""
from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 64


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
                          parallelism=cfg["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash(
        secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (or may log in), so timing does not reveal
    e-mails: without a hash the password is verified against a dummy one with the same parameters."""
    hasher = _hasher()
    if not password_hash:
        dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(dummy, password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the ~30,000 most frequent passwords from real leaks, in frequency order.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why a new password is refused, or None. Follows NIST SP 800-63B: length and a
    blocklist, no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return str(_l("This password is too common. Choose one that is harder to guess."))
    if email and lowered == email.lower().split("@")[0]:
        return str(_l("Do not use your e-mail address as a password."))
    return None


def new_token() -> tuple[str, str]:
    """A URL-safe random token and the hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginThrottle:
    """Failed logins counted per account and per client. Storage is Redis when REDIS_URL is
    set (shared by all worker processes), otherwise this process's memory."""

    def __init__(self, storage_uri: str, per_account: str, per_client: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.per_account = parse(per_account)
        self.per_client = parse(per_client)

    def _keys(self, email: str, client: str):
        return ((self.per_account, "login-account", email.strip().lower()),
                (self.per_client, "login-client", client))

    def blocked_for(self, email: str, client: str) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        waits = []
        for item, *ids in self._keys(email, client):
            if not self.limiter.test(item, *ids):
                reset_at = self.limiter.get_window_stats(item, *ids).reset_time

                waits.append(max(1, int(reset_at - time.time())))
        return max(waits) if waits else None

    def failed(self, email: str, client: str) -> None:
        for item, *ids in self._keys(email, client):
            self.limiter.hit(item, *ids)

    def reset(self) -> None:
        self.limiter.storage.reset()


def init_throttle(app) -> None:
    uri = app.config.get("REDIS_URL") or "memory://"
    if uri.startswith("redis") and not uri.startswith("redis://"):
        uri = "redis://" + uri.split("://", 1)[1]
    app.extensions["life_login_throttle"] = LoginThrottle(
        uri, app.config["LOGIN_LIMIT_PER_ACCOUNT"], app.config["LOGIN_LIMIT_PER_CLIENT"])


def login_throttle() -> LoginThrottle:
    return current_app.extensions["life_login_throttle"]
