"""Learning records: an xAPI statement for each completion and each hand-in, sent to the LRS at
XAPI_ENDPOINT (off while it is unset).

The statement is written to `xapi_statement` in the transaction of the work that caused it and
sent after the commit, as LTI scores are (app/lti/grades.py): by the RQ worker when REDIS_URL is
set, else by this process after the response has gone out; never inside a request, so a slow or
absent LRS never holds a page. A failed send waits longer each time (the outbox's BACKOFF) and
`flask outbox deliver` (cron) or the worker tries again; after the last try the statement is
failed, for an admin to see on /admin/outbox.

Privacy: the actor is the user's account on this platform (`homePage` PUBLIC_URL, `name` the
account number), never the e-mail or the name; nothing the trainee wrote is in a statement.
Statement ids are UUIDs derived from what happened (verb, account, activity, version), and each
send is a PUT of that id, so a retry, or the same event recorded twice, is one statement."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import after_this_request, current_app, has_request_context
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .extensions import db, rows_changed
from .models import Activity, OutboxStatus, User, XapiStatement
from .outbox import BACKOFF, STALE_SENDING
from .services.progress import activity_completed, work_handed_in
from .timeutil import utcnow
from .transaction import after_commit

XAPI_VERSION = "1.0.3"
HTTP_TIMEOUT_SECONDS = 10
#: ADL's verb for a finished activity; ADL's registry has no "submitted" of its own, so a hand-in
#: uses the Activity Streams "submit" verb that the ADL xAPI vocabulary lists for it.
VERBS = {
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "submitted": ("http://activitystrea.ms/schema/1.0/submit", "submitted"),
}
#: Statement ids are name-based (UUID 5) under this namespace and the site's address.
ID_NAMESPACE = uuid.UUID("6f0c8a8e-3b0d-5c56-9d0e-4c1f0a5e7d21")


def enabled() -> bool:
    return bool(current_app.config.get("XAPI_ENDPOINT"))


def _site() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def statement_id(verb: str, user: User, activity: Activity, version: int | None = None) -> str:
    name = f"{_site()}|{verb}|{user.id}|{activity.id}|{version or ''}"
    return str(uuid.uuid5(ID_NAMESPACE, name))


def activity_iri(activity: Activity) -> str:
    """The activity's page on this site (where a trainee opens it), as an absolute address."""
    from .plugins import registry
    plugin = registry().get(activity.type)
    path = None
    try:
        path = plugin.activity_url(activity) if plugin is not None else None
    except RuntimeError:  # no request and no SERVER_NAME to build the URL with
        path = None
    # Only the path: url_for outside a request names SERVER_NAME's host, the object id must not
    # change with where the event happened.
    path = urlsplit(path).path if path else None
    if path:
        return f"{_site()}{path}"
    # A type without a page of its own: the activity within its module's page.
    return f"{_site()}/programme/modules/{activity.module.slug}#activity-{activity.slug}"


def activity_names(activity: Activity, lang: str | None) -> dict[str, str]:
    """The activity's title in English and, when the content has it, in the user's language."""
    names = {"en": activity.title}
    overlay = (activity.translations or {}).get(lang or "") or {}
    if lang and lang != "en" and isinstance(overlay.get("title"), str) and overlay["title"].strip():
        names[lang] = overlay["title"]
    return names


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build_statement(verb: str, user: User, activity: Activity, *, version: int | None = None,
                    when: datetime | None = None) -> dict[str, Any]:
    verb_id, display = VERBS[verb]
    lang = (user.locale or "en").split("_")[0].split("-")[0] or "en"
    statement: dict[str, Any] = {
        "id": statement_id(verb, user, activity, version),
        "actor": {"objectType": "Agent", "account": {"homePage": _site(), "name": str(user.id)}},
        "verb": {"id": verb_id, "display": {"en": display}},
        "object": {"objectType": "Activity", "id": activity_iri(activity),
                   "definition": {"name": activity_names(activity, lang),
                                  "type": "http://adlnet.gov/expapi/activities/assessment" if verb == "submitted"
                                  else "http://adlnet.gov/expapi/activities/lesson"}},
        "timestamp": _timestamp(when or utcnow()),
        "context": {"platform": "LIFE Academy", "language": lang},
    }
    if verb == "completed":
        statement["result"] = {"completion": True}
    elif version is not None:
        statement["context"]["extensions"] = {f"{_site()}/xapi/extensions/version": version}
    return statement


def record(verb: str, user: User, activity: Activity, *, version: int | None = None) -> XapiStatement | None:
    """Queue the statement in the current transaction (nothing when xAPI is off, or when this
    event is already queued or sent)."""
    if not enabled():
        return None
    sid = statement_id(verb, user, activity, version)
    if db.session.get(XapiStatement, sid) is not None:
        return None
    row = XapiStatement(id=sid, user_id=user.id, verb=verb, statement=build_statement(
        verb, user, activity, version=version), next_attempt_at=utcnow())
    db.session.add(row)
    after_commit(_flush, once="xapi")
    return row


def _completed(user: User, activity: Activity, **_: Any) -> None:
    record("completed", user, activity)


def _handed_in(user: User, activity: Activity, version: int | None = None, **_: Any) -> None:
    record("submitted", user, activity, version=version)


# --- sending, after the commit -----------------------------------------------------------------

def send_later() -> None:
    """Send what is due once the current request (or command) is done, as after a commit."""
    _flush()


def _flush() -> None:
    if current_app.config.get("REDIS_URL"):
        enqueue()
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():  # a command: now, in a session of its own
        send_due()
        return

    @after_this_request
    def _send_after_the_response(response):
        def send() -> None:
            with app.app_context():
                send_due()
        response.call_on_close(send)
        return response


def enqueue(delay: timedelta | None = None) -> None:
    from .jobs import mail_queue
    # The queue `flask worker` already works through: one worker for all that leaves the site.
    queue = mail_queue()
    if delay is None:
        queue.enqueue("app.xapi.send_job")
    else:
        queue.enqueue_in(delay, "app.xapi.send_job")


def send_job() -> int:
    from flask import has_app_context
    if has_app_context():
        return _send_and_reschedule()
    from . import create_app
    with create_app().app_context():
        return _send_and_reschedule()


def _send_and_reschedule() -> int:
    sent = send_due()
    with Session(db.engine) as session:
        soonest = session.scalar(select(func.min(XapiStatement.next_attempt_at)).where(
            XapiStatement.status == OutboxStatus.PENDING))
    if soonest is not None:
        enqueue(max(soonest - utcnow(), timedelta(seconds=1)))
    return sent


def send_due(limit: int = 200) -> int:
    """Send every pending statement whose time has come; returns how many the LRS took. In a
    session of its own, so it runs after the caller's commit and beside it."""
    if not enabled():
        return 0
    sent = 0
    with Session(db.engine, expire_on_commit=False) as session:
        session.execute(update(XapiStatement).where(
            XapiStatement.status == OutboxStatus.SENDING, XapiStatement.next_attempt_at < utcnow() - STALE_SENDING)
            .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow()))  # a PUT of the same id is harmless
        session.commit()
        due = list(session.scalars(select(XapiStatement).where(
            XapiStatement.status == OutboxStatus.PENDING, XapiStatement.next_attempt_at <= utcnow())
            .order_by(XapiStatement.created_at).limit(limit)))
        for row in due:
            sent += _send_one(session, row)
    return sent


def _set(session: Session, row: XapiStatement, *conditions, **values) -> bool:
    changed = session.execute(update(XapiStatement).where(XapiStatement.id == row.id, *conditions)
                              .values(**values).execution_options(synchronize_session=False))
    session.commit()
    return rows_changed(changed) == 1


def _send_one(session: Session, row: XapiStatement) -> int:
    # Claimed by compare-and-set, as the outbox does: of two senders only one sends it.
    if not _set(session, row, XapiStatement.status == OutboxStatus.PENDING,
                status=OutboxStatus.SENDING, next_attempt_at=utcnow()):
        return 0
    try:
        put(row.statement)
    except Exception as exc:  # refused, timed out, 4xx/5xx: recorded, tried again later
        attempts = row.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:300]
        current_app.logger.warning("xapi: statement %s not sent, try %s: %s", row.id, attempts, type(exc).__name__)
        if attempts > len(BACKOFF):
            _set(session, row, status=OutboxStatus.FAILED, attempts=attempts, last_error=error)
        else:
            _set(session, row, status=OutboxStatus.PENDING, attempts=attempts, last_error=error,
                 next_attempt_at=utcnow() + BACKOFF[attempts - 1])
        return 0
    _set(session, row, status=OutboxStatus.SENT, sent_at=utcnow(), attempts=row.attempts + 1, last_error=None)
    return 1


class LrsRefused(RuntimeError):
    pass


def headers() -> dict[str, str]:
    values = {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
    config = current_app.config
    if config.get("XAPI_AUTH"):
        values["Authorization"] = config["XAPI_AUTH"]
    return values


def put(statement: dict[str, Any]) -> None:
    """PUT /statements?statementId=<id>: 204 stored; 409 the LRS already has this id (ours,
    deterministic: an earlier try that got through), which is what a retry wanted too."""
    config = current_app.config
    auth = None
    if not config.get("XAPI_AUTH") and config.get("XAPI_USERNAME"):
        auth = (config["XAPI_USERNAME"], config.get("XAPI_PASSWORD") or "")
    response = requests.put(f"{config['XAPI_ENDPOINT'].rstrip('/')}/statements",
                            params={"statementId": statement["id"]}, json=statement, headers=headers(),
                            auth=auth, timeout=HTTP_TIMEOUT_SECONDS)
    if response.status_code in (200, 204, 409):
        return
    raise LrsRefused(f"HTTP {response.status_code}")


def summary() -> dict[str, Any]:
    """For the admins' outbox page: on or off, where to, and what waits or failed."""
    counts = dict(db.session.execute(select(XapiStatement.status, func.count()).group_by(XapiStatement.status)).all())
    endpoint = current_app.config.get("XAPI_ENDPOINT") or ""
    auth = "XAPI_AUTH" if current_app.config.get("XAPI_AUTH") else (
        "basic" if current_app.config.get("XAPI_USERNAME") else "none")
    last_error = db.session.scalar(select(XapiStatement.last_error).where(XapiStatement.last_error.is_not(None))
                                   .order_by(XapiStatement.next_attempt_at.desc()).limit(1))
    return {"enabled": bool(endpoint), "endpoint": endpoint, "auth": auth, "last_error": last_error,
            **{status.value: counts.get(status.value, 0) for status in OutboxStatus}}


def init_app(app: Any) -> None:
    activity_completed.connect(_completed)
    work_handed_in.connect(_handed_in)
