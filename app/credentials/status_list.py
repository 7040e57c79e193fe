"""The Bitstring Status List (W3C, v1.0) of revocations: bit i set means the credential with
statusListIndex i is revoked. 131,072 bits, the specification's minimum size, so one list hides
which of its entries are in use."""
from __future__ import annotations

import base64
import gzip
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import IssuedCredential
from ..timeutil import utcnow
from .document import PLATFORM_ISSUER, VC_CONTEXT, issuer_profile, status_list_url

SIZE = 131072


def next_index() -> int:
    highest = db.session.scalar(select(func.max(IssuedCredential.status_index)))
    index = 0 if highest is None else highest + 1
    if index >= SIZE:
        raise RuntimeError("the status list is full: a second list is needed")
    return index


def encode(revoked: set[int]) -> str:
    """Multibase base64url (prefix u, no padding) of the gzip of the bitstring, index 0 first (MSB)."""
    bits = bytearray(SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    data = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(key: str | None = None) -> dict[str, Any] | None:
    """The list of issuer `key` (None: the platform-wide list of older credentials); None for an
    unknown issuer."""
    profile = issuer_profile(key or PLATFORM_ISSUER)
    if profile is None:
        return None
    revoked = set(db.session.scalars(select(IssuedCredential.status_index).where(
        IssuedCredential.revoked_at.is_not(None))))
    url = status_list_url(key)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        # The issuer's IRI only: its Profile (type, url) is an OB 3.0 term, and this list's only
        # context is VC 2.0's.
        "issuer": profile["id"],
        "validFrom": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode(revoked)},
    }
