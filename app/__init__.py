"""LIFE Academy application factory."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from config import INSECURE_DEFAULT_KEY, Config, config_from_env

from .extensions import csrf, db, migrate


class StartupError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, config)
    _check_config(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    # Migrations live at the top of the repo, beside the app package.
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    from . import (
        api,
        compression,
        gc_freeze,
        https,
        i18n,
        input_guard,
        localized,
        logs,
        once,
        sessions,
        static_files,
        url_cache,
        web,
        xapi,
    )
    from .plugins import load_plugins
    from .security import init_throttle

    # First: the converter must be in place before any route is added, the check before any view.
    input_guard.init_app(app)
    logs.init_app(app)
    https.init_app(app)
    _warn_if_generated_key(app)
    i18n.init_app(app)
    sessions.init_app(app)
    init_throttle(app)
    web.init_app(app)
    static_files.init_app(app)
    url_cache.init_app(app)
    localized.init_app(app)
    once.init_app(app)
    compression.init_app(app)
    _register_blueprints(app)
    api.init_app(app)
    xapi.init_app(app)
    load_plugins(app)

    from .cli import register_cli
    register_cli(app)
    gc_freeze.init_app(app)  # last: what start-up made is frozen (app/gc_freeze.py)
    return app


def _load_config(app: Flask, config: type[Config] | dict | None) -> None:
    if config is None:
        config = config_from_env()
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "life.sqlite")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")


def _check_config(app: Flask) -> None:
    if app.config.get("ENV_NAME") != "production":
        if app.config.get("SECRET_KEY") in (None, "", INSECURE_DEFAULT_KEY):
            app.config["SECRET_KEY"] = _instance_secret_key(app)
            app.config["LIFE_GENERATED_SECRET_KEY"] = True
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == INSECURE_DEFAULT_KEY or len(key) < 32:
        raise StartupError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
            "without it anyone could forge session cookies.")
    if app.config.get("WEB_CONCURRENCY", 1) > 1 and not app.config.get("REDIS_URL"):
        raise StartupError(
            "REDIS_URL must be set in production when WEB_CONCURRENCY is more than 1: otherwise each "
            "worker counts failed logins on its own and the login throttle lets that many times more through.")


SECRET_KEY_FILE = "secret_key"


def _instance_secret_key(app: Flask) -> str:
    """A random key kept in instance/secret_key (mode 600), made on first start: a server started
    without SECRET_KEY must never sign cookies with the development key everyone can read."""
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _warn_if_generated_key(app: Flask) -> None:
    if app.config.get("LIFE_GENERATED_SECRET_KEY"):
        app.logger.warning(
            "SECRET_KEY is not set: using the random key in %s. Set SECRET_KEY (and LIFE_ENV=production) "
            "on a real server; every worker and node must share the same key.",
            Path(app.instance_path) / SECRET_KEY_FILE)


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .credentials import bp as credentials_bp
    from .dashboard import bp as dashboard_bp
    from .lti import bp as lti_bp
    from .main import bp as main_bp
    from .meetings import bp as meetings_bp
    from .notify import bp as notify_bp
    from .privacy import bp as privacy_bp
    from .programme import bp as programme_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(programme_bp, url_prefix="/programme")
    app.register_blueprint(meetings_bp, url_prefix="/meetings")
    app.register_blueprint(privacy_bp)
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(notify_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(lti_bp, url_prefix="/lti")
