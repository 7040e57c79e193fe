"""Checking a credential: our signature, not revoked in the status list, and the OB 3.0 structure.
A changed payload under a kept signature fails the signature check."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

from ..extensions import db
from ..models import IssuedCredential
from .document import base_url
from .signing import InvalidSignature, credential_of, verified_payload

SCHEMA_PATH = Path(__file__).with_name("ob3_structure_schema.json")


@cache
def _validator() -> Draft201909Validator:
    return Draft201909Validator(json.loads(SCHEMA_PATH.read_text()))


def schema_problems(credential: dict[str, Any]) -> list[str]:
    errors = _validator().iter_errors(credential)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


@dataclass
class Outcome:
    signature_valid: bool = False
    schema_valid: bool = False
    revoked: bool = False
    known: bool = False
    credential: dict[str, Any] | None = None
    row: IssuedCredential | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.signature_valid and self.schema_valid and self.known and not self.revoked

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "signature_valid": self.signature_valid, "schema_valid": self.schema_valid,
                "revoked": self.revoked, "known": self.known, "problems": self.problems,
                "credential": self.credential if self.signature_valid else None}


def row_for(credential: dict[str, Any]) -> IssuedCredential | None:
    prefix = f"{base_url()}/credentials/"
    cid = str(credential.get("id", ""))
    if not cid.startswith(prefix) or len(cid) - len(prefix) != 32:
        return None
    return db.session.get(IssuedCredential, cid[len(prefix):])


def verify(token: str) -> Outcome:
    outcome = Outcome()
    try:
        credential = credential_of(verified_payload(token.strip()))
    except InvalidSignature:
        outcome.problems.append("The signature does not verify: the credential was changed or is not ours.")
        return outcome
    outcome.signature_valid, outcome.credential = True, credential
    outcome.problems += schema_problems(credential)
    outcome.schema_valid = not outcome.problems
    outcome.row = row_for(credential)
    outcome.known = outcome.row is not None
    if outcome.row is None:
        outcome.problems.append("No credential with this id was issued here.")
    elif outcome.row.revoked_at is not None:
        outcome.revoked = True
    return outcome
