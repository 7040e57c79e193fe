"""Open Badges 3.0 JSON Web Token proof (VC-JWT): a credential is secured as a JWS (alg EdDSA)
whose payload is the credential itself, `typ` JWT, `kid` the URL of the signing key's JWK (every
key is also in our JWKS).

Open Badges 3.0 (section 8.2, VC-JWT) also requires the JWT registered claims beside the
credential's members: `iss` (issuer.id), `nbf` (validFrom), `jti` (id), `sub`
(credentialSubject.id, when there is one) and `exp` (validUntil, when there is one). They repeat
what the credential says, so `credential_of` drops them again for the plain JSON download."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

from . import keys
from .document import base_url

MEDIA_TYPE = "application/vc+jwt"


def jwks_url() -> str:
    return f"{base_url()}/credentials/jwks.json"


def key_url(thumbprint: str) -> str:
    """The `kid`: OB 3.0 (section 8.2.4.1) wants a URI that dereferences to the JWK itself."""
    return f"{base_url()}/credentials/keys/{thumbprint}"


#: Clock difference tolerated between the node that signed and the one that verifies (nbf).
LEEWAY_SECONDS = 300


def _epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def registered_claims(document: dict[str, Any]) -> dict[str, Any]:
    issuer = document.get("issuer")
    claims: dict[str, Any] = {"iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
                              "jti": document["id"], "nbf": _epoch(document["validFrom"])}
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    if document.get("validUntil"):
        claims["exp"] = _epoch(document["validUntil"])
    return claims


REGISTERED = ("iss", "jti", "nbf", "sub", "exp")


def credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential without the JWT registered claims (which only repeat it)."""
    return {k: v for k, v in payload.items() if k not in REGISTERED}


def sign(document: dict[str, Any]) -> str:
    key = keys.signing_key()
    # OB 3.0 allows only alg, kid, jwk and typ in the header, and typ, when present, "JWT".
    return jwt.encode({**document, **registered_claims(document)}, key.private, algorithm="EdDSA",
                      headers={"typ": "JWT", "kid": key_url(key.thumbprint)})


class InvalidSignature(ValueError):
    pass


def verified_payload(token: str) -> dict[str, Any]:
    """The credential if the signature is one of our keys'; InvalidSignature otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidSignature("not a JWT") from error
    kid = str(header.get("kid", ""))
    # Credentials signed before the kid was the key's own URL name it as a fragment of the JWKS.
    ours = kid.startswith(key_url("")) or kid.startswith(jwks_url() + "#")
    public = keys.public_key(kid.rpartition("#")[2] if "#" in kid else kid.rpartition("/")[2]) if ours else None
    if public is None or header.get("alg") != "EdDSA":
        raise InvalidSignature("unknown key")
    try:
        return jwt.decode(token, public, algorithms=["EdDSA"], options={"verify_aud": False},
                          leeway=LEEWAY_SECONDS)
    except jwt.PyJWTError as error:
        raise InvalidSignature(str(error)) from error
