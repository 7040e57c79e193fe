"""VC-JOSE: a credential is secured as a JWS (alg EdDSA) whose payload is the credential itself,
`typ` vc+jwt, `kid` the issuer's key id resolvable from our JWKS."""
from __future__ import annotations

from typing import Any

import jwt

from . import keys
from .document import base_url

MEDIA_TYPE = "application/vc+jwt"


def jwks_url() -> str:
    return f"{base_url()}/credentials/jwks.json"


def sign(document: dict[str, Any]) -> str:
    key = keys.signing_key()
    return jwt.encode(document, key.private, algorithm="EdDSA",
                      headers={"typ": "vc+jwt", "kid": f"{jwks_url()}#{key.thumbprint}"})


class InvalidSignature(ValueError):
    pass


def verified_payload(token: str) -> dict[str, Any]:
    """The credential if the signature is one of our keys'; InvalidSignature otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidSignature("not a JWT") from error
    kid = str(header.get("kid", ""))
    public = keys.public_key(kid.rpartition("#")[2]) if kid.startswith(jwks_url() + "#") else None
    if public is None or header.get("alg") != "EdDSA":
        raise InvalidSignature("unknown key")
    try:
        return jwt.decode(token, public, algorithms=["EdDSA"], options={"verify_aud": False})
    except jwt.PyJWTError as error:
        raise InvalidSignature(str(error)) from error
