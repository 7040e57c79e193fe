"""Building pylti1p3's objects with our storage and settings, and the refusal page."""
from __future__ import annotations

from typing import Any, cast

from flask import current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin

from .storage import DatabaseLaunchDataStorage
from .tool_config import DatabaseToolConf

#: PyJWT checks exp and iat only when present: an id_token without them is not one we accept.
VERIFY_OPTIONS: dict[str, object] = {"verify_aud": False, "require": ["exp", "iat", "nonce"]}
LAUNCH_DATA_SECONDS = 3600


def tool_url(endpoint: str) -> str:
    """Our URLs as the platform knows them: PUBLIC_URL, never the Host header of a request."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint)


def oidc_login() -> OIDCLogin:
    login = FlaskOIDCLogin(FlaskRequest(), DatabaseToolConf(), launch_data_storage=DatabaseLaunchDataStorage())
    # pylti1p3's cookie check is a page with inline script, which the CSP forbids.
    return login.disable_check_cookies()


def message_launch() -> MessageLaunch:
    launch = FlaskMessageLaunch(FlaskRequest(), DatabaseToolConf(), launch_data_storage=DatabaseLaunchDataStorage())
    launch.set_jwt_verify_options(cast(dict[str, bool], VERIFY_OPTIONS))
    return launch.set_launch_data_lifetime(LAUNCH_DATA_SECONDS)


def cached_launch(launch_id: str) -> MessageLaunch:
    return FlaskMessageLaunch.from_cache(launch_id, FlaskRequest(), DatabaseToolConf(),
                                         launch_data_storage=DatabaseLaunchDataStorage())


def refused(status: int, reason: str, message: Any = None):
    current_app.logger.warning("lti: refused (%s): %s", status, reason)
    return render_template("error.html", code=status, title=_l("The learning platform could not open LIFE Academy"),
                           message=message or _l("The link from the learning platform is not valid or has expired. "
                                                 "Go back to the platform and open the activity again.")), status
