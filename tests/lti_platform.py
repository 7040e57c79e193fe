"""A simulated LTI 1.3 platform (a Moodle or Canvas as far as LIFE Academy can tell): its own RSA
key, its JWKS stored in the registration (no HTTP), and id_tokens signed with PyJWT."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.extensions import db
from app.models import LtiPlatform

ISSUER = "https://moodle.example.org"
CLIENT_ID = "life-academy-client"
DEPLOYMENT = "deployment-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


class Platform:
    def __init__(self, cohort, *, issuer: str = ISSUER, client_id: str = CLIENT_ID) -> None:
        self.issuer, self.client_id = issuer, client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.row = LtiPlatform(name="Moodle of a partner university", issuer=issuer, client_id=client_id,
                               auth_login_url=issuer + "/mod/lti/auth.php",
                               auth_token_url=issuer + "/mod/lti/token.php",
                               key_set={"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]},
                               deployment_ids=[DEPLOYMENT], cohort_id=cohort.id)
        db.session.add(self.row)
        db.session.commit()

    def start_login(self, client, **extra: str) -> dict[str, str]:
        """The platform's OIDC initiation; returns the parameters of our redirect to its auth URL."""
        params = {"iss": self.issuer, "login_hint": "hint-42", "client_id": self.client_id,
                  "target_link_uri": "https://evil.example/steal", "lti_message_hint": "msg-7", **extra}
        response = client.post("/lti/login", data=params)
        assert response.status_code == 302, response.get_data(as_text=True)
        location = urlsplit(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.row.auth_login_url
        return {k: v[0] for k, v in parse_qs(location.query).items()}

    def id_token(self, auth: dict[str, str], *, sub: str = "moodle-user-1", email: str = "learner@uni.example",
                 roles: tuple[str, ...] = (LEARNER,), key=None, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300,
            "nonce": auth["nonce"], "email": email, "name": "Lea Learner", "locale": "sv-SE",
            CLAIM + "deployment_id": DEPLOYMENT, CLAIM + "version": "1.3.0",
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "roles": list(roles),
            CLAIM + "resource_link": {"id": "link-" + uuid.uuid4().hex[:6]},
            CLAIM + "target_link_uri": "http://localhost:5000/lti/launch",
        }
        body.update(claims)
        return jwt.encode({k: v for k, v in body.items() if v is not None}, key or self.key,
                          algorithm="RS256", headers={"kid": kid or self.kid})

    def deep_linking_claims(self) -> dict[str, Any]:
        return {CLAIM + "message_type": "LtiDeepLinkingRequest", CLAIM + "resource_link": None,
                DL_CLAIM + "deep_linking_settings": {
                    "deep_link_return_url": self.issuer + "/mod/lti/contentitem_return.php",
                    "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["window"],
                    "data": "opaque-platform-data"}}

    def launch(self, client, **token_args: Any):
        auth = self.start_login(client)
        return client.post("/lti/launch", data={"id_token": self.id_token(auth, **token_args), "state": auth["state"]})
