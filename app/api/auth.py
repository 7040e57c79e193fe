"""Personal access tokens: issued, checked, revoked; and the per-token rate limit.

A request to the API carries `Authorization: Bearer <token>`. The token's owner becomes the
request's user for this request only (no session row, no cookie), so every service and access
check reads `current_user` as it does for the pages."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import wraps

from flask import Flask, current_app, g, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..security import token_digest
from ..timeutil import utcnow
from .problems import problem

TOKEN_PREFIX = "life_"
MAX_DAYS = 366


def issue(user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token and its secret, which the caller shows once: only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=token_digest(secret), prefix=secret[:12],
                     scopes=" ".join(sorted(set(scopes))), expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def _authenticate() -> ApiToken | None:
    secret = _bearer()
    if secret is None or len(secret) > 200:
        return None
    row = db.session.execute(select(ApiToken, User).join(User).where(
        ApiToken.token_hash == token_digest(secret))).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if not user.active or not token.usable(now):
        return None
    # Written at most once a minute, so a busy integration does not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token


def init_rate_limit(app: Flask) -> None:
    uri = app.config.get("REDIS_URL") or "memory://"
    if uri.startswith("redis") and not uri.startswith("redis://"):
        uri = "redis://" + uri.split("://", 1)[1]
    app.extensions["life_api_limiter"] = (MovingWindowRateLimiter(storage_from_string(uri)),
                                          parse(app.config["API_RATE_LIMIT"]))


def _over_limit(token: ApiToken):
    limiter, item = current_app.extensions["life_api_limiter"]
    allowed = limiter.hit(item, "api-token", str(token.id))
    stats = limiter.get_window_stats(item, "api-token", str(token.id))
    g.api_rate = (item.amount, stats.remaining, max(0, int(stats.reset_time - utcnow().timestamp())))
    if allowed:
        return None
    return problem(429, "This token has made too many calls; wait before the next one.",
                   headers={"Retry-After": str(max(1, g.api_rate[2]))})


def token_required(*scopes: str):
    """The view needs a valid token with every scope named; the token's user is current_user."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _authenticate()
            if token is None:
                return problem(401, "A valid personal access token is needed: "
                                    "send it as 'Authorization: Bearer <token>'.",
                               headers={"WWW-Authenticate": 'Bearer realm="LIFE Academy API"'})
            g._login_user = token.user  # flask-login's current_user, for this request only
            g.api_token = token
            refused = _over_limit(token)
            if refused is not None:
                return refused
            missing = set(scopes) - token.scope_set
            if missing:
                return problem(403, "This token lacks the scope it needs.",
                               headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", '
                                                            f'scope="{" ".join(sorted(missing))}"'})
            return view(*args, **kwargs)
        return wrapped
    return decorator
