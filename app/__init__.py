"""LIFE Academy application factory."""
from __future__ import annotations

import os
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

    from . import i18n, localized, logs, sessions, static_files, web
    from .plugins import load_plugins
    from .security import init_throttle

    logs.init_app(app)
    i18n.init_app(app)
    sessions.init_app(app)
    init_throttle(app)
    web.init_app(app)
    static_files.init_app(app)
    localized.init_app(app)
    _register_blueprints(app)
    load_plugins(app)

    from .cli import register_cli
    register_cli(app)
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
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == INSECURE_DEFAULT_KEY or len(key) < 32:
        raise StartupError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
            "without it anyone could forge session cookies.")


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .main import bp as main_bp
    from .meetings import bp as meetings_bp
    from .privacy import bp as privacy_bp
    from .programme import bp as programme_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(programme_bp, url_prefix="/programme")
    app.register_blueprint(meetings_bp, url_prefix="/meetings")
    app.register_blueprint(privacy_bp)
