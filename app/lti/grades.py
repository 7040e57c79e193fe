"""Assignment and Grade Services: a trainee who launched an activity from a platform with a line
item gets "Completed, 1/1" in the platform's grade book when they complete it. The score waits
as an lti_score row and is sent after the commit — by the RQ worker with REDIS_URL, else by this
process after the response — never inside the request. Sending, claiming and retrying are the
outbox's (app/delivery.py); a score is a PUT of the same state, harmless to repeat, so one whose
send was interrupted goes again."""
from __future__ import annotations

from typing import Any, Final

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from ..delivery import Delivery, after_the_view, default_mode
from ..extensions import db
from ..models import Activity, LtiGradeLink, LtiPlatform, LtiScore, OutboxStatus, User
from ..services.progress import activity_completed, completion_of
from ..timeutil import utcnow
from .provision import CLAIM
from .tool_config import registration

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
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
    """A score for the link, in the caller's transaction; one that is already waiting will do."""
    from ..transaction import after_commit
    if link.id is not None and db.session.scalar(select(LtiScore.id).where(
            LtiScore.link_id == link.id, LtiScore.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))):
        return
    db.session.add(LtiScore(link=link, next_attempt_at=utcnow()))
    after_commit(_flush, once="lti-scores")


def _flush() -> None:
    after_the_view(send_due, SCORES.enqueue, default_mode())


def send_later() -> None:
    """Send what is due once the current request (or command) is done, as after a commit."""
    _flush()


def send_job() -> int:
    """The RQ job: send the scores that are due, then queue itself again for the next one."""
    return SCORES.job()


def http_session() -> requests.Session:
    """The connection to the platforms (tests replace it with their simulator)."""
    return requests.Session()


def send_due(limit: int | None = None) -> int:
    """Send every score whose time has come; a failure is kept with its reason and tried again
    later (app/delivery.py BACKOFF), then failed."""
    return SCORES.send_due(limit)


def _send(score: LtiScore) -> None:
    link = score.link
    session = http_session()
    session.request = _with_timeout(session.request)  # type: ignore[method-assign]
    connector = ServiceConnector(registration(link.platform), session)
    service = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE], "lineitem": link.lineitem})
    grade = (Grade().set_score_given(1).set_score_maximum(1).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded").set_user_id(link.subject)
             .set_timestamp(utcnow().strftime("%Y-%m-%dT%H:%M:%S+00:00")))
    service.put_grade(grade)
    link.score_sent_at = utcnow()  # committed with the score's "sent"


SCORES = Delivery(LtiScore, job="app.lti.grades.send_job", send=_send, order_by=LtiScore.id, batch=200,
                  resend_interrupted=True,
                  not_sent=lambda score: f"lti: score {score.id} for grade link {score.link_id} not sent")


def _with_timeout(request):
    def bounded(*args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return request(*args, **kwargs)
    return bounded


def init_app(app: Any) -> None:
    activity_completed.connect(_completed)
