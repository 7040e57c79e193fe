"""Two-factor login: the second step answers everyone (without a password step first it sends
them to the login), enrolment and passkeys are each user's own, the reset is for admins."""
from . import everyone, only, signed_in

ROUTES = {
    ("auth.second_step", "GET"): everyone(),
    ("auth.second_step", "POST"): everyone(),
    # JSON for the page's script: without a password step first, 400 for everyone.
    ("auth.second_step_passkey_options", "POST"): everyone(400),
    ("auth.second_step_passkey", "POST"): everyone(400),
    # A login with the passkey alone: options for anyone, an empty answer refused (400).
    ("auth.passwordless_options", "POST"): everyone(),
    ("auth.passwordless_login", "POST"): everyone(400),
    ("auth.two_factor_setup", "GET"): signed_in(),
    ("auth.two_factor_setup", "POST"): signed_in(),
    ("auth.two_factor_qr", "GET"): signed_in(),
    # Without the password (and a code) nothing changes: 400 for everyone.
    ("auth.recovery_codes_new", "POST"): signed_in(400),
    ("auth.two_factor_disable", "POST"): signed_in(400),
    ("auth.passkey_register_options", "POST"): signed_in(),
    ("auth.passkey_register", "POST"): signed_in(400),
    # A passkey is its owner's (none of the personas: a persona with one could not log in here with
    # the password alone): anyone else gets 404, as if it did not exist.
    ("auth.passkey_delete", "POST"): only(denied="notfound", args={"passkey_id": "passkey.id"}),
    ("admin.user_two_factor_reset", "POST"): only("admin", args={"user_id": "trainee.id"}),
}


def setup(world):
    from app.extensions import db
    from app.models import Passkey

    from ..factories import Factory
    owner = Factory().user("Pat Passkey")
    passkey = Passkey(user_id=owner.id, credential_id="authz-passkey", public_key=b"\x00", name="Key")
    db.session.add(passkey)
    db.session.commit()
    return {"passkey": passkey}
