"""The REST API (app/api/) answers each persona as the page for the same data does; its routes
are called with the persona's token. The token pages are the account's, for every signed-in user."""
from app.api import auth
from app.api.scopes import SCOPES
from app.extensions import db

from . import PERSONAS, STATUS_VIEWERS, Rule, everyone, only, signed_in


def setup(world):
    tokens = {}
    for persona in PERSONAS[1:]:
        _token, secret = auth.issue(world.persona(persona), f"{persona} token", list(SCOPES), 30)
        tokens[persona] = secret
    own, _secret = auth.issue(world.trainee, "to revoke", list(SCOPES), 30)
    db.session.commit()
    return {"api_tokens": tokens, "trainee_api_token": own}


def api(rule: Rule) -> Rule:
    rule.bearer = True
    return rule


ROUTES = {
    ("api.openapi_document", "GET"): everyone(),
    ("api.docs", "GET"): everyone(),
    ("api.me", "GET"): api(signed_in()),
    # Staff with no programme of their own get 404, as the programme page says "no programme".
    ("api.programme", "GET"): api(only("trainee", "trainee_other", "facilitator", "facilitator_other",
                                       "national_coordinator", "transnational_coordinator", "admin")),
    ("api.my_progress", "GET"): api(only("trainee", "trainee_other", denied="notfound")),
    ("api.my_transcript", "GET"): api(only("trainee", "trainee_other", denied="notfound")),
    ("api.cohorts", "GET"): api(signed_in()),
    ("api.cohort_progress_page", "GET"): api(only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"})),
    # Administrators only; the matrix sends no CSV, so the admin's answer is 415.
    ("api.enrol", "POST"): api(Rule({**only().expect, "admin": 415}, args={"cohort_id": "cohort.id"})),
    # As the dashboard page: every member of staff, for the cohorts they follow.
    ("api.dashboard_table", "GET"): api(only(*STATUS_VIEWERS, "facilitator_other", args={"table": "cohorts"})),
    ("api.report", "GET"): api(only("national_coordinator", "transnational_coordinator", "admin")),
    ("api_tokens.index", "GET"): signed_in(),
    ("api_tokens.create", "POST"): signed_in(400),
    ("api_tokens.revoke", "POST"): only("trainee", denied="notfound", args={"token_id": "trainee_api_token.id"}),
}
