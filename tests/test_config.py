"""The environment is declared in config.py: defaults as documented, and a value the app cannot
use stops start-up with a message that names the variable."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigurationError, read_environment

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_are_the_documented_ones(monkeypatch):
    for name in ("MAIL_PORT", "MAIL_USE_TLS", "MAX_UPLOAD_MB", "LIFE_ENV", "SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    env = read_environment()
    assert (env.MAIL_PORT, env.MAIL_USE_TLS, env.MAX_UPLOAD_MB, env.LIFE_ENV, env.SESSION_IDLE_MINUTES) == \
        (25, False, 25, "development", 120)


@pytest.mark.parametrize("value, on", [("1", True), (" Yes ", True), ("on", True), ("off", False), ("", False)])
def test_mail_use_tls_takes_the_words_it_always_took(monkeypatch, value, on):
    monkeypatch.setenv("MAIL_USE_TLS", value)
    assert read_environment().MAIL_USE_TLS is on


@pytest.mark.parametrize("name, value, message", [
    ("MAIL_PORT", "abc", "MAIL_PORT='abc': must be a whole number"),
    ("MAX_UPLOAD_MB", "0", "MAX_UPLOAD_MB='0': must be more than 0"),
    ("LIFE_ENV", "prod", "LIFE_ENV='prod': must be one of development, testing or production"),
    ("MAIL_USE_TLS", "maybe", "MAIL_USE_TLS='maybe': must be one of 1, true, yes, on, 0, false, no, off"),
    ("MAIL_BACKEND", "smpt", "MAIL_BACKEND='smpt': must be one of log, smtp or memory"),
    ("LOGIN_LIMIT_PER_CLIENT", "5 per fortnight", "LOGIN_LIMIT_PER_CLIENT='5 per fortnight': must be a rate"),
    ("XAPI_ENDPOINT", "lrs.example.org/xapi", "XAPI_ENDPOINT='lrs.example.org/xapi': must be the LRS's xAPI address"),
])
def test_a_bad_value_is_refused_with_its_name(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        read_environment()
    assert message in str(caught.value)


def test_the_cli_stops_with_the_message(tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi.py", "MAIL_PORT": "twenty-five",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    result = subprocess.run([sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "MAIL_PORT='twenty-five': must be a whole number" in result.stderr
