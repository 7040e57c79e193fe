"""Assignment and Grade Services: a trainee who launched an activity from a platform with a line
item gets "Completed, 1/1" in the platform's grade book when they complete it. The score waits
in lti_grade_link (score_pending) and is sent after the commit — by the RQ worker with REDIS_URL,
else by this process after the response — never inside the request."""
from __future__ import annotations

from typing import Any, Final

import requests
from flask import current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from .. import jobs
from ..delivery import after_the_view, default_mode
from ..extensions import db
from ..models import Activity, LtiGradeLink, LtiPlatform, User
from ..services.progress import activity_completed, completion_of
from ..timeutil import utcnow
from .provision import CLAIM
from .tool_config import registration

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MAX_ATTEMPTS = 5
HTTP_TIMEOUT_SECONDS = 10


def remember_line_item(platform: LtiPlatform, user: User, claims: dict[str, Any]) -> None:
    """At a trainee's resource launch: the activity named by the custom `life_activity` and the
    line item the platform gave, if it lets us post scores."""
    endpoint = claims.get(AGS_CLAIM)
    custom = claims.get(CLAIM + "custom")
    slug = custom.get("life_activity") if isinstance(custom, dict) else None
    if not isinstance(endpoint, dict) or not isinstance(slug, str) or SCORE_SCOPE not in (endpoint.get("scope") or []):
        return
    lineitem = endpoint.get("lineitem")
    activity = db.session.scalar(select(Activity).where(Activity.slug == slug[:80]))
    if not isinstance(lineitem, str) or not lineitem.startswith("https://") or len(lineitem) > 1000 or activity is None:
        return
    link = db.session.scalar(select(LtiGradeLink).where(LtiGradeLink.platform_id == platform.id,
                                                        LtiGradeLink.user_id == user.id,
                                                        LtiGradeLink.activity_id == activity.id))
    if link is None:
        link = LtiGradeLink(platform_id=platform.id, user_id=user.id, activity_id=activity.id,
                            subject=str(claims["sub"]), lineitem=lineitem)
        db.session.add(link)
    link.lineitem = lineitem
    completion = completion_of(user, activity)
    if completion is not None and completion.is_done and link.score_sent_at is None:
        _queue(link)


def _completed(user: User, activity: Activity, **_: Any) -> None:
    for link in db.session.scalars(select(LtiGradeLink).where(LtiGradeLink.user_id == user.id,
                                                             LtiGradeLink.activity_id == activity.id)):
        _queue(link)


def _queue(link: LtiGradeLink) -> None:
    from ..transaction import after_commit
    link.score_pending, link.score_attempts, link.last_error = True, 0, None
    after_commit(_flush, once="lti-scores")


def _flush() -> None:
    # A grade link keeps its own retries (score_pending, MAX_ATTEMPTS): only the sending after
    # the view, or by the worker, is shared.
    after_the_view(send_pending, lambda: jobs.enqueue("app.lti.grades.send_job"), default_mode())


def send_job() -> int:
    return jobs.in_app_context(send_pending)


def http_session() -> requests.Session:
    """The connection to the platforms (tests replace it with their simulator)."""
    return requests.Session()


def send_pending(limit: int = 200) -> int:
    """Send every pending score; a failure is kept with its reason and tried again next time."""
    sent = 0
    links = db.session.scalars(select(LtiGradeLink).where(LtiGradeLink.score_pending.is_(True))
                               .order_by(LtiGradeLink.id).limit(limit)).all()
    for link in links:
        try:
            _send(link)
        except Exception as error:  # the platform's failure is recorded, never raised into the caller
            link.score_attempts += 1
            link.last_error = f"{type(error).__name__}: {error}"[:300]
            link.score_pending = link.score_attempts < MAX_ATTEMPTS
            current_app.logger.warning("lti: score for grade link %s not sent: %s", link.id, link.last_error)
        else:
            link.score_pending, link.score_sent_at, link.last_error = False, utcnow(), None
            sent += 1
        db.session.commit()
    return sent


def _send(link: LtiGradeLink) -> None:
    session = http_session()
    session.request = _with_timeout(session.request)  # type: ignore[method-assign]
    connector = ServiceConnector(registration(link.platform), session)
    service = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE], "lineitem": link.lineitem})
    grade = (Grade().set_score_given(1).set_score_maximum(1).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded").set_user_id(link.subject)
             .set_timestamp(utcnow().strftime("%Y-%m-%dT%H:%M:%S+00:00")))
    service.put_grade(grade)


def _with_timeout(request):
    def bounded(*args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return request(*args, **kwargs)
    return bounded


def init_app(app: Any) -> None:
    activity_completed.connect(_completed)
