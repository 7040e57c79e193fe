"""Verifiable credentials: the downloads are each trainee's own (404 for anyone without the
earned credential: none of the personas has completed a programme), verification, the JWKS,
issuer profiles and the status list are public, revocation is for admins."""
from . import everyone, only, signed_in

ROUTES = {
    ("credentials.download_programme", "GET"): signed_in("notfound", args={"fmt": "jwt"}),
    ("credentials.download_unit", "GET"): signed_in("notfound", args={"unit_id": 1, "fmt": "jwt"}),
    ("credentials.public_page", "GET"): everyone(args={"credential_id": "credential.id"}),
    ("credentials.qr", "GET"): everyone(args={"credential_id": "credential.id"}),
    ("credentials.verify_page", "GET"): everyone(),
    # An empty submission: 400 for everyone, nothing else to reach.
    ("credentials.verify_page", "POST"): everyone(400),
    ("credentials.verify_json", "POST"): everyone(400),
    ("credentials.jwks", "GET"): everyone(),
    # No key of that thumbprint: 404 for everyone (the real ones are in the JWKS, public).
    ("credentials.signing_key_jwk", "GET"): everyone("notfound", args={"thumbprint": "no-such-key"}),
    ("credentials.issuer", "GET"): everyone(args={"key": "se"}),
    ("credentials.status", "GET"): everyone(),
    ("credentials.issuer_status", "GET"): everyone(args={"key": "se"}),
    ("credentials.admin_list", "GET"): only("admin"),
    # Without a reason nothing changes: the admin is sent back to the list (303).
    ("credentials.admin_revoke", "POST"): only("admin", args={"credential_id": "credential.id"}),
}


def setup(world):
    from app.extensions import db
    from app.models import IssuedCredential, Programme

    programme = Programme(slug="authz-credentials", title="P", version="1", total_hours=0, duration_months=12)
    db.session.add(programme)
    db.session.flush()
    credential = IssuedCredential(id="0" * 31 + "1", user_id=world.trainee.id, programme_id=programme.id,
                                  status_index=99_999, jwt="x.y.z")
    db.session.add(credential)
    db.session.commit()
    return {"credential": credential}
