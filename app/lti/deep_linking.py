"""Deep Linking: an instructor launched from the platform picks a module or activity, and we send
the platform back a signed LtiDeepLinkingResponse naming it (with `life_target` pointing at its
page). pylti1p3's own answer is a form with inline script, which the CSP forbids: ours is a form
with a visible button."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, make_response, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException

from ..localized import localized
from ..services import programme as programme_service
from ..web import CSP
from . import bp
from .messages import cached_launch, refused, tool_url
from .views import DEEP_LINK_SESSION_KEY


@dataclass(frozen=True)
class Choice:
    key: str
    title: str
    path: str
    is_module: bool
    #: An activity's slug: the launch finds it by this to send its completion back (AGS).
    slug: str | None = None

    def custom(self) -> dict[str, str]:
        return {"life_target": self.path, **({"life_activity": self.slug} if self.slug else {})}


@bp.route("/deep-link", methods=["GET", "POST"])
@login_required
def deep_link():
    launch_id = session.get(DEEP_LINK_SESSION_KEY)
    try:
        message = cached_launch(launch_id) if isinstance(launch_id, str) else None
    except LtiException as error:
        return refused(400, f"deep link: {error}")
    if message is None or not message.is_deep_link_launch():
        return refused(400, "deep link: no deep linking launch in this session")
    choices = _choices()
    if request.method == "GET":
        return render_template("lti/deep_link.html", choices=choices)
    chosen = next((c for c in choices if c.key == request.form.get("item")), None)
    if chosen is None:
        return render_template("lti/deep_link.html", choices=choices,
                               error=_l("Choose a module or an activity.")), 400
    deep_link = message.get_deep_link()
    return_url = message.get_launch_data()["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"][
        "deep_link_return_url"]
    origin = _origin(return_url)
    if origin is None:
        return refused(400, "deep link: unusable deep_link_return_url")
    resource = (DeepLinkResource().set_url(tool_url("lti.launch")).set_title(chosen.title)
                .set_custom_params(chosen.custom()))
    session.pop(DEEP_LINK_SESSION_KEY, None)
    response = make_response(render_template("lti/deep_link_return.html", return_url=return_url,
                                             jwt=deep_link.get_response_jwt([resource]), chosen=chosen))
    # This one form goes to the platform: the policy names it, nothing else changes.
    response.headers["Content-Security-Policy"] = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    return response


def _choices() -> list[Choice]:
    viewer = programme_service.viewer_for(current_user)
    if viewer is None:
        return []
    choices: list[Choice] = []
    for item in programme_service.overview(viewer).modules:
        module = item.module
        choices.append(Choice(f"module:{module.slug}", str(localized(module, "title").text),
                              f"/programme/modules/{module.slug}", True))
        for activity in item.activities:
            if activity.url and activity.url.startswith(("/programme/", "/a/")):
                title = str(localized(activity.activity, "title").text)
                choices.append(Choice(f"activity:{activity.activity.id}", title, activity.url, False,
                                      activity.activity.slug))
    return choices


def _origin(url: str) -> str | None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.netloc or any(c in parts.netloc for c in " ;'\""):
        return None
    local = parts.hostname in ("127.0.0.1", "localhost") and current_app.config.get("ENV_NAME") != "production"
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        return None
    return f"{parts.scheme}://{parts.netloc}"
