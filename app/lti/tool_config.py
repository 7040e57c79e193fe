"""pylti1p3's view of the registrations: read from LtiPlatform rows, with the tool's own key."""
from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import func, select

from ..extensions import db
from ..models import LtiPlatform
from . import keys


def platform_for(issuer: str | None, client_id: str | None) -> LtiPlatform | None:
    """The registration for an issuer (and client id; without one, the issuer's only registration)."""
    if not issuer:
        return None
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return db.session.scalars(query.where(LtiPlatform.client_id == client_id)).first()
    platforms = db.session.scalars(query.limit(2)).all()
    return platforms[0] if len(platforms) == 1 else None


def registration(platform: LtiPlatform) -> Registration:
    reg = Registration()
    reg.set_issuer(platform.issuer).set_client_id(platform.client_id)
    reg.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    reg.set_key_set_url(platform.key_set_url).set_key_set(platform.key_set)  # type: ignore[arg-type]
    reg.set_tool_private_key(keys.private_key_pem()).set_tool_public_key(keys.public_key_pem())
    return reg


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer is looked up with its client id when the message has one."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return db.session.scalar(select(func.count()).select_from(LtiPlatform)
                                 .where(LtiPlatform.issuer == iss)) == 1

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return not self.check_iss_has_one_client(iss)

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:
        platform = platform_for(iss, None)
        return registration(platform) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any,
                                    **kwargs: Any) -> Registration | None:
        platform = platform_for(iss, client_id) if client_id else None
        return registration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return _deployment(platform_for(iss, None), deployment_id)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any) -> Deployment | None:
        return _deployment(platform_for(iss, client_id) if client_id else None, deployment_id)


def _deployment(platform: LtiPlatform | None, deployment_id: str) -> Deployment | None:
    if platform is None or deployment_id not in (platform.deployment_ids or []):
        return None
    return Deployment().set_deployment_id(deployment_id)
