"""The platform's Ed25519 signing keys, kept in instance/credential-keys/ (mode 600).

Each key is a PEM file named `<UTC timestamp>-<thumbprint>.pem`; the newest signs, every key
stays published in the JWKS so credentials signed before a rotation still verify. The key id is
the RFC 7638 thumbprint, so a `kid` names exactly one public key."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

KEY_DIR = "credential-keys"


@dataclass(frozen=True)
class SigningKey:
    thumbprint: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def jwk(self) -> dict[str, str]:
        return {**_public_jwk(self.public), "kid": self.thumbprint, "alg": "EdDSA", "use": "sig"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638: the SHA-256 of the JWK's required members, in lexicographic order, no spaces."""
    canonical = json.dumps(_public_jwk(public), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def key_dir() -> Path:
    return Path(current_app.config.get("LIFE_CREDENTIAL_KEY_DIR") or Path(current_app.instance_path) / KEY_DIR)


def all_keys() -> list[SigningKey]:
    """Every key, oldest first (the file names start with their creation time)."""
    directory = key_dir()
    if not directory.is_dir():
        return []
    keys = []
    for path in sorted(directory.glob("*.pem")):
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(private, Ed25519PrivateKey):
            keys.append(SigningKey(thumbprint(private.public_key()), private))
    return keys


def new_key() -> SigningKey:
    """Make a key and write it (mode 600, never overwriting): it signs from now on."""
    private = Ed25519PrivateKey.generate()
    key = SigningKey(thumbprint(private.public_key()), private)
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{key.thumbprint}.pem"
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def signing_key() -> SigningKey:
    """The newest key, made on first use."""
    keys = all_keys()
    return keys[-1] if keys else new_key()


def public_key(kid_thumbprint: str) -> Ed25519PublicKey | None:
    return next((k.public for k in all_keys() if k.thumbprint == kid_thumbprint), None)


def jwks() -> dict[str, list[dict[str, str]]]:
    return {"keys": [k.jwk() for k in all_keys() or [signing_key()]]}
