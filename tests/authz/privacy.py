"""Data-protection rights: every signed-in user has their own; erasing is for admins only."""
from . import everyone, only, signed_in

ROUTES = {
    ("privacy.notice", "GET"): everyone(),
    ("privacy.my_data", "GET"): signed_in(),
    ("privacy.download", "GET"): signed_in(),
    # Without the password and the tick the request is refused (400): nobody gets further.
    ("privacy.request_erasure", "POST"): signed_in(400),
    ("privacy.withdraw_erasure", "POST"): signed_in(),
    ("privacy.erasure_requests", "GET"): only("admin"),
    # Without the typed e-mail nothing is erased: the admin is sent back to the user's page.
    ("privacy.erase_user", "POST"): only("admin", args={"user_id": "trainee.id"}),
}
