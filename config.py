"""Configuration classes. Every setting can come from the environment, so the same code runs
as a laptop demo on SQLite and as a multi-worker deployment on PostgreSQL."""
from __future__ import annotations

import os
from datetime import timedelta

DEFAULT_PLUGINS = "modules.reading,modules.journal,modules.assignment,modules.evaluation"  # in-tree plugins are added here as they land
INSECURE_DEFAULT_KEY = "dev-only-insecure-secret-key"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str | None) -> str | None:
    """Accept the `postgres://` and `postgresql://` forms hosting providers hand out and route them
    to psycopg 3, the driver we ship."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_KEY)
    # None means: SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR")  # None: <instance>/uploads
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024

    # Activity-type plugins: an explicit allow-list, loaded in this order.
    LIFE_PLUGINS = [p.strip() for p in os.environ.get("LIFE_PLUGINS", DEFAULT_PLUGINS).split(",") if p.strip()]
    # Activity types the content already uses but whose plugin has not landed: checked and imported
    # as "coming soon" (not completable, no hours credited). Remove a type when its plugin lands.
    LIFE_PLANNED_ACTIVITY_TYPES: list[str] = []
    # The programme's content files (`flask content check/import` default to ./content).
    LIFE_CONTENT_DIR = os.environ.get("LIFE_CONTENT_DIR", "content")

    # Mail: "log" writes messages to the application log (development); "smtp" sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "LIFE Academy <no-reply@life-academy.local>")

    # When mail leaves (app/outbox.py): "rq" (a worker, the default with REDIS_URL), "response"
    # (this process, after the response: the default without Redis) or "commit" (at once).
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "")

    # Redis is optional: when set, login throttling is shared by every worker process and
    # e-mail is delivered by the RQ worker (`flask worker`).
    REDIS_URL = os.environ.get("REDIS_URL")

    LANGUAGES = {"en": "English", "sv": "Svenska", "nb": "Norsk bokmål", "sl": "Slovenščina",
                 "pt": "Português", "it": "Italiano"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Sessions: a server-side record per login (see app/models/user.py UserSession).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "120")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_DAYS", "14")))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # Argon2id parameters: RFC 9106's second recommended option (64 MiB, t=3, p=4).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Login throttling windows.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_CLIENT = os.environ.get("LOGIN_LIMIT_PER_CLIENT", "30 per 15 minutes")

    PASSWORD_RESET_HOURS = 2
    INVITATION_DAYS = 14

    TOTAL_PROGRAMME_HOURS = 160
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a long form is never refused


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    MAIL_BACKEND = "memory"
    MAIL_DELIVERY = "commit"
    REDIS_URL = None
    # Most tests post forms directly; tests/test_security.py turns CSRF back on to prove it works.
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("LIFE_ENV", "development")]
