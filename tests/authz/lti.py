"""LTI 1.3: the routes a platform calls answer everyone alike (without a valid LTI message, 400;
the JWKS is public); the deep-linking page needs a deep-linking launch in the session (400
without one); the registrations are for admins."""
from . import PERSONAS, SIGNED_IN, Rule, everyone, only, signed_in

ROUTES = {
    ("lti.jwks", "GET"): everyone(),
    ("lti.login", "GET"): everyone(400),
    ("lti.login", "POST"): everyone(400),
    ("lti.launch", "POST"): everyone(400),
    ("lti.deep_link", "GET"): signed_in(400),
    ("lti.deep_link", "POST"): signed_in(400),
    ("admin.lti_platforms", "GET"): only("admin"),
    # An empty form: the admin gets the page back with its messages (400), everyone else no page.
    ("admin.lti_platforms", "POST"): Rule({**{p: "forbidden" for p in SIGNED_IN}, "anonymous": "login",
                                           "admin": 400}),
    ("admin.lti_platform_delete", "POST"): only("admin", args={"platform_id": "lti_platform.id"}),
}
assert set(ROUTES[("admin.lti_platforms", "POST")].expect) == set(PERSONAS)


def setup(world):
    from app.extensions import db
    from app.models import LtiPlatform

    site = "https://moodle.authz.example"
    platform = LtiPlatform(name="Authz Moodle", issuer=site, client_id="authz", auth_login_url=site + "/auth",
                           auth_token_url=site + "/token", key_set_url=site + "/jwks", deployment_ids=["1"],
                           cohort_id=world.cohort.id)
    db.session.add(platform)
    db.session.commit()
    return {"lti_platform": platform}
