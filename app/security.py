"""Passwords, single-use tokens and login throttling."""
from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
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


DEVICE_COOKIE = "life_device"
DEVICE_COOKIE_DAYS = 365
_DEVICE_SALT = "life-academy login device v1"


def _account(email: str) -> str:
    return email.strip().lower()


class LoginThrottle:
    """Failed logins counted per account-and-client pair, in stages that grow (say 5 per 15 minutes,
    then 10 per hour, then 20 per day), and per client across accounts. A browser the account has
    logged in from before (its device cookie) has a budget of its own, so a stranger's failures,
    from anywhere, never lock the owner out. Password-reset e-mails have their own limit and never
    count as failures. Storage is Redis when REDIS_URL is set (shared by all worker processes),
    otherwise this process's memory."""

    def __init__(self, storage_uri: str, per_account: str, per_client: str, reset_mails: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.per_account = parse_many(per_account)
        self.per_client = parse_many(per_client)
        self.reset_mails = parse_many(reset_mails)

    def _keys(self, email: str, client: str, device: str | None):
        if device:
            return [(item, "login-device", _account(email), device) for item in self.per_account]
        return ([(item, "login-pair", _account(email), client) for item in self.per_account]
                + [(item, "login-client", client) for item in self.per_client])

    def blocked_for(self, email: str, client: str, device: str | None = None) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        waits = []
        for item, *ids in self._keys(email, client, device):
            if not self.limiter.test(item, *ids):
                reset_at = self.limiter.get_window_stats(item, *ids).reset_time
                waits.append(max(1, int(reset_at - time.time())))
        return max(waits) if waits else None

    def failed(self, email: str, client: str, device: str | None = None) -> None:
        for item, *ids in self._keys(email, client, device):
            self.limiter.hit(item, *ids)

    def reset_mail_allowed(self, email: str) -> bool:
        """Counts one reset e-mail for the account; False when its own limit is reached."""
        allowed = all(self.limiter.test(item, "reset-mail", _account(email)) for item in self.reset_mails)
        if allowed:
            for item in self.reset_mails:
                self.limiter.hit(item, "reset-mail", _account(email))
        return allowed

    def reset(self) -> None:
        self.limiter.storage.reset()


def init_throttle(app) -> None:
    uri = app.config.get("REDIS_URL") or "memory://"
    if uri.startswith("redis") and not uri.startswith("redis://"):
        uri = "redis://" + uri.split("://", 1)[1]
    app.extensions["life_login_throttle"] = LoginThrottle(
        uri, app.config["LOGIN_LIMIT_PER_ACCOUNT"], app.config["LOGIN_LIMIT_PER_CLIENT"],
        app.config["RESET_MAIL_LIMIT_PER_ACCOUNT"])


def login_throttle() -> LoginThrottle:
    return current_app.extensions["life_login_throttle"]


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def login_device(email: str) -> str | None:
    """The id of this browser when the account has logged in from it before (signed cookie), else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        devices = _device_serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(devices, dict):
        return None
    device = devices.get(token_digest(_account(email))[:16])
    return device if isinstance(device, str) else None


def remember_device(response, email: str) -> None:
    """Marks this browser as one the account logs in from (kept a year, for a few accounts)."""
    devices: dict[str, str] = {}
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            loaded = _device_serializer().loads(raw)
            devices = loaded if isinstance(loaded, dict) else {}
        except BadSignature:
            devices = {}
    account = token_digest(_account(email))[:16]
    devices.setdefault(account, secrets.token_urlsafe(12))
    devices = dict(list(devices.items())[-5:])  # a shared PC: a handful of accounts, not unbounded
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(devices), max_age=DEVICE_COOKIE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
