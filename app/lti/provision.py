"""Who a launch is: the platform's user matched by (platform, sub), else by e-mail (the identity is
then linked), else a new account; their role in the platform's cohort from the LTI roles."""
from __future__ import annotations

import posixpath
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import CohortRole, LtiIdentity, LtiPlatform, Membership, User
from ..services import two_factor
from ..services.accounts import create_user, find_by_email
from ..text import has_control_characters, one_line

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
#: LTI roles we map; an Instructor who is also a Learner somewhere is the facilitator.
ROLE_MAP = ((MEMBERSHIP + "Instructor", CohortRole.FACILITATOR), (MEMBERSHIP + "Learner", CohortRole.TRAINEE))
LOCALES = ("en", "sv", "nb", "sl", "pt", "it")
TARGET_PATH = re.compile(r"^/(programme|a)/[A-Za-z0-9_\-/]*$")


class LaunchRefused(Exception):
    """The launch is valid but this person cannot come in; `message` is shown, `reason` logged."""

    def __init__(self, message: Any, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


def cohort_role(claims: dict[str, Any]) -> CohortRole:
    roles = claims.get(CLAIM + "roles") or []
    if not isinstance(roles, list):
        roles = []
    for uri, role in ROLE_MAP:
        if uri in roles:
            return role
    raise LaunchRefused(_l("Your role on the learning platform has no place in LIFE Academy: only learners "
                           "and instructors of the course can open it."), "no mapped role")


def launch_user(platform: LtiPlatform, claims: dict[str, Any]) -> tuple[User, bool]:
    """The account of this launch and whether it was made now."""
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 255 or has_control_characters(subject):
        raise LaunchRefused(_l("The learning platform did not say who you are."), "no usable sub", 400)
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.platform_id == platform.id,
                                                           LtiIdentity.subject == subject))
    created = False
    if identity is not None:
        user = identity.user
    else:
        email = _claimed_email(claims)
        found = find_by_email(email)
        user = found if found is not None else _provision(email, claims)
        created = found is None
        db.session.add(LtiIdentity(platform_id=platform.id, subject=subject, user_id=user.id))
    _check_may_enter(user)
    return user, created


def ensure_membership(user: User, platform: LtiPlatform, role: CohortRole) -> Membership:
    """Adds the membership if missing; an existing one keeps its role (a launch never changes what
    someone already is in the cohort)."""
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                            Membership.cohort_id == platform.cohort_id))
    if membership is None:
        membership = Membership(user_id=user.id, cohort_id=platform.cohort_id, role=role.value)
        db.session.add(membership)
        db.session.flush()
    return membership


NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def offers_names_and_roles(claims: dict[str, Any]) -> bool:
    """Whether the launch offers Names and Role Provisioning. The tool never calls it: accounts
    come from launches, one person at a time, so no partner's whole roster is pulled in; a
    malformed claim is ignored like an absent one."""
    service = claims.get(NRPS_CLAIM)
    url = service.get("context_memberships_url") if isinstance(service, dict) else None
    return isinstance(url, str) and url.startswith("https://")


def target_path(claims: dict[str, Any]) -> str | None:
    """The resource link's `life_target`, if it is a plain path inside the programme pages."""
    custom = claims.get(CLAIM + "custom")
    target = custom.get("life_target") if isinstance(custom, dict) else None
    if not isinstance(target, str) or not TARGET_PATH.match(target) or "//" in target:
        return None
    if posixpath.normpath(target) != target.rstrip("/") or ".." in target.split("/"):
        return None
    return target


def _claimed_email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254 or one_line(email) != email.strip():
        raise LaunchRefused(_l("The learning platform did not send your e-mail address, which LIFE Academy needs "
                               "for your account. Ask its administrator to share it with this tool."),
                            "no usable email claim", 400)
    return email


def _provision(email: str, claims: dict[str, Any]) -> User:
    name = claims.get("name") or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name"))
    name = one_line(str(name)).strip()[:200] or email.split("@")[0]
    return create_user(email, name, locale=_locale(claims))


def _locale(claims: dict[str, Any]) -> str | None:
    presentation = claims.get(CLAIM + "launch_presentation")
    for value in (claims.get("locale"), presentation.get("locale") if isinstance(presentation, dict) else None):
        if isinstance(value, str) and value[:2].lower() in LOCALES:
            return value[:2].lower()
    return None


def _check_may_enter(user: User) -> None:
    if not user.active or user.erased_at is not None:
        raise LaunchRefused(_l("This account is not active. Ask the programme's coordinator."), "inactive user")
    # A launch is a login without the password or second factor: never for staff or a protected account.
    coordinates = any(m.role == CohortRole.COORDINATOR for m in user.memberships)
    if user.site_role or coordinates or two_factor.has_second_factor(user):
        raise LaunchRefused(_l("This account logs in on LIFE Academy directly, not from a learning platform."),
                            "staff or second-factor account")
