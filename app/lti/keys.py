"""The tool's own RSA key: it signs Deep Linking responses and AGS token requests, and its public
half is published at /lti/jwks for the platforms. Made on first use (like instance/secret_key) so a
fresh install works; LTI_PRIVATE_KEY_PATH points at a managed key instead, and every node must
read the same key."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from pylti1p3.registration import Registration

KEY_FILE = "lti_private_key.pem"


def private_key_path() -> Path:
    configured = current_app.config.get("LTI_PRIVATE_KEY_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / KEY_FILE


def private_key_pem() -> str:
    path = private_key_path()
    if not path.exists():
        _generate(path)
    return path.read_text()


def public_key_pem() -> str:
    return _public_pem(private_key_pem())


def jwks() -> dict[str, Any]:
    return {"keys": [_public_jwk(private_key_pem())]}


def key_id() -> str:
    return _public_jwk(private_key_pem())["kid"]


def _generate(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two workers starting together keep the first one's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


@cache
def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@cache
def _public_jwk(private_pem: str) -> dict[str, Any]:
    # pylti1p3 names the key by its RFC 7638 thumbprint (a hash of the key) when it signs, so the
    # JWKS must too; a new key gets a new kid, and platforms fetch the set again.
    return dict(Registration.get_jwk(_public_pem(private_pem)))
