"""Verifiable credentials (Open Badges 3.0 as JWT-VC, Ed25519): issued through the transcript once
earned, verified publicly, a tampered one refused, revocation in the status list, the QR code."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import jwt
import pytest
from jsonschema import Draft201909Validator

from app.credentials import keys, status_list
from app.credentials.verification import SCHEMA_PATH
from app.extensions import db
from app.models import AuditEvent, IssuedCredential

from .programme_data import complete
from .test_transcript import _programme


def _complete_all(world, built):
    for module in built.modules:
        for activity in module.activities:
            complete(world.trainee, activity)
    db.session.commit()


@pytest.fixture
def done(world):
    built = _programme(world)
    built.programme.eqf_level = 6
    built.modules[1].ecvet_unit.eqf_level = 5
    _complete_all(world, built)
    return built


def _public_key(client, token: str):
    """The key the JWT's kid names, from the published JWKS (as any verifier would find it)."""
    kid = jwt.get_unverified_header(token)["kid"].rpartition("/")[2]
    jwks = client.get("/credentials/jwks.json").get_json()
    return jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key


def test_programme_credential_is_ob3_signed_and_verifies(client, world, login, done):
    login(world.trainee)
    page = client.get("/programme/transcript").get_data(as_text=True)
    assert page.count("Download credential") == 3  # programme and its two units
    token = client.get("/credentials/mine/programme.jwt")
    assert token.status_code == 200 and token.mimetype == "application/vc+jwt"
    text = token.get_data(as_text=True)
    header = jwt.get_unverified_header(text)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": header["kid"]}  # OB 3.0 allows no other header
    jwks = client.get("/credentials/jwks.json").get_json()
    assert header["kid"].rpartition("/")[2] in {k["kid"] for k in jwks["keys"]}
    # The kid dereferences to the JWK itself (OB 3.0 section 8.2.4.1).
    assert client.get(urlsplit(header["kid"]).path).get_json() in jwks["keys"]
    credential = jwt.decode(text, _public_key(client, text), algorithms=["EdDSA"])
    schema = json.loads(SCHEMA_PATH.read_text())
    assert list(Draft201909Validator(schema).iter_errors(credential)) == []
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]
    # Without the context that defines its credentialSchema type, our schema refuses it.
    assert list(Draft201909Validator(schema).iter_errors({**credential, "@context": credential["@context"][:2]}))
    # OB 3.0 section 8.2: the JWT registered claims repeat issuer, id and validFrom.
    assert credential["iss"] == credential["issuer"]["id"] and credential["jti"] == credential["id"]
    assert credential["nbf"] == int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["alignment"][0]["targetCode"] == "6" and achievement["creditsAvailable"] == 3.5
    assert "Explains the Knowledge Triangle." in achievement["criteria"]["narrative"]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Tina Trainee"
    as_json = client.get("/credentials/mine/programme.json").get_json()
    # The same credential, not a second one (the JSON leaves out the JWT's registered claims).
    assert as_json == {k: v for k, v in credential.items() if k not in ("iss", "jti", "nbf")}
    result = client.post("/credentials/verify.json", json={"credential": text}).get_json()
    assert result["valid"] and result["signature_valid"] and result["schema_valid"] and not result["revoked"]
    unit = client.get(f"/credentials/mine/unit/{done.modules[1].ecvet_unit.id}.json").get_json()
    assert unit["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] == "5"  # the unit's own level
    assert unit["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert unit["credentialSubject"]["result"][0]["value"] == "2"  # U2: two 1-hour readings, no meeting


def test_a_tampered_credential_fails(client, world, login, done):
    login(world.trainee)
    text = client.get("/credentials/mine/programme.jwt").get_data(as_text=True)
    head, payload, signature = text.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 60
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = client.post("/credentials/verify.json", json={"credential": f"{head}.{forged}.{signature}"}).get_json()
    assert not result["valid"] and not result["signature_valid"] and result["credential"] is None
    page = client.post("/credentials/verify", data={"credential": f"{head}.{forged}.{signature}"})
    assert "Not valid" in page.get_data(as_text=True) and "Holder" not in page.get_data(as_text=True)
    ok = client.post("/credentials/verify", data={"credential": text}).get_data(as_text=True)
    assert "Valid" in ok and "Holder:</strong> Tina Trainee" in ok  # the name: only to whoever holds it


def test_revoked_credential_shows_revoked_and_is_in_the_status_list(client, world, login, done):
    login(world.trainee)
    text = client.get("/credentials/mine/programme.jwt").get_data(as_text=True)
    row = db.session.query(IssuedCredential).filter_by(unit_id=None).one()
    public = client.get(f"/credentials/{row.id}").get_data(as_text=True)
    assert "<strong>Valid</strong>" in public and "Holder" not in public
    client.post("/logout")
    login(world.admin)
    refused = client.post(f"/admin/credentials/{row.id}/revoke", data={"reason": ""})
    assert refused.status_code == 303 and db.session.get(IssuedCredential, row.id).revoked_at is None
    client.post(f"/admin/credentials/{row.id}/revoke", data={"reason": "Issued in error"})
    db.session.expire_all()
    assert db.session.get(IssuedCredential, row.id).revoked_at is not None
    assert db.session.query(AuditEvent).filter_by(action="credential.revoke").count() == 1
    assert "Revoked" in client.get(f"/credentials/{row.id}").get_data(as_text=True)
    assert client.post("/credentials/verify.json", json={"credential": text}).get_json()["revoked"] is True
    listed = client.get("/credentials/status/revocation")
    listed_jwt = listed.get_data(as_text=True)
    status = jwt.decode(listed_jwt, _public_key(client, listed_jwt), algorithms=["EdDSA"])
    bits = status_list.decode(status["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == status_list.SIZE
    assert status_list.is_set(bits, row.status_index)
    others = [r.status_index for r in db.session.query(IssuedCredential).filter(IssuedCredential.id != row.id)]
    assert others and not any(status_list.is_set(bits, i) for i in others)


def test_no_credential_before_completion_and_only_the_owner_downloads(client, world, login):
    built = _programme(world)
    for activity in built.modules[0].activities:  # unit U1 only
        complete(world.trainee, activity)
    db.session.commit()
    login(world.trainee)
    page = client.get("/programme/transcript").get_data(as_text=True)
    assert "No credential is issued for the programme yet" in page
    assert client.get("/credentials/mine/programme.jwt").status_code == 404
    u1, u2 = built.modules[0].ecvet_unit, built.modules[1].ecvet_unit
    assert client.get(f"/credentials/mine/unit/{u1.id}.jwt").status_code == 200
    assert client.get(f"/credentials/mine/unit/{u2.id}.jwt").status_code == 404
    client.post("/logout")
    login(world.trainee_other)
    assert client.get(f"/credentials/mine/unit/{u1.id}.jwt").status_code == 404


def test_printed_transcript_carries_a_qr_code_to_the_verification_page(client, world, login, done):
    login(world.trainee)
    page = client.get("/programme/transcript").get_data(as_text=True)
    row = db.session.query(IssuedCredential).filter_by(unit_id=None).one()
    assert re.search(rf'<img src="/credentials/{row.id}/qr.svg"', page)
    assert f"/credentials/{row.id}</a>" in page
    svg = client.get(f"/credentials/{row.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_key_rotation_keeps_old_credentials_verifiable(client, world, login, done, app):
    login(world.trainee)
    text = client.get("/credentials/mine/programme.jwt").get_data(as_text=True)
    before = len(keys.all_keys())
    result = app.test_cli_runner().invoke(args=["credentials", "rotate-key"])
    assert result.exit_code == 0 and "New signing key" in result.output
    assert len(client.get("/credentials/jwks.json").get_json()["keys"]) == before + 1
    assert client.post("/credentials/verify.json", json={"credential": text}).get_json()["valid"]
    newer = client.get("/credentials/status/revocation").get_data(as_text=True)  # signed afresh
    assert jwt.get_unverified_header(newer)["kid"].endswith(keys.all_keys()[-1].thumbprint)
    for path in keys.key_dir().glob("*.pem"):
        assert path.stat().st_mode & 0o777 == 0o600


def test_verify_accepts_an_uploaded_file_and_refuses_empty_input(client, world, login, done):
    import io
    login(world.trainee)
    text = client.get("/credentials/mine/programme.jwt").get_data(as_text=True)
    client.post("/logout")
    page = client.post("/credentials/verify", data={"file": (io.BytesIO(text.encode()), "credential.jwt")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "<strong>Valid</strong>" in page.get_data(as_text=True)
    assert client.post("/credentials/verify", data={"credential": ""}).status_code == 400
    assert client.post("/credentials/verify.json", json={"credential": "not-a-jwt"}).get_json()["valid"] is False
    assert client.post("/credentials/verify.json", data="x").status_code == 400


def test_revocation_needs_a_one_line_reason(client, world, login, done):
    login(world.trainee)
    client.get("/programme/transcript")
    row = db.session.query(IssuedCredential).filter_by(unit_id=None).one()
    client.post("/logout")
    login(world.admin)
    listing = client.get("/admin/credentials").get_data(as_text=True)
    assert "Tina Trainee" in listing and f"/admin/credentials/{row.id}/revoke" in listing
    response = client.post(f"/admin/credentials/{row.id}/revoke", data={"reason": "one\ntwo"}, follow_redirects=True)
    assert "Give a reason for the revocation" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(IssuedCredential, row.id).revoked_at is None


def test_eqf_level_is_declared_in_content_and_validated(app, tmp_path):
    from app.models import Programme

    from .test_content_import import PROGRAMME, run, write_tree
    assert "duration_months: 12\n" in PROGRAMME
    bad = write_tree(tmp_path / "bad", {"programme.yaml": PROGRAMME.replace("duration_months: 12\n",
                                                                            "duration_months: 12\neqf_level: 9\n")})
    result = run(app, "check", "--path", str(bad))
    assert "'eqf_level' must be a whole number from 1 to 8" in result.output and result.exit_code != 0
    good = write_tree(tmp_path / "good", {"programme.yaml": PROGRAMME.replace("duration_months: 12\n",
                                                                              "duration_months: 12\neqf_level: 5\n")})
    result = run(app, "import", "--path", str(good))
    assert result.exit_code == 0, result.output
    assert db.session.query(Programme).filter_by(eqf_level=5).count() == 1


def test_a_credential_signed_with_the_older_kid_form_still_verifies(client, world, login, done):
    """Before the kid was the JWK's own URL it named the key as a fragment of the JWKS; those
    credentials are out there and keep verifying."""
    from app.credentials.signing import jwks_url
    login(world.trainee)
    text = client.get("/credentials/mine/programme.jwt").get_data(as_text=True)
    claims = jwt.decode(text, options={"verify_signature": False})
    key = keys.signing_key()
    older = jwt.encode(claims, key.private, algorithm="EdDSA",
                       headers={"typ": "vc+jwt", "kid": f"{jwks_url()}#{key.thumbprint}"})
    result = client.post("/credentials/verify.json", json={"credential": older}).get_json()
    assert result["signature_valid"] and result["valid"]
    stranger = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": "https://elsewhere.example/k"})
    assert client.post("/credentials/verify.json", json={"credential": stranger}).get_json()["signature_valid"] is False
