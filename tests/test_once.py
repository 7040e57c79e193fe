"""A create form sent twice creates one thing (app/once.py), through HTTP, for every create form
that carries a one-time key: the key comes from the rendered form, the second send with it
stores nothing and is sent where the first one led, with a calm message; a form without a key
(a page opened before keys existed) still saves; a key that saved nothing can be sent again;
old keys are purged and erased with their user. Two sends at the same moment are in
test_once_races.py."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app import once
from app.extensions import db
from app.models import Cohort, CompetencyReflection, Meeting, Membership, Notification, OnceKey, ProgrammeRun, User
from app.services import retention
from app.services.meetings import today_for
from app.timeutil import utcnow
from modules.assignment.models import Feedback, File, Reply, Submission, Version
from modules.assignment.tests.helpers import build_assignments, pdf_bytes
from modules.innovation.models import Factor, Innovation, InnovationComment, StageChange
from modules.journal import services as journal
from modules.journal.models import Comment, Entry, Flag, FlagReply, GroupPost, GroupReply, Supervisor
from modules.journal.tests.helpers import entry_form

PASSWORD = "correct horse battery"
ALREADY = "This was already saved."
INNOVATION = {"title": "Kitchen-table plans", "situation": "Family A struggles with school mornings.",
              "families_part": "The parents drew the weekly plan themselves.", "knowledge_practice": "",
              "knowledge_education": "", "knowledge_research": ""}


def signed_in(app, user: User):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def form_key(page: str, action: str | None) -> str:
    """The one-time key of the form that posts to `action` (None: the first form without one)."""
    for chunk in page.split("<form")[1:]:
        tag, _, rest = chunk.partition(">")
        found = re.search(r'action="([^"]*)"', tag)
        if (found.group(1) if found else None) != action:
            continue
        key = re.search(r'name="once_key" value="([0-9a-f]{32})"', rest.partition("</form>")[0])
        if key:
            return key.group(1)
    raise AssertionError(f"no form with a one-time key posts to {action}")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the create forms ------------------------------------------------------------------------------

@dataclass
class Send:
    user: User
    #: The page that shows the form, and where the form posts (None: the page itself, no action).
    page: str
    action: str | None
    data: dict[str, Any]
    #: Files to upload, made anew for each send (a file object is read up by one send).
    files: Callable[[], dict[str, Any]] | None = None

    def post(self, client, **extra):
        files = self.files() if self.files else {}
        return client.post(self.action or self.page, data={**self.data, **files, **extra},
                           content_type="multipart/form-data" if files else None)


@dataclass
class Case:
    name: str
    model: Any
    prepare: Callable[[Any, Any, Any], Send]


def _entry(world) -> Entry:
    entry = Entry(owner_id=world.trainee.id, title="A visit", entry_date=utcnow().date(), body_html="<p>x</p>")
    db.session.add(entry)
    db.session.commit()
    return entry


def _shared_entry(world) -> Entry:
    entry = _entry(world)
    journal.set_shared(entry, True, None)
    db.session.commit()
    return entry


def _new_entry(app, world, factory) -> Send:
    return Send(world.trainee, "/a/journal/new", "/a/journal/new", entry_form(title="Twice", body="Once only"))


def _comment(app, world, factory) -> Send:
    entry = _shared_entry(world)
    url = f"/a/journal/entries/{entry.id}"
    return Send(world.facilitator, url, f"{url}/comments", {"body": "Good observation."})


def _flag(app, world, factory) -> Send:
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=None, supervisor_id=world.facilitator.id))
    entry = _entry(world)
    url = f"/a/journal/entries/{entry.id}"
    return Send(world.trainee, url, f"{url}/flag", {"note": "Could we talk?"})


def _flag_reply(app, world, factory) -> Send:
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=None, supervisor_id=world.facilitator.id))
    entry = _entry(world)
    flag = Flag(entry_id=entry.id, supervisor_id=world.facilitator.id, note_html="<p>Talk?</p>")
    db.session.add(flag)
    db.session.commit()
    url = f"/a/journal/flags/{flag.id}"
    return Send(world.facilitator, url, f"{url}/replies", {"body": "Tomorrow at 10?"})


def _group_post(app, world, factory) -> Send:
    url = f"/a/journal/groups/{world.cohort.id}"
    return Send(world.trainee, url, url, {"title": "What I learnt", "body": "Families know a lot."})


def _group_reply(app, world, factory) -> Send:
    post = GroupPost(cohort_id=world.cohort.id, author_id=world.trainee.id, title="Hello", body_html="<p>Hi</p>")
    db.session.add(post)
    db.session.commit()
    url = f"/a/journal/groups/{world.cohort.id}"
    return Send(world.facilitator, url, f"/a/journal/groups/posts/{post.id}/replies",
                {f"reply-{post.id}-body": "Well put."})


def _meeting(app, world, factory) -> Send:
    url = f"/meetings/cohort/{world.cohort.id}/new"
    return Send(world.facilitator, url, None, {"title": "Supervision hour", "starts_on": "2026-11-20",
                                               "place": "Online", "agenda_md": "", "hours": "0"})


def _user(app, world, factory) -> Send:
    return Send(world.admin, "/admin/users/new", None,
                {"name": "Helena Costa", "email": "helena.costa@example.org", "site_role": "", "locale": "pt"})


def _run(app, world, factory) -> Send:
    return Send(world.admin, "/admin/runs/new", None,
                {"name": "LIFE 2027–2028", "starts_on": "2027-10-01", "ends_on": "2028-09-30"})


def _cohort(app, world, factory) -> Send:
    portugal = factory.country("PT")
    return Send(world.admin, "/admin/cohorts/new", None, {"run_id": str(world.run.id), "kind": "national",
                                                          "country_id": str(portugal.id), "name": "Portugal pilot"})


def _member(app, world, factory) -> Send:
    url = f"/admin/cohorts/{world.cohort.id}"
    return Send(world.admin, url, f"{url}/members", {"email": world.trainee_other.email, "role": "trainee"})


def _innovation(app, world, factory) -> Send:
    return Send(world.trainee, "/a/innovation/", "/a/innovation/", dict(INNOVATION))


def _started(app, world) -> Innovation:
    assert signed_in(app, world.trainee).post("/a/innovation/", data=INNOVATION).status_code == 302
    return db.session.scalars(select(Innovation)).one()


def _stage(app, world, factory) -> Send:
    record = _started(app, world)
    return Send(world.trainee, "/a/innovation/", f"/a/innovation/{record.id}/stage",
                {"stage": "stabilisation", "why": "Three families use it.",
                 "reached_on": today_for(world.trainee).isoformat()})


def _factor(app, world, factory) -> Send:
    record = _started(app, world)
    return Send(world.trainee, "/a/innovation/", f"/a/innovation/{record.id}/factors",
                {"kind": "impeding", "level": "organisational", "text": "Bureaucracy"})


def _innovation_comment(app, world, factory) -> Send:
    record = _started(app, world)
    url = f"/a/innovation/{record.id}"
    return Send(world.facilitator, url, f"{url}/comments", {"body": "What did the children say?"})


def _hand_in(app, world, factory) -> Send:
    build_assignments(world)
    return Send(world.trainee, "/a/assignment/asg-text", "/a/assignment/asg-text",
                {"body": "My practice", "action": "submit", "draft_version": "0", "base_version": "0"})


def _handed_in(app, world) -> Submission:
    build_assignments(world)
    assert signed_in(app, world.trainee).post("/a/assignment/asg-text", data={
        "body": "My practice", "action": "submit", "draft_version": "0", "base_version": "0"}).status_code == 302
    return db.session.scalars(select(Submission)).one()


def _feedback(app, world, factory) -> Send:
    url = f"/a/assignment/submission/{_handed_in(app, world).id}"
    return Send(world.facilitator, url, f"{url}/feedback",
                {"body": "Which family member chose?", "decision": "revise", "action": "release"})


def _reply(app, world, factory) -> Send:
    submission = _handed_in(app, world)
    url = f"/a/assignment/submission/{submission.id}"
    assert signed_in(app, world.facilitator).post(f"{url}/feedback", data={
        "body": "Which one?", "decision": "revise", "action": "release"}).status_code == 302
    feedback = db.session.scalars(select(Feedback)).one()
    return Send(world.trainee, "/a/assignment/asg-text", f"/a/assignment/feedback/{feedback.id}/reply",
                {"body": "The eldest daughter."})


def _extension(app, world, factory) -> Send:
    build_assignments(world)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    return Send(world.facilitator, url, url, {"due_on": "2099-11-07", "reason": "Sick leave"})


def _bulk_extension(app, world, factory) -> Send:
    build_assignments(world)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text"
    return Send(world.facilitator, url, f"{url}/extensions",
                {"owner": [f"user:{world.trainee.id}"], "due_on": "2099-11-07", "reason": "Strike at the office"})


def _upload(app, world, factory) -> Send:
    build_assignments(world)
    return Send(world.trainee, "/a/assignment/asg-files", "/a/assignment/asg-files",
                {"action": "save", "draft_version": "0", "base_version": "0"},
                files=lambda: {"files": [(io.BytesIO(pdf_bytes("notes")), "notes.pdf")]})


def _import(app, world, factory) -> Send:
    url = f"/admin/cohorts/{world.cohort.id}/import"
    return Send(world.admin, url, None, {},
                files=lambda: {"file": (io.BytesIO(b"email,name\nnew.person@example.org,New Person\n"), "people.csv")})


CASES = [
    Case("journal entry", Entry, _new_entry),
    Case("journal comment", Comment, _comment),
    Case("journal flag", Flag, _flag),
    Case("flag reply", FlagReply, _flag_reply),
    Case("group post", GroupPost, _group_post),
    Case("group reply", GroupReply, _group_reply),
    Case("meeting", Meeting, _meeting),
    Case("user", User, _user),
    Case("run", ProgrammeRun, _run),
    Case("cohort", Cohort, _cohort),
    Case("cohort member", Membership, _member),
    Case("micro-innovation", Innovation, _innovation),
    Case("innovation stage", StageChange, _stage),
    Case("innovation factor", Factor, _factor),
    Case("innovation comment", InnovationComment, _innovation_comment),
    Case("hand-in", Version, _hand_in),
    Case("feedback", Notification, _feedback),
    Case("feedback reply", Reply, _reply),
    Case("extension", Notification, _extension),
    Case("extensions for several", Notification, _bulk_extension),
    Case("upload with a draft", File, _upload),
    Case("enrolment import", User, _import),
]


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request, app, world, factory):
    send = request.param.prepare(app, world, factory)
    db.session.commit()
    return request.param.model, send, signed_in(app, send.user)


def test_the_same_form_sent_twice_creates_one_thing_and_answers_as_the_first_did(case):
    model, send, client = case
    key = form_key(client.get(send.page).get_data(as_text=True), send.action)
    before = count(model)
    first = send.post(client, once_key=key)
    assert first.status_code == 302, first.get_data(as_text=True)
    again = send.post(client, once_key=key)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(model) == before + 1
    assert ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_form_without_a_key_still_saves_each_time(case):
    model, send, client = case
    before = count(model)
    first = send.post(client)
    assert first.status_code == 302, first.get_data(as_text=True)
    assert count(model) == before + 1 and count(OnceKey) == 0


def test_each_showing_of_a_form_has_its_own_key(case):
    _model, send, client = case
    keys = {form_key(client.get(send.page).get_data(as_text=True), send.action) for _ in range(2)}
    assert len(keys) == 2


# --- the mechanism ---------------------------------------------------------------------------------

def test_a_send_that_saved_nothing_leaves_its_key_free(app, world):
    """A privacy finding shows the form again (and commits the draft): the same key then saves."""
    client = signed_in(app, world.trainee)
    key = form_key(client.get("/a/journal/new").get_data(as_text=True), "/a/journal/new")
    data = {**entry_form(title="A visit", body="Her number is 070-123 45 67."), "once_key": key}
    shown = client.post("/a/journal/new", data=data)
    assert shown.status_code == 200 and count(Entry) == 0 and count(OnceKey) == 0
    version = re.search(r'name="draft_version" value="(\d+)"', shown.get_data(as_text=True)).group(1)
    saved = client.post("/a/journal/new", data={**data, "draft_version": version, "privacy_confirmed": "y"})
    assert saved.status_code == 302 and count(Entry) == 1
    assert db.session.scalar(select(OnceKey.url)) == saved.headers["Location"]


def test_a_key_is_per_user(app, world):
    """Another user's send of the same key (a key is no secret) is a send of its own."""
    key = once.new_key()
    for user in (world.trainee, world.trainee_other):
        client = signed_in(app, user)
        assert client.post("/a/journal/new", data={**entry_form(body="Once"), "once_key": key}).status_code == 302
    assert count(Entry) == 2


@pytest.mark.parametrize("value", ["", "abc", "Z" * 32, "0" * 33, "<script>"])
def test_a_malformed_key_is_a_form_without_one(app, world, value):
    client = signed_in(app, world.trainee)
    for _ in range(2):
        assert client.post("/a/journal/new", data={**entry_form(body="Once"), "once_key": value}).status_code == 302
    assert count(Entry) == 2 and count(OnceKey) == 0


def test_keys_expire_with_the_retention_purge_and_go_with_an_erased_user(app, world):
    old = OnceKey(user_id=world.trainee.id, key=once.new_key(), url="/x",
                  created_at=utcnow() - timedelta(days=once.KEEP_DAYS + 1))
    fresh = OnceKey(user_id=world.trainee.id, key=once.new_key(), url="/y")
    other = OnceKey(user_id=world.trainee_other.id, key=once.new_key(), url="/z")
    db.session.add_all([old, fresh, other])
    db.session.commit()
    assert retention.purge_expired(utcnow())["form keys"] == 1
    assert set(db.session.scalars(select(OnceKey.url))) == {"/y", "/z"}
    from app.services import privacy
    privacy.erase(db.session.get(User, world.trainee.id), by=db.session.get(User, world.admin.id))
    db.session.commit()
    assert list(db.session.scalars(select(OnceKey.url))) == ["/z"]


def test_drafts_and_browser_copies_never_keep_the_key(app, world):
    client = signed_in(app, world.trainee)
    assert client.post("/drafts/save", data={"draft_key": "journal:new", "draft_version": "0", "body": "half",
                                             "once_key": once.new_key()}).status_code == 200
    from app.models import Draft
    assert db.session.scalar(select(Draft.data)) == {"body": "half"}


def test_the_privacy_notice_says_how_long_form_keys_stay(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Which forms you sent" in page and f"{once.KEEP_DAYS} days" in page.split("Which forms you sent")[1]


def test_draft_saves_from_one_page_are_all_kept(app, world):
    # A draft save is an update kept in order by its version: the page's key does not refuse the
    # second save (the scale-out workload and a browser's Back button send the same page again).
    build_assignments(world)
    client = signed_in(app, world.trainee)
    key = form_key(client.get("/a/assignment/asg-text").get_data(as_text=True), "/a/assignment/asg-text")
    for version, body in enumerate(("First thoughts", "Second thoughts")):
        response = client.post("/a/assignment/asg-text", data={"body": body, "action": "save", "once_key": key,
                                                               "draft_version": str(version), "base_version": "0"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    from app.models import Draft
    db.session.expire_all()
    assert db.session.scalar(select(Draft.data))["body"] == "Second thoughts"


def test_feedback_drafts_from_one_page_are_not_refused_and_nothing_typed_is_lost(app, world):
    """Draft feedback is an update checked against the feedback the page showed, not a create:
    the page's key claims nothing, the same draft sent twice is saved once, and a different one
    sent from the same page is shown beside the saved one (a conflict), never "already saved"."""
    url = f"/a/assignment/submission/{_handed_in(app, world).id}"
    client = signed_in(app, world.facilitator)
    page = client.get(url).get_data(as_text=True)
    key = form_key(page, f"{url}/feedback")
    base = re.search(r'name="feedback_base"[^>]*value="([^"]*)"', page)
    data = {"body": "Which family member chose?", "decision": "revise", "action": "save", "once_key": key,
            "feedback_base": base.group(1) if base else ""}
    for _ in range(2):
        response = client.post(f"{url}/feedback", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert count(OnceKey) == 0
    later = client.post(f"{url}/feedback", data={**data, "body": "Who chose the plan, and how?"})
    assert later.status_code == 409 and "Who chose the plan, and how?" in later.get_data(as_text=True)
    db.session.expire_all()
    assert [f.body_html for f in db.session.scalars(select(Feedback))] == ["<p>Which family member chose?</p>"]


def test_a_reflection_sent_twice_is_saved_once_and_a_changed_one_is_not_lost(app, world):
    build_assignments(world)
    client = signed_in(app, world.trainee)
    data = {"C1-text": "I listen first now.", "C1-base_version": "0", "draft_version": "0"}
    for _ in range(2):
        response = client.post("/programme/competencies/C1/reflection", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
    later = client.post("/programme/competencies/C1/reflection", data={**data, "C1-text": "I ask the children too."})
    assert later.status_code == 409 and "I ask the children too." in later.get_data(as_text=True)
    db.session.expire_all()
    kept = [(r.text, r.version) for r in db.session.scalars(select(CompetencyReflection))]
    assert kept == [("I listen first now.", 1)]
