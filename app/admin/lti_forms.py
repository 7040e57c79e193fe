"""The form an admin registers an LTI platform with (Moodle, Canvas): every field checked here,
so the launch code only ever sees https URLs, one-line ids and a well-formed key set."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import LocalizedForm

from ..forms import SingleLine

LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_KEY_SET = 20_000


class PlatformUrl:
    """https, with a host; plain http only to this machine, and only outside production."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        value = field.data.strip()
        parts = urlsplit(value)
        local = parts.hostname in LOCAL_HOSTS and current_app.config.get("ENV_NAME") in ("development", "testing")
        if (any(c.isspace() for c in value) or not parts.hostname
                or not (parts.scheme == "https" or (parts.scheme == "http" and local))):
            raise ValidationError(_l("Give an address that begins with https:// (http:// only for 127.0.0.1 or "
                                     "localhost while developing)."))
        field.data = value


def _url(label, description=None, required=True):
    return StringField(label, description=description, render_kw={"maxlength": 500, "inputmode": "url"},
                       validators=[DataRequired() if required else Optional(), Length(max=500), SingleLine(),
                                   PlatformUrl()])


class LtiPlatformForm(LocalizedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()],
                       description=_l("For you: for example, the Moodle of the partner university."))
    issuer = _url(_l("Platform ID (issuer)"), _l("Moodle: the Platform ID; Canvas: https://canvas.instructure.com."))
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255), SingleLine()],
                            description=_l("The id the platform gave LIFE Academy when you added the tool."))
    auth_login_url = _url(_l("Authentication request URL"))
    auth_token_url = _url(_l("Access token URL"))
    key_set_url = _url(_l("Public keyset URL"), _l("Where the platform publishes its keys."), required=False)
    key_set = TextAreaField(_l("Public keyset (JSON)"), validators=[Length(max=MAX_KEY_SET)],
                            description=_l("Only if the platform has no keyset URL: its keys as JSON."))
    deployment_ids = StringField(_l("Deployment IDs"), validators=[DataRequired(), Length(max=500), SingleLine()],
                                 description=_l("Separated by commas."))
    cohort_id = SelectField(_l("Cohort"), coerce=int, validate_choice=True,
                            description=_l("The people launched from this platform join this cohort."))

    def __init__(self, *args, cohorts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cohort_id.choices = [(c.id, f"{c.name} ({c.run.name})") for c in cohorts]

    def validate_deployment_ids(self, field) -> None:
        ids = [part.strip() for part in (field.data or "").split(",") if part.strip()]
        if not ids or any(len(i) > 255 for i in ids):
            raise ValidationError(_l("Give at least one deployment id, separated by commas."))
        self.deployments = list(dict.fromkeys(ids))

    def validate_key_set(self, field) -> None:
        if not field.data or not field.data.strip():
            field.data = None
            if not self.key_set_url.data:
                raise ValidationError(_l("Give the public keyset URL or the keyset itself."))
            return
        try:
            keys = json.loads(field.data)
        except ValueError:
            keys = None
        if not (isinstance(keys, dict) and isinstance(keys.get("keys"), list) and keys["keys"]
                and all(isinstance(k, dict) and k.get("kty") == "RSA" and k.get("kid") for k in keys["keys"])):
            raise ValidationError(_l('This is not a keyset: JSON like {"keys": [...]} with RSA keys that have a kid.'))
        self.parsed_key_set = keys
