"""Learning records: an xAPI statement for each completion and each hand-in, sent to the LRS at
XAPI_ENDPOINT (off while it is unset).

The statement is written to `xapi_statement` in the transaction of the work that caused it and
sent after the commit, as e-mail and LTI scores are (app/delivery.py): by the RQ worker when REDIS_URL is
set, else by this process after the response has gone out; never inside a request, so a slow or
absent LRS never holds a page. A failed send waits longer each time (app/delivery.py) and
`flask outbox deliver` (cron) or the worker tries again; after the last try the statement is
failed, for an admin to see on /admin/outbox.

Privacy: the actor is the user's account on this platform (`homePage` PUBLIC_URL, `name` the
account number), never the e-mail or the name; nothing the trainee wrote is in a statement.
Statement ids are UUIDs derived from what happened (verb, account, activity, version), and each
send is a PUT of that id, so a retry, or the same event recorded twice, is one statement."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app

from .delivery import Delivery, after_the_view, default_mode
from .extensions import db
from .models import Activity, User, XapiStatement
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
    after_the_view(send_due, STATEMENTS.enqueue, default_mode())


def send_job() -> int:
    """The RQ job: send what is due, then queue itself again for the next waiting statement."""
    return STATEMENTS.job()


def send_due(limit: int | None = None) -> int:
    """Send every pending statement whose time has come (200 at most, or `limit`); returns how
    many the LRS took."""
    return STATEMENTS.send_due(limit)


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


# An interrupted send goes again: a PUT of the same id is harmless.
STATEMENTS = Delivery(XapiStatement, job="app.xapi.send_job", send=lambda row: put(row.statement),
                      not_sent=lambda row: f"xapi: statement {row.id} not sent", order_by=XapiStatement.created_at,
                      batch=200, resend_interrupted=True, enabled=enabled)


def summary() -> dict[str, Any]:
    """For the admins' outbox page: on or off, where to, and what waits or failed."""
    endpoint = current_app.config.get("XAPI_ENDPOINT") or ""
    auth = "XAPI_AUTH" if current_app.config.get("XAPI_AUTH") else (
        "basic" if current_app.config.get("XAPI_USERNAME") else "none")
    return {"enabled": bool(endpoint), "endpoint": endpoint, "auth": auth, **STATEMENTS.summary()}


def init_app(app: Any) -> None:
    activity_completed.connect(_completed)
    work_handed_in.connect(_handed_in)
