"""The REST API: tokens made on the account page, problem details, paging, ETags, the rate limit
per token, the OpenAPI document, and data authorised as on the pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from limits import parse
from openapi_spec_validator import validate
from sqlalchemy import select

from app.api import auth
from app.api.scopes import COHORTS_READ, PROGRAMME_READ, PROGRESS_READ, SCOPES
from app.extensions import db
from app.models import ApiToken
from app.security import token_digest
from app.timeutil import utcnow

from .programme_data import build_programme, complete


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_for(user, scopes=tuple(SCOPES), days: int = 30) -> str:
    _token, secret = auth.issue(user, "test", list(scopes), days)
    db.session.commit()
    return secret


def test_openapi_document_is_valid_and_describes_every_api_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    assert document["openapi"].startswith("3.1")
    described = set(document["paths"])
    routes = {re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", str(rule)) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi_document", "api.docs")}
    assert routes and routes == described
    assert document["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_uses_vendored_swagger_ui(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_token_is_made_on_the_account_page_shown_once_and_stored_hashed(client, world, login):
    login(world.trainee)
    assert "API tokens" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/api-tokens/", data={"name": "Moodle sync", "scopes": [PROGRESS_READ],
                                                        "days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(life_[^"]+)"', response.get_data(as_text=True)).group(1)
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.trainee.id)).one()
    assert stored.token_hash == token_digest(secret) and secret not in (stored.prefix, stored.token_hash)
    assert secret not in client.get("/account/api-tokens/").get_data(as_text=True)

    answer = client.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200
    assert answer.get_json()["email"] == world.trainee.email
    assert answer.get_json()["scopes"] == [PROGRESS_READ]

    assert client.post(f"/account/api-tokens/{stored.id}/revoke").status_code == 302
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"


@pytest.mark.parametrize("form, message", [
    ({"name": "", "scopes": [PROGRESS_READ], "days": "30"}, "This field is required"),
    ({"name": "x", "days": "30"}, "Choose at least one"),
    ({"name": "x", "scopes": ["admin:everything"], "days": "30"}, "is not a valid choice"),
    ({"name": "x", "scopes": [PROGRESS_READ], "days": "400"}, "Number must be between 1 and 366"),
    ({"name": "line\nbreak", "scopes": [PROGRESS_READ], "days": "30"}, "line"),
])
def test_bad_token_form_says_why_and_stores_nothing(client, world, login, form, message):
    login(world.trainee)
    response = client.post("/account/api-tokens/", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_someone_elses_token_cannot_be_revoked(client, world, login):
    token, _secret = auth.issue(world.trainee, "mine", [PROGRESS_READ], 30)
    db.session.commit()
    login(world.trainee_other)
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer " + "x" * 5000}])
def test_no_valid_token_is_401_problem_with_challenge(client, world, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["instance"] == "/api/v1/me"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_alone_never_authenticates_the_api(client, world, login):
    login(world.admin)
    assert client.get("/api/v1/me").status_code == 401
    assert "Set-Cookie" not in client.get("/api/v1/me", headers=bearer(token_for(world.admin))).headers


def test_expired_token_and_deactivated_owner_are_refused(client, world):
    secret = token_for(world.trainee)
    token = db.session.scalars(select(ApiToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    other = token_for(world.facilitator)
    world.facilitator.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_a_token_without_the_scope_gets_403(client, world):
    secret = token_for(world.facilitator, scopes=[PROGRESS_READ])
    response = client.get("/api/v1/cohorts", headers=bearer(secret))
    assert response.status_code == 403
    assert 'scope="cohorts:read"' in response.headers["WWW-Authenticate"]


def test_cohorts_are_those_the_pages_show(client, world):
    def names(user):
        body = client.get("/api/v1/cohorts", headers=bearer(token_for(user, [COHORTS_READ]))).get_json()
        return {c["name"] for c in body["items"]}
    assert names(world.facilitator) == {"Sweden pilot"}
    assert names(world.national_coordinator) == {"Sweden pilot"}
    assert names(world.trainee) == set()
    assert names(world.transnational_coordinator) == {"Sweden pilot", "Norway pilot", "Transnational pilot"}
    other = client.get(f"/api/v1/cohorts/{world.other_cohort.id}/progress",
                       headers=bearer(token_for(world.facilitator, [COHORTS_READ])))
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    missing = client.get("/api/v1/cohorts/999999/progress", headers=bearer(token_for(world.admin, [COHORTS_READ])))
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_pages_carry_totals_and_links(client, world):
    secret = token_for(world.admin, [COHORTS_READ])
    first = client.get("/api/v1/cohorts?per_page=2", headers=bearer(secret))
    body = first.get_json()
    assert body["page"]["total"] == 3 and len(body["items"]) == 2
    assert body["page"]["next"].endswith("/api/v1/cohorts?page=2&per_page=2") and body["page"]["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    second = client.get("/api/v1/cohorts?page=2&per_page=2", headers=bearer(secret)).get_json()
    assert len(second["items"]) == 1 and second["page"]["next"] is None
    assert {c["id"] for c in body["items"]}.isdisjoint({c["id"] for c in second["items"]})


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=abc", "page=0", "page=1&extra=1",
                                   "page=99999999999999999999"])
def test_bad_paging_is_a_400_problem(client, world, query):
    response = client.get(f"/api/v1/cohorts?{query}", headers=bearer(token_for(world.admin, [COHORTS_READ])))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_etag_answers_304_when_nothing_changed(client, world):
    secret = token_for(world.admin, [COHORTS_READ])
    first = client.get("/api/v1/cohorts", headers=bearer(secret))
    etag = first.headers["ETag"]
    again = client.get("/api/v1/cohorts", headers={**bearer(secret), "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    world.cohort.name = "Sweden pilot, renamed"
    db.session.commit()
    changed = client.get("/api/v1/cohorts", headers={**bearer(secret), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_rate_limit_per_token(client, world, app):
    saved = app.extensions["life_api_limiter"]
    limiter, _item = saved
    limiter.storage.reset()
    app.extensions["life_api_limiter"] = (limiter, parse("3 per minute"))
    try:
        one, other = token_for(world.trainee), token_for(world.trainee)
        answers = [client.get("/api/v1/me", headers=bearer(one)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["RateLimit-Limit"] == "3" and answers[2].headers["RateLimit-Remaining"] == "0"
        assert int(answers[3].headers["Retry-After"]) >= 1
        assert answers[3].mimetype == "application/problem+json"
        assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200  # its own budget
    finally:
        app.extensions["life_api_limiter"] = saved
        limiter.storage.reset()


def test_unknown_api_address_and_method_are_problems(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.post("/api/v1/me")
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"


def test_my_progress_and_transcript_match_the_programme(client, world):
    built = build_programme(2, 2, run=world.run)
    complete(world.trainee, built.modules[0].activities[0])
    db.session.commit()
    secret = token_for(world.trainee, [PROGRESS_READ, PROGRAMME_READ])
    programme = client.get("/api/v1/programme", headers=bearer(secret)).get_json()
    assert [m["slug"] for m in programme["modules"]] == [m.slug for m in built.modules]
    progress = client.get("/api/v1/me/progress", headers=bearer(secret)).get_json()
    assert progress["hours"]["done_total"] == "1"
    assert progress["modules"][0]["status"] == "in_progress" and progress["modules"][0]["required_done"] == 1
    transcript = client.get("/api/v1/me/transcript", headers=bearer(secret))
    assert transcript.status_code == 200
    assert transcript.get_json()["learner"] == world.trainee.name
    cohort = client.get(f"/api/v1/cohorts/{world.cohort.id}/progress",
                        headers=bearer(token_for(world.facilitator, [COHORTS_READ]))).get_json()
    mine = next(t for t in cohort["items"] if t["user_id"] == world.trainee.id)
    assert mine["hours_done"] == "1" and mine["required_done"] == 1


def test_staff_have_no_progress_of_their_own(client, world):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    response = client.get("/api/v1/me/progress", headers=bearer(token_for(world.facilitator)))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_erasure_deletes_tokens_and_export_lists_them(client, world):
    from app.services import privacy
    secret = token_for(world.trainee)
    assert privacy.export_data(world.trainee)["core"]["api_tokens"][0]["name"] == "test"
    privacy.erase(world.trainee, by=world.admin)
    db.session.commit()
    assert db.session.scalar(select(ApiToken.id)) is None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


CSV = "email,name,role,country,language\r\nana.pereira@example.org,Ana Pereira,trainee,SE,\r\n"


def test_admin_enrols_from_csv_and_invitations_go_out(client, world, outbox):
    from app.models import Membership, User
    secret = token_for(world.admin, ["enrolments:write"])
    response = client.post(f"/api/v1/cohorts/{world.cohort.id}/enrolments", data=CSV.encode(),
                           headers={**bearer(secret), "Content-Type": "text/csv"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"created": ["ana.pereira@example.org"], "enrolled": [], "skipped": []}
    ana = db.session.scalars(select(User).where(User.email == "ana.pereira@example.org")).one()
    assert db.session.scalars(select(Membership).where(Membership.user_id == ana.id)).one().cohort_id == world.cohort.id
    again = client.post(f"/api/v1/cohorts/{world.cohort.id}/enrolments", data=CSV.encode(),
                        headers={**bearer(secret), "Content-Type": "text/csv"})
    assert again.get_json()["skipped"] == ["ana.pereira@example.org"]


def test_one_bad_row_and_nothing_is_enrolled(client, world):
    from app.models import User
    bad = CSV + "not-an-address,Someone,trainee,SE,\r\nbo@example.org,Bo,astronaut,SE,\r\n"
    response = client.post(f"/api/v1/cohorts/{world.cohort.id}/enrolments", data=bad.encode(),
                           headers={**bearer(token_for(world.admin, ["enrolments:write"])), "Content-Type": "text/csv"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    lines = [p["line"] for p in response.get_json()["problems"]]
    assert lines == [3, 4]
    assert db.session.scalars(select(User).where(User.email == "ana.pereira@example.org")).first() is None


def test_only_admins_enrol_and_only_csv(client, world):
    url = f"/api/v1/cohorts/{world.cohort.id}/enrolments"
    for user in (world.national_coordinator, world.facilitator, world.transnational_coordinator):
        answer = client.post(url, data=CSV.encode(), headers={**bearer(token_for(user, ["enrolments:write"])),
                                                            "Content-Type": "text/csv"})
        assert answer.status_code == 403
    admin = bearer(token_for(world.admin, ["enrolments:write"]))
    assert client.post(url, json={"email": "x"}, headers=admin).status_code == 415
    assert client.post("/api/v1/cohorts/999999/enrolments", data=CSV.encode(),
                       headers={**admin, "Content-Type": "text/csv"}).status_code == 404
    no_scope = bearer(token_for(world.admin, [COHORTS_READ]))
    assert client.post(url, data=CSV.encode(), headers={**no_scope, "Content-Type": "text/csv"}).status_code == 403


def test_dashboard_tables_follow_the_page_scope(client, world):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    secret = bearer(token_for(world.national_coordinator, [COHORTS_READ]))
    mine = client.get("/api/v1/dashboard/cohorts", headers=secret)
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["columns"][0] == "cohort" and {r[0] for r in body["rows"]} == {"Sweden pilot"}
    every = client.get("/api/v1/dashboard/cohorts", headers=bearer(token_for(world.admin, [COHORTS_READ]))).get_json()
    assert {r[0] for r in every["rows"]} == {"Sweden pilot", "Norway pilot", "Transnational pilot"}
    assert client.get("/api/v1/dashboard/cohorts?country=NO", headers=secret).status_code == 404
    assert client.get("/api/v1/dashboard/cohorts?country=NOR", headers=secret).status_code == 400
    assert client.get("/api/v1/dashboard/secrets", headers=secret).status_code == 404
    assert client.get("/api/v1/dashboard/cohorts", headers=bearer(token_for(world.trainee, [COHORTS_READ]))
                      ).status_code == 403


def test_report_is_the_report_page_s_figures_for_coordinators(client, world):
    from app.services import report as report_service
    build_programme(1, 1, run=world.run)
    db.session.commit()
    every = client.get("/api/v1/report", headers=bearer(token_for(world.admin, [COHORTS_READ])))
    assert every.status_code == 200, every.get_data(as_text=True)
    body = every.get_json()
    expected = report_service.build(world.run, utcnow().date())
    assert body["run"] == world.run.name
    assert {c["country"] for c in body["countries"]} == {c.label for c in expected.countries}
    assert sum(c["started"] for c in body["countries"]) == expected.total.started
    national = client.get("/api/v1/report", headers=bearer(token_for(world.national_coordinator, [COHORTS_READ])))
    assert national.status_code == 200
    labels = {c["country"] for c in national.get_json()["countries"]}
    assert labels and all("Norway" not in label for label in labels)
    assert client.get("/api/v1/report?run=999999", headers=bearer(token_for(world.admin, [COHORTS_READ]))
                      ).status_code == 404
    assert client.get("/api/v1/report?run=x", headers=bearer(token_for(world.admin, [COHORTS_READ]))
                      ).status_code == 400
    assert client.get("/api/v1/report", headers=bearer(token_for(world.facilitator, [COHORTS_READ]))
                      ).status_code == 403
