"""The activity-type registry: discovery from config, loud failure, plugins from outside app/."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from app import create_app
from app.plugins import ActivityPlugin, ConfigError, ContentContext, PluginError

from .conftest import make_config

ROOT = Path(__file__).resolve().parent.parent


def _app(db_url, tmp_path, plugins):
    return create_app(make_config(db_url, tmp_path, LIFE_PLUGINS=plugins))


def test_plugins_come_from_the_allow_list(db_url, tmp_path):
    app = _app(db_url, tmp_path, ["tests.plugins.simple"])
    assert app.extensions["life_plugins"].names() == ["simple"]
    assert isinstance(app.extensions["life_plugins"]["simple"], ActivityPlugin)


def test_duplicate_name_stops_start_up(db_url, tmp_path):
    with pytest.raises(PluginError, match="duplicate plugin name 'simple'"):
        _app(db_url, tmp_path, ["tests.plugins.simple", "tests.plugins.simple_twin"])


def test_import_error_stops_start_up_naming_the_plugin(db_url, tmp_path):
    with pytest.raises(PluginError, match="tests.plugins.broken_import' failed to import: ModuleNotFoundError"):
        _app(db_url, tmp_path, ["tests.plugins.broken_import"])


def test_blueprint_must_be_named_like_the_plugin(db_url, tmp_path):
    with pytest.raises(PluginError, match="blueprint is named 'something_else'"):
        _app(db_url, tmp_path, ["tests.plugins.bad_blueprint"])


def test_missing_plugin_module_stops_start_up(db_url, tmp_path):
    with pytest.raises(PluginError, match="no_such_plugin"):
        _app(db_url, tmp_path, ["tests.no_such_plugin"])


def test_default_settings_validation_refuses_settings():
    plugin = ActivityPlugin(name="plain")
    context = ContentContext(root=ROOT, base_dir=ROOT, file="x.yaml", line=3)
    assert plugin.validate_config({}, context) == {}
    with pytest.raises(ConfigError, match=r"^x.yaml:3: activity type 'plain' takes no settings"):
        plugin.validate_config({"a": 1}, context)


def test_flask_cli_fails_loudly_with_a_broken_plugin(tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi.py", "LIFE_PLUGINS": "tests.plugins.broken_import",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    result = subprocess.run([sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "tests.plugins.broken_import' failed to import" in result.stderr


def test_a_plugin_from_tests_brings_model_blueprint_template_and_rules(tmp_path):
    """Runs in a fresh interpreter, so the throwaway model's table stays out of the metadata
    the rest of the suite compares with the migrations."""
    script = textwrap.dedent(f"""
        from decimal import Decimal
        from pathlib import Path
        from types import SimpleNamespace
        from app import create_app
        from app.extensions import db
        from app.plugins import ConfigError, ContentContext
        from config import TestingConfig

        class C(TestingConfig):
            SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path / 'p.sqlite'}"
            UPLOAD_DIR = "{tmp_path / 'up'}"
            LIFE_PLUGINS = ["tests.plugins.throwaway"]

        app = create_app(C)
        plugin = app.extensions["life_plugins"]["throwaway"]
        with app.app_context():
            db.create_all()
            from tests.plugins.throwaway import ThrowawayNote
            db.session.add(ThrowawayNote(text="hello"))
            db.session.commit()
        page = app.test_client().get("/a/throwaway/")
        assert page.status_code == 200, page.status_code
        assert "notes: 1" in page.get_data(as_text=True)
        assert plugin.hours(SimpleNamespace(hours=Decimal("1.5"))) == Decimal("3.0")
        def at(line):
            return ContentContext(root=Path("."), base_dir=Path("."), file="f.yaml", line=line)
        assert plugin.validate_config({{"colour": "red"}}, at(1)) == {{"colour": "red"}}
        try:
            plugin.validate_config({{"colour": "green"}}, at(7))
        except ConfigError as exc:
            assert str(exc) == "f.yaml:7: colour must be red or blue"
        else:
            raise AssertionError("bad settings accepted")
        print("PLUGIN-OK")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "PLUGIN-OK" in result.stdout, result.stderr


def test_core_never_imports_a_plugin_by_name():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if "import modules" in p.read_text() or "from modules" in p.read_text()]
    assert offenders == []


def test_hours_default_is_the_activity_hours():
    from types import SimpleNamespace
    assert ActivityPlugin(name="x").hours(SimpleNamespace(hours=Decimal("2.5"))) == Decimal("2.5")
