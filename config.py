"""Configuration classes. Every setting can come from the environment, so the same code runs
as a laptop demo on SQLite and as a multi-worker deployment on PostgreSQL.

The environment is declared once, in `Environment` (pydantic-settings): each variable the README's
configuration table lists, with its type and default. A value that does not fit stops start-up
with a ConfigurationError that names the variable and says what it must be."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from limits import parse_many
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# In-tree plugins are added here as they land.
DEFAULT_PLUGINS = "modules.reading,modules.journal,modules.assignment,modules.evaluation,modules.innovation"
INSECURE_DEFAULT_KEY = "dev-only-insecure-secret-key"
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
Count = Annotated[int, Field(gt=0)]
#: The roles TWO_FACTOR_REQUIRED_ROLES may name: site roles and cohort roles ("coordinator" is the
#: national coordinator; "national_coordinator" is accepted for it).
TWO_FACTOR_ROLES = ("admin", "transnational_coordinator", "coordinator", "facilitator", "trainee")
#: Everyone who reads about families, when LIFE_ENV=production and the variable is not set.
STAFF_ROLES = "admin,transnational_coordinator,coordinator,facilitator"


def two_factor_roles(value: str) -> frozenset[str]:
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    return frozenset("coordinator" if name == "national_coordinator" else name for name in names)


class ConfigurationError(ValueError):
    """An environment variable holds a value the app cannot use."""


class Environment(BaseSettings):
    """The environment variables the app reads (README: Configuration), typed, with defaults."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    LIFE_ENV: Literal["development", "testing", "production"] = "development"
    SECRET_KEY: str = INSECURE_DEFAULT_KEY
    DATABASE_URL: str | None = None
    UPLOAD_DIR: str | None = None
    MAX_UPLOAD_MB: Count = 25
    LIFE_PLUGINS: str = DEFAULT_PLUGINS
    LIFE_CONTENT_DIR: str = "content"
    MAIL_BACKEND: Literal["log", "smtp", "memory"] = "log"
    MAIL_SERVER: str = "localhost"
    MAIL_PORT: Annotated[int, Field(ge=1, le=65535)] = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS: bool = False
    MAIL_DEFAULT_SENDER: str = "LIFE Academy <no-reply@life-academy.local>"
    #: The site's public address: links in e-mails sent from the CLI (`flask notify digest`).
    PUBLIC_URL: str = "http://localhost:5000"
    #: "" chooses by REDIS_URL (see Config.MAIL_DELIVERY).
    MAIL_DELIVERY: Literal["", "rq", "response", "commit"] = ""
    REDIS_URL: str | None = None
    #: Seconds a run's dashboard and report figures are kept and shared (app/figures_cache.py); 0: none.
    FIGURES_MAX_AGE: Annotated[int, Field(ge=0, le=3600)] = 300
    #: Milliseconds a set of figures must take to make before it is kept at all.
    FIGURES_KEEP_AFTER_MS: Annotated[int, Field(ge=0, le=60000)] = 100
    SESSION_IDLE_MINUTES: Count = 120
    SESSION_ABSOLUTE_HOURS: Count = 12
    REMEMBER_DAYS: Count = 14
    LOGIN_LIMIT_PER_ACCOUNT: str = "5 per 15 minutes; 10 per hour; 20 per day"
    LOGIN_LIMIT_PER_CLIENT: str = "30 per 15 minutes"
    #: Retention (the privacy notice, /privacy; `flask privacy purge`).
    SUBMISSION_RETENTION_DAYS: Count = 365
    DRAFT_RETENTION_DAYS: Count = 90
    NOTIFICATION_RETENTION_DAYS: Count = 180
    OUTBOX_RETENTION_DAYS: Count = 30
    AUDIT_RETENTION_YEARS: Count = 5
    RESET_MAIL_LIMIT_PER_ACCOUNT: str = "3 per hour"
    #: Calls one API token may make (app/api/); counted in Redis when REDIS_URL is set.
    API_RATE_LIMIT: str = "120 per minute"
    #: Worker processes per node (gunicorn reads the same variable); more than one needs REDIS_URL.
    WEB_CONCURRENCY: Count = 1
    #: How many reverse proxies in front of the app add X-Forwarded-For/-Proto (0: none, trust no header).
    TRUSTED_PROXIES: Annotated[int, Field(ge=0)] = 0
    #: Compress text responses in the app: on, off, or auto (unset or empty: on unless TRUSTED_PROXIES
    #: says a proxy is in front, which then compresses; see app/compression.py).
    COMPRESS_RESPONSES: bool | None = None
    #: Roles that must log in with a second factor (comma-separated). Unset: the staff roles in
    #: production, nobody in development and tests (the demo's printed logins keep working).
    TWO_FACTOR_REQUIRED_ROLES: str | None = None
    #: WebAuthn relying party: the site's domain and origin (unset: taken from the request's host).
    WEBAUTHN_RP_ID: str | None = None
    WEBAUTHN_ORIGIN: str | None = None
    #: The LTI tool's RSA private key (PEM). Unset: instance/lti_private_key.pem, made on first use.
    LTI_PRIVATE_KEY_PATH: str | None = None
    #: xAPI learning records (app/xapi.py): the LRS's base address (unset: no statements are made)
    #: and its credentials, Basic user and password, or XAPI_AUTH, a whole Authorization value.
    XAPI_ENDPOINT: str | None = None
    XAPI_USERNAME: str | None = None
    XAPI_PASSWORD: str | None = None
    XAPI_AUTH: str | None = None

    @field_validator("MAIL_USE_TLS", mode="before")
    @classmethod
    def _on_or_off(cls, value: Any) -> Any:
        """The words the app has always taken for on, and their opposites (unset or empty: off)."""
        if isinstance(value, bool):  # the default
            return value
        word = value.strip().lower() if isinstance(value, str) else value
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(f"must be one of {', '.join(w for w in TRUE_WORDS + FALSE_WORDS if w)} (or empty)")

    @field_validator("PUBLIC_URL")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or any(c in value for c in "\r\n "):
            raise ValueError("must be the site's address, such as https://academy.example.org")
        return value

    @field_validator("XAPI_ENDPOINT")
    @classmethod
    def _an_lrs(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")) or any(c in value for c in "\r\n "):
            raise ValueError("must be the LRS's xAPI address, such as https://lrs.example.org/xapi/")
        return value

    @field_validator("COMPRESS_RESPONSES", mode="before")
    @classmethod
    def _on_off_or_auto(cls, value: Any) -> Any:
        word = value.strip().lower() if isinstance(value, str) else value
        if word is None or word in ("", "auto"):
            return None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError("must be on, off or auto (or one of 1, true, yes, 0, false, no)")

    @field_validator("TWO_FACTOR_REQUIRED_ROLES")
    @classmethod
    def _known_roles(cls, value: str | None) -> str | None:
        unknown = sorted(two_factor_roles(value or "") - set(TWO_FACTOR_ROLES))
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}: use {', '.join(TWO_FACTOR_ROLES)}")
        return value

    @field_validator("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_CLIENT", "RESET_MAIL_LIMIT_PER_ACCOUNT",
                     "API_RATE_LIMIT")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("must be a rate such as '5 per 15 minutes'") from None
        return value


_SAYS = {"int_parsing": "must be a whole number", "greater_than": "must be more than {gt}",
         "greater_than_equal": "must be at least {ge}", "less_than_equal": "must be at most {le}",
         "literal_error": "must be one of {expected}"}


def read_environment() -> Environment:
    """The environment, checked; ConfigurationError naming every variable that is wrong."""
    try:
        return Environment()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            ctx = error.get("ctx") or {}
            says = str(ctx["error"]) if "error" in ctx else _SAYS.get(error["type"], error["msg"])
            for name, value in ctx.items():
                says = says.replace("{" + name + "}", str(value).replace("'", ""))
            problems.append(f"{error['loc'][0]}={error['input']!r}: {says}")
        raise ConfigurationError("bad environment variable(s): " + "; ".join(problems)) from None


ENV = read_environment()


def normalise_database_url(url: str | None) -> str | None:
    """Accept the `postgres://` and `postgresql://` forms hosting providers hand out and route them
    to psycopg 3, the driver we ship."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def compress_responses(env: Environment) -> bool:
    """COMPRESS_RESPONSES as set, or (auto) on unless a proxy is in front: the README's nginx
    configuration compresses, and compressing twice only costs CPU."""
    return env.COMPRESS_RESPONSES if env.COMPRESS_RESPONSES is not None else env.TRUSTED_PROXIES == 0


class Config:
    ENV_NAME = "development"
    SECRET_KEY = ENV.SECRET_KEY
    # None means: SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = normalise_database_url(ENV.DATABASE_URL)
    # hide_parameters: a database error must never write what users typed (bound values) to a log.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    UPLOAD_DIR = ENV.UPLOAD_DIR  # None: <instance>/uploads
    MAX_CONTENT_LENGTH = ENV.MAX_UPLOAD_MB * 1024 * 1024

    # Activity-type plugins: an explicit allow-list, loaded in this order.
    LIFE_PLUGINS = [p.strip() for p in ENV.LIFE_PLUGINS.split(",") if p.strip()]
    # Activity types the content already uses but whose plugin has not landed: checked and imported
    # as "coming soon" (not completable, no hours credited). Remove a type when its plugin lands.
    LIFE_PLANNED_ACTIVITY_TYPES: list[str] = []
    # The programme's content files (`flask content check/import` default to ./content).
    LIFE_CONTENT_DIR = ENV.LIFE_CONTENT_DIR

    # Mail: "log" writes messages to the application log (development); "smtp" sends them.
    MAIL_BACKEND = ENV.MAIL_BACKEND
    MAIL_SERVER = ENV.MAIL_SERVER
    MAIL_PORT = ENV.MAIL_PORT
    MAIL_USERNAME = ENV.MAIL_USERNAME
    MAIL_PASSWORD = ENV.MAIL_PASSWORD
    MAIL_USE_TLS = ENV.MAIL_USE_TLS
    MAIL_DEFAULT_SENDER = ENV.MAIL_DEFAULT_SENDER
    PUBLIC_URL = ENV.PUBLIC_URL.rstrip("/")

    # When mail leaves (app/outbox.py): "rq" (a worker, the default with REDIS_URL), "response"
    # (this process, after the response: the default without Redis) or "commit" (at once).
    MAIL_DELIVERY = ENV.MAIL_DELIVERY

    # Redis is optional: when set, login throttling is shared by every worker process and
    # e-mail is delivered by the RQ worker (`flask worker`).
    REDIS_URL = ENV.REDIS_URL

    LANGUAGES = {"en": "English", "sv": "Svenska", "nb": "Norsk bokmål", "sl": "Slovenščina",
                 "pt": "Português", "it": "Italiano"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Sessions: a server-side record per login (see app/models/user.py UserSession).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=ENV.SESSION_IDLE_MINUTES)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=ENV.SESSION_ABSOLUTE_HOURS)
    REMEMBER_COOKIE_DURATION = timedelta(days=ENV.REMEMBER_DAYS)
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

    TRUSTED_PROXIES = ENV.TRUSTED_PROXIES
    # Text responses compressed by the app (app/compression.py) unless a proxy in front does it.
    COMPRESS_RESPONSES = compress_responses(ENV)

    # Two-factor login (app/services/two_factor.py): the roles that must use it, and WebAuthn's
    # relying party (None: the request's host, which suits development).
    TWO_FACTOR_REQUIRED_ROLES = two_factor_roles(ENV.TWO_FACTOR_REQUIRED_ROLES or "")
    WEBAUTHN_RP_ID = ENV.WEBAUTHN_RP_ID
    WEBAUTHN_ORIGIN = ENV.WEBAUTHN_ORIGIN
    LTI_PRIVATE_KEY_PATH = ENV.LTI_PRIVATE_KEY_PATH

    # xAPI statements for completions and hand-ins, sent to this LRS after the commit (app/xapi.py);
    # off while XAPI_ENDPOINT is unset.
    XAPI_ENDPOINT = ENV.XAPI_ENDPOINT
    XAPI_USERNAME = ENV.XAPI_USERNAME
    XAPI_PASSWORD = ENV.XAPI_PASSWORD
    XAPI_AUTH = ENV.XAPI_AUTH

    # Login throttling windows: per account-and-client pair (growing stages), per client, and the
    # password-reset e-mails an account may be sent.
    LOGIN_LIMIT_PER_ACCOUNT = ENV.LOGIN_LIMIT_PER_ACCOUNT
    LOGIN_LIMIT_PER_CLIENT = ENV.LOGIN_LIMIT_PER_CLIENT
    RESET_MAIL_LIMIT_PER_ACCOUNT = ENV.RESET_MAIL_LIMIT_PER_ACCOUNT
    API_RATE_LIMIT = ENV.API_RATE_LIMIT
    WEB_CONCURRENCY = ENV.WEB_CONCURRENCY

    # How long each kind of data is kept (app/services/retention.py, the notice at /privacy):
    # a run's submissions and files after the run ends (journals: JOURNAL_RETENTION_DAYS, the
    # journal plugin's setting); drafts after their last save; notifications and sent e-mail
    # after they were made; the audit log in years.
    SUBMISSION_RETENTION_DAYS = ENV.SUBMISSION_RETENTION_DAYS
    DRAFT_RETENTION_DAYS = ENV.DRAFT_RETENTION_DAYS
    NOTIFICATION_RETENTION_DAYS = ENV.NOTIFICATION_RETENTION_DAYS
    OUTBOX_RETENTION_DAYS = ENV.OUTBOX_RETENTION_DAYS
    AUDIT_RETENTION_YEARS = ENV.AUDIT_RETENTION_YEARS

    PASSWORD_RESET_HOURS = 2
    INVITATION_DAYS = 14

    TOTAL_PROGRAMME_HOURS = 160
    # Long-lived objects kept out of full garbage collections after this many requests (app/gc_freeze.py).
    GC_FREEZE_AFTER_REQUESTS = 500
    # Seconds a run's dashboard and report figures are kept and shared (app/figures_cache.py); 0: none.
    FIGURES_MAX_AGE = ENV.FIGURES_MAX_AGE
    FIGURES_KEEP_AFTER_MS = ENV.FIGURES_KEEP_AFTER_MS
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a long form is never refused


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    TWO_FACTOR_REQUIRED_ROLES: frozenset[str] = frozenset()
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
    # One test process makes many databases' worth of content: nothing is frozen there.
    GC_FREEZE_AFTER_REQUESTS = 0
    # Tests write and read a dashboard within a second: tests/test_figures_cache.py keeps them.
    FIGURES_MAX_AGE = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    TWO_FACTOR_REQUIRED_ROLES = two_factor_roles(
        STAFF_ROLES if ENV.TWO_FACTOR_REQUIRED_ROLES is None else ENV.TWO_FACTOR_REQUIRED_ROLES)


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def config_from_env() -> type[Config]:
    return CONFIGS[read_environment().LIFE_ENV]
