"""The trainee's downloads, and the public side: the verification page of a credential, the
verify endpoint (form and JSON), the issuer profiles, the JWKS and the status list."""
from __future__ import annotations

import io
import json

import segno
from flask import Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from ..extensions import csrf, db
from ..input_guard import reads_json
from ..models import IssuedCredential
from ..services import meetings as meetings_service
from ..services import transcript as transcript_service
from . import bp, document, issuing, keys, signing, status_list
from .verification import verify

MAX_TOKEN = 64_000


def _download(row: IssuedCredential, fmt: str) -> Response:
    name = f"credential-{row.id}"
    if fmt == "json":
        payload = signing.credential_of(signing.verified_payload(row.jwt))
        response = Response(json.dumps(payload, indent=2, ensure_ascii=False), mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = Response(row.jwt, mimetype=signing.MEDIA_TYPE)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.jwt"'
    return response


def _own_transcript():
    transcript = transcript_service.transcript_for(current_user._get_current_object(),
                                                   meetings_service.today_for(current_user))
    if transcript is None:
        abort(404)
    return transcript


@bp.get("/credentials/mine/programme.<any(jwt, json):fmt>")
@login_required
def download_programme(fmt: str):
    transcript = _own_transcript()
    if not transcript.complete:
        abort(404)
    return _download(issuing.earned(transcript).programme or abort(404), fmt)


@bp.get("/credentials/mine/unit/<int:unit_id>.<any(jwt, json):fmt>")
@login_required
def download_unit(unit_id: int, fmt: str):
    transcript = _own_transcript()
    row = issuing.earned(transcript).units.get(unit_id)
    if row is None:
        abort(404)
    return _download(row, fmt)


def _row_or_404(credential_id: str) -> IssuedCredential:
    if len(credential_id) != 32 or not all(c in "0123456789abcdef" for c in credential_id):
        abort(404)
    return db.session.get(IssuedCredential, credential_id) or abort(404)


@bp.get("/credentials/<string(length=32):credential_id>")
def public_page(credential_id: str):
    row = _row_or_404(credential_id)
    outcome = verify(row.jwt)
    # A stored credential whose key was lost shows as not valid (outcome.credential is None).
    return render_template("credentials/public.html", row=row, outcome=outcome, credential=outcome.credential)


@bp.get("/credentials/<string(length=32):credential_id>/qr.svg")
def qr(credential_id: str):
    row = _row_or_404(credential_id)
    out = io.BytesIO()
    segno.make(document.credential_url(row.id), error="m").save(out, kind="svg", scale=4, border=2, dark="#000",
                                                               light="#fff", title="QR code")
    return Response(out.getvalue(), mimetype="image/svg+xml")


def _submitted_token() -> str:
    upload = request.files.get("file")
    token = upload.read(MAX_TOKEN + 1).decode("utf-8", "replace") if upload and upload.filename else ""
    token = (token or request.form.get("credential", "")).strip()
    return token[:MAX_TOKEN + 1]


@bp.route("/credentials/verify", methods=["GET", "POST"])
def verify_page():
    if request.method == "GET":
        return render_template("credentials/verify.html", outcome=None)
    token = _submitted_token()
    if not token or len(token) > MAX_TOKEN:
        return render_template("credentials/verify.html", outcome=None, empty=True), 400
    outcome = verify(token)
    holder = None
    if outcome.signature_valid and outcome.credential:
        # The person checking holds the credential: the name it carries may be shown.
        ids = outcome.credential.get("credentialSubject", {}).get("identifier", [])
        holder = next((i.get("identityHash") for i in ids if i.get("identityType") == "name"), None)
    return render_template("credentials/verify.html", outcome=outcome, holder=holder)


@bp.post("/credentials/verify.json")
@reads_json
@csrf.exempt
def verify_json():
    body = request.get_json(silent=True)
    token = body.get("credential") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN:
        return jsonify({"error": "Send {\"credential\": \"<the credential's JWT>\"}."}), 400
    return jsonify(verify(token).as_json())


@bp.get("/credentials/jwks.json")
def jwks():
    return jsonify(keys.jwks())


@bp.get("/credentials/keys/<string(maxlength=64):thumbprint>")
def signing_key_jwk(thumbprint: str):
    """What a credential's `kid` dereferences to: that one public key as a JWK."""
    found = next((k for k in keys.all_keys() if k.thumbprint == thumbprint), None)
    if found is None:
        abort(404)
    return jsonify(found.jwk())


@bp.get("/credentials/issuer/<string(maxlength=20):key>")
def issuer(key: str):
    profile = document.issuer_profile(key)
    if profile is None:
        abort(404)
    return jsonify({"@context": [document.VC_CONTEXT, document.OB_CONTEXT], **profile})


@bp.get("/credentials/status/revocation")
def status():
    """The platform's list: credentials issued before the lists were per issuer point here."""
    return _status_list(None)


@bp.get("/credentials/status/<string(maxlength=20):key>/revocation")
def issuer_status(key: str):
    return _status_list(key)


def _status_list(key: str | None) -> Response:
    credential = status_list.status_list_credential(key)
    if credential is None:
        abort(404)
    if request.args.get("format") == "json":
        return jsonify(credential)
    return Response(signing.sign(credential), mimetype=signing.MEDIA_TYPE)
