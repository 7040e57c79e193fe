"""Our Open Badges 3.0 credentials checked by an implementation that is not ours: openbadgeslib
(PyPI, LGPLv3; a test dependency only). Its OB3Verifier checks the JWT-VC the way a wallet or a
partner's verifier would (signature with the algorithm pinned to the key, VC and OB types, the
@context pair, the iss/nbf/jti registered claims against issuer, validFrom and id, the validity
window, the Bitstring Status List). The JSON-LD check expands each credential with the official
VC 2.0 and OB 3.0 contexts bundled in that package, offline: every term we use must be defined
there, none silently dropped or turned into a relative IRI."""
from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier
from openbadgeslib.ob3._context_validation import validate_document
from openbadgeslib.ob3.contexts import document_loader
from pyld import jsonld

from app.credentials import document as ob3_document
from app.credentials import status_list
from app.extensions import db
from app.models import IssuedCredential

from .test_credentials import done  # noqa: F401  (the fixture: a trainee who completed everything)

ABSOLUTE_IRI = re.compile(r"^(https?://|urn:)[^\s]+$")


def _pem(client, token: str) -> bytes:
    """The public key the token's kid names, dereferenced as OB 3.0 says (the kid is the URL of
    the JWK), as PEM."""
    kid = jwt.get_unverified_header(token)["kid"]
    response = client.get(urlsplit(kid).path)
    assert response.status_code == 200, kid
    return jwt.PyJWK(response.get_json()).key.public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)


def _all_issued(client, world, login, built) -> dict[str, str]:
    """Every credential the trainee has earned, by name: the programme's and each unit's."""
    login(world.trainee)
    tokens = {"programme": client.get("/credentials/mine/programme.jwt").get_data(as_text=True)}
    for module in built.modules:
        unit = module.ecvet_unit
        tokens[unit.code] = client.get(f"/credentials/mine/unit/{unit.id}.jwt").get_data(as_text=True)
    assert len(tokens) == 3 and all(t.count(".") == 2 for t in tokens.values())
    return tokens


def _from_client(client):
    """openbadgeslib's fetcher, served by the app under test instead of the network."""
    def download(url: str) -> bytes:
        response = client.get(urlsplit(url).path, query_string=urlsplit(url).query)
        assert response.status_code == 200, url
        return response.data
    return download


def test_openbadgeslib_verifies_every_credential_we_issue(client, world, login, done):  # noqa: F811
    tokens = _all_issued(client, world, login, done)
    issuer_se = f"{ob3_document.base_url()}/credentials/issuer/se"
    for name, token in tokens.items():
        verified = OB3Verifier(_pem(client, token)).verify(token, check_status=True, verify_status_list=True,
                                                           download=_from_client(client))
        raw = verified.raw or {}
        assert raw["type"] == ["VerifiableCredential", "OpenBadgeCredential"], name
        assert verified.issuer.id == issuer_se and "Linköping" in verified.issuer.name, name
        row = db.session.get(IssuedCredential, verified.id.rpartition("/")[2])
        assert row is not None and verified.issuance_date.replace(tzinfo=None) == row.issued_at, name
        assert verified.expiration_date is None  # ECVET credit does not lapse
        assert verified.recipient_id is None and verified.identifiers[0].identity_hash == "Tina Trainee"
        assert verified.credits_earned == verified.achievement.credits_available, name
        assert verified.achievement.alignments and verified.achievement.alignments[0].target_code in {"5", "6"}
        assert {r.result_type for r in verified.achievement.result_descriptions} == {
            "ext:NotionalHours", "ext:EcvetCreditPoints"}
        claims = jwt.decode(token, options={"verify_signature": False})
        assert (claims["iss"], claims["jti"]) == (issuer_se, raw["id"]) and "sub" not in claims
        # The revocation list is the issuer's own, so a verifier may insist on that (as above).
        own_list = f"{ob3_document.base_url()}/credentials/status/se/revocation"
        assert raw["credentialStatus"]["statusListCredential"] == own_list
    units = {n: OB3Verifier(_pem(client, t)).verify(t).achievement for n, t in tokens.items() if n != "programme"}
    assert {a.achievement_type for a in units.values()} == {"MicroCredential"}
    assert units["U1"].credits_available == 2 and units["U2"].credits_available == 1.5


def test_the_status_list_revocation_is_seen_by_openbadgeslib(client, world, login, done):  # noqa: F811
    token = _all_issued(client, world, login, done)["U1"]
    verifier = OB3Verifier(_pem(client, token))
    verifier.verify(token, check_status=True, verify_status_list=True, download=_from_client(client))
    row = db.session.query(IssuedCredential).filter(IssuedCredential.unit_id.is_not(None)).order_by(
        IssuedCredential.status_index).first()
    assert row is not None and row.jwt == token
    client.post("/logout")
    login(world.admin)
    client.post(f"/admin/credentials/{row.id}/revoke", data={"reason": "Issued in error"})
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(token, check_status=True, verify_status_list=True, download=_from_client(client))
    verifier.verify(token)  # the signature itself stays good: revocation lives in the list only
    # Credentials issued before the lists were per issuer name the platform's list: it says revoked too.
    legacy = client.get("/credentials/status/revocation").get_data(as_text=True)
    subject = jwt.decode(legacy, options={"verify_signature": False})["credentialSubject"]
    bits = status_list.decode(subject["encodedList"])
    assert status_list.is_set(bits, row.status_index)
    assert client.get("/credentials/status/xx/revocation").status_code == 404


def _tampered(token: str, change) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def test_a_tampered_or_foreign_credential_fails_with_openbadgeslib(client, world, login, done):  # noqa: F811
    token = _all_issued(client, world, login, done)["programme"]
    verifier = OB3Verifier(_pem(client, token))

    def more_credit(claims):
        claims["credentialSubject"]["creditsEarned"] = 60

    def another_holder(claims):
        claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"

    for change in (more_credit, another_holder):
        with pytest.raises(OB3VerificationError, match="Invalid signature"):
            verifier.verify(_tampered(token, change))
    # The same credential signed by a key that is not ours.
    stranger = Ed25519PrivateKey.generate()
    claims = jwt.decode(token, options={"verify_signature": False})
    foreign = jwt.encode(claims, stranger, algorithm="EdDSA", headers=jwt.get_unverified_header(token))
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        verifier.verify(foreign)
    # And ours refuses both too (the public verify endpoint).
    for forged in (_tampered(token, more_credit), foreign):
        assert client.post("/credentials/verify.json", json={"credential": forged}).get_json()["valid"] is False


# --- JSON-LD: every term defined by the official contexts -------------------------------------

def _scalars(value: Any, key: str | None = None) -> int:
    """The JSON values a credential states (each array element counted), @context left out."""
    if isinstance(value, dict):
        return sum(_scalars(v, k) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return sum(_scalars(v, key) for v in value)
    return 1


def _expanded_values(node: Any, iris: set[str]) -> int:
    """The values the expanded form still carries (@id, @value, each @type), collecting every
    property and type IRI on the way."""
    if isinstance(node, list):
        return sum(_expanded_values(n, iris) for n in node)
    if not isinstance(node, dict):
        return 0
    if "@value" in node:
        return 1
    count = 0
    for key, value in node.items():
        if key == "@id":
            count += 1
        elif key == "@type":
            types = value if isinstance(value, list) else [value]
            iris.update(types)
            count += len(types)
        else:
            iris.add(key)
            count += _expanded_values(value, iris)
    return count


def term_problems(credential: dict[str, Any]) -> list[str]:
    """What a JSON-LD processor with only the bundled official contexts would lose or misread."""
    problems = []
    iris: set[str] = set()
    expanded = jsonld.expand(credential, {"documentLoader": document_loader(), "base": None})
    kept, stated = _expanded_values(expanded, iris), _scalars(credential)
    if kept != stated:
        problems.append(f"{stated - kept} value(s) dropped: a term no context defines")
    problems += [f"not an absolute IRI: {iri}" for iri in sorted(iris) if not ABSOLUTE_IRI.match(iri)]
    problems += [f"issuer-dependent term: {iri}" for iri in sorted(iris) if "issuer-dependent" in iri]
    return problems


def _proof_configuration(credential: dict[str, Any]) -> dict[str, Any]:
    """openbadgeslib's context validation checks a document and its proof configuration together;
    ours is a JWT, so this is the configuration a Data Integrity proof of it would have."""
    return {"@context": credential["@context"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": credential["validFrom"], "proofPurpose": "assertionMethod",
            "verificationMethod": f"{credential['issuer']['id']}#key"}


def test_every_term_is_defined_by_the_official_ob3_and_vc2_contexts(client, world, login, done):  # noqa: F811
    tokens = _all_issued(client, world, login, done)
    for name, token in tokens.items():
        row = db.session.query(IssuedCredential).filter_by(jwt=token).one()
        suffix = "programme" if row.unit_id is None else f"unit/{row.unit_id}"
        credential = client.get(f"/credentials/mine/{suffix}.json").get_json()
        assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                          "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]
        assert term_problems(credential) == [], name
        validate_document(credential, _proof_configuration(credential), document_loader(), jsonld)
        # The JWT payload (the credential plus the registered claims) is well-formed JSON-LD too.
        payload = jwt.decode(token, options={"verify_signature": False})
        assert term_problems(payload) == [], name
    for url in ("/credentials/status/revocation", "/credentials/status/se/revocation"):
        status = client.get(url, query_string={"format": "json"}).get_json()
        assert term_problems(status) == [], url
    issuer = client.get("/credentials/issuer/se").get_json()
    assert term_problems(issuer) == []


def test_the_term_check_catches_an_undefined_term_and_a_missing_context(client, world, login, done):  # noqa: F811
    """The check above can fail: an invented term is dropped, and without the extensions context
    the credentialSchema type is no IRI at all."""
    login(world.trainee)
    credential = client.get("/credentials/mine/programme.json").get_json()
    invented = json.loads(json.dumps(credential))
    invented["credentialSubject"]["favouriteColour"] = "blue"
    assert term_problems(invented) == ["1 value(s) dropped: a term no context defines"]
    without_extensions = {**credential, "@context": credential["@context"][:2]}
    assert term_problems(without_extensions) == ["not an absolute IRI: 1EdTechJsonSchemaValidator2019"]
    with pytest.raises(OB3VerificationError):
        validate_document(without_extensions, _proof_configuration(without_extensions), document_loader(), jsonld)
