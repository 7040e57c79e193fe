"""LTI Assignment and Grade Services: a trainee launched with a line item who completes the
activity gets "Completed, 1/1" sent to the platform, after the commit, signed with our key."""
from __future__ import annotations

import json

import jwt
import pytest
from sqlalchemy import select

from app.extensions import db
from app.lti import grades, keys
from app.models import Activity, LtiGradeLink, LtiScore, OutboxStatus, User
from app.services import progress
from app.timeutil import utcnow

from .lti_platform import Platform
from .programme_data import build_programme

LINEITEM = "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1"
AGS = {"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
    "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitem": LINEITEM}}


class FakeResponse:
    def __init__(self, status: int, body: dict) -> None:
        self.status_code, self.ok, self._body, self.headers = status, status < 400, body, {}
        self.text = json.dumps(body)
        self.content = self.text.encode()

    def json(self) -> dict:
        return self._body


class PlatformServices:
    """The platform's token and score endpoints, as a requests.Session."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, object, dict]] = []
        self.fail = fail

    def request(self, *args, **kwargs):  # replaced by grades' timeout wrapper, which calls this
        raise AssertionError("only post is used")

    def post(self, url, data=None, headers=None, **_):
        self.calls.append((url, data, headers or {}))
        if self.fail:
            return FakeResponse(503, {"error": "down"})
        if url.endswith("/token.php"):
            return FakeResponse(200, {"access_token": "platform-access-token", "expires_in": 3600})
        return FakeResponse(200, {})


@pytest.fixture
def activity(factory) -> Activity:
    run = factory.run("AGS run")
    cohort = factory.cohort(run, name="AGS cohort")
    built = build_programme(run=run)
    db.session.commit()
    activity = built.activities[0]
    activity.lti_cohort = cohort
    return activity


@pytest.fixture
def services(monkeypatch) -> PlatformServices:
    fake = PlatformServices()
    monkeypatch.setattr(grades, "http_session", lambda: fake)
    return fake


def _launch(client, platform, activity, **claims):
    custom = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"life_activity": activity.slug,
                                                                   "life_target": "/programme/"}}
    response = platform.launch(client, **custom, **AGS, **claims)
    assert response.status_code == 302
    return db.session.scalar(select(User).where(User.email == "learner@uni.example"))


def test_a_completion_is_sent_as_a_score_to_the_line_item(app, client, activity, services):
    platform = Platform(activity.lti_cohort)
    user = _launch(client, platform, activity)
    assert services.calls == []  # nothing is sent at launch: nothing is done yet
    progress.mark_done(user, db.session.get(Activity, activity.id))
    assert services.calls == []  # not before the commit
    db.session.commit()
    (token_url, token_form, _), (score_url, score_body, headers) = services.calls
    assert token_url == platform.row.auth_token_url
    assertion = jwt.decode(token_form["client_assertion"], jwt.PyJWK(keys.jwks()["keys"][0]).key,
                           algorithms=["RS256"], audience=platform.row.auth_token_url)
    assert assertion["iss"] == platform.client_id
    assert score_url == LINEITEM.replace("/lineitem?", "/lineitem/scores?")
    assert headers["Authorization"] == "Bearer platform-access-token"
    assert headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    score = json.loads(score_body)
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert (score["scoreGiven"], score["scoreMaximum"], score["userId"]) == (1, 1, "moodle-user-1")
    link = db.session.scalar(select(LtiGradeLink))
    assert link.score_sent_at is not None
    score = db.session.scalar(select(LtiScore))
    assert (score.link_id, score.status, score.attempts) == (link.id, OutboxStatus.SENT, 1)
    # Done is done: marking it again sends nothing more.
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()
    assert len(services.calls) == 2


def test_a_failed_send_is_kept_and_tried_again(app, client, activity, monkeypatch):
    platform = Platform(activity.lti_cohort)
    user = _launch(client, platform, activity)
    down = PlatformServices(fail=True)
    monkeypatch.setattr(grades, "http_session", lambda: down)
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()  # the failure does not reach the caller
    score = db.session.scalar(select(LtiScore))
    assert (score.status, score.attempts) == (OutboxStatus.PENDING, 1) and score.last_error
    assert db.session.scalar(select(LtiGradeLink)).score_sent_at is None
    up = PlatformServices()
    monkeypatch.setattr(grades, "http_session", lambda: up)
    assert grades.send_due() == 0 and up.calls == []  # it waits for its next try (back-off)
    score.next_attempt_at = utcnow()
    db.session.commit()
    assert grades.send_due() == 1 and len(up.calls) == 2
    db.session.expire_all()
    assert db.session.get(LtiScore, score.id).status == OutboxStatus.SENT
    assert db.session.scalar(select(LtiGradeLink)).score_sent_at is not None


def test_a_score_given_up_shows_on_the_outbox_page_and_an_admin_sends_it_again(
        app, client, activity, monkeypatch, factory):
    platform = Platform(activity.lti_cohort)
    user = _launch(client, platform, activity)
    monkeypatch.setattr(grades, "http_session", lambda: PlatformServices(fail=True))
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()
    score = db.session.scalar(select(LtiScore))
    score.status, score.last_error = OutboxStatus.FAILED, "HTTPError: 503 down"  # past its last try
    db.session.commit()
    up = PlatformServices()
    monkeypatch.setattr(grades, "http_session", lambda: up)
    admin = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    staff = app.test_client()
    assert staff.post("/login", data={"email": admin.email, "password": factory.PASSWORD}).status_code == 302
    page = staff.get("/admin/outbox").get_data(as_text=True)
    assert "Grade scores (LTI)" in page and "HTTPError: 503 down" in page
    assert "Send the failed grade scores again" in page
    response = staff.post("/admin/outbox/lti/retry")
    assert response.status_code == 302
    response.close()  # the score leaves once the response has gone out
    db.session.expire_all()
    assert db.session.get(LtiScore, score.id).status == OutboxStatus.SENT and len(up.calls) == 2


def test_the_cron_line_sends_scores_that_are_due(app, client, activity, monkeypatch):
    platform = Platform(activity.lti_cohort)
    user = _launch(client, platform, activity)
    monkeypatch.setattr(grades, "http_session", lambda: PlatformServices(fail=True))
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()
    up = PlatformServices()
    monkeypatch.setattr(grades, "http_session", lambda: up)
    result = app.test_cli_runner().invoke(args=["outbox", "deliver", "--now"])
    assert result.exit_code == 0, result.output
    assert "1 grade score(s) sent to LTI platforms." in result.output and len(up.calls) == 2


def test_no_line_item_or_no_score_scope_sends_nothing(app, client, activity, services):
    platform = Platform(activity.lti_cohort)
    read_only = {"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"], "lineitem": LINEITEM}}
    custom = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"life_activity": activity.slug}}
    assert platform.launch(client, **custom, **read_only).status_code == 302
    user = db.session.scalar(select(User))
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()
    assert services.calls == [] and db.session.scalar(select(LtiGradeLink)) is None


def test_an_activity_done_before_the_launch_is_sent_at_the_launch(app, client, activity, services):
    platform = Platform(activity.lti_cohort)
    _launch(client, platform, activity)
    user = db.session.scalar(select(User))
    link = db.session.scalar(select(LtiGradeLink))
    db.session.delete(link)
    progress.mark_done(user, db.session.get(Activity, activity.id))
    db.session.commit()
    assert services.calls == []
    custom = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"life_activity": activity.slug}}
    response = platform.launch(client, **custom, **AGS)
    assert response.status_code == 302 and services.calls == []  # not inside the request
    response.close()  # the server closes the response once it has gone out: then the score leaves
    assert len(services.calls) == 2
