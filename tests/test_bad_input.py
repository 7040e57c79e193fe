"""Bad input found by hand (issue 13): each gets a clear message or a 4xx, never a 500, and
nothing is half-written. tests/test_fuzz.py looks for the ones nobody thought of."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Meeting, Notification, ProgrammeRun, User
from app.services.calendar_feed import feed_token
from modules.journal.models import Entry

from .programme_data import build_programme, meeting

NUL_MESSAGE = "The request contains characters that cannot be stored"
DATE_MESSAGE = "Give a date between"
ONE_LINE_MESSAGE = "Write this on one line, without line breaks."


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_nul_in_the_login_email_is_refused(client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_a_query_string_is_refused(client, world, login):
    login(world.admin)
    response = client.get("/admin/users?q=a%00b")
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_a_journal_title_is_refused_and_nothing_is_stored(client, world, login):
    login(world.trainee)
    response = client.post("/a/journal/new", data={"title": "Day\x00one", "entry_date": "2026-10-12", "body": "x"})
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert _count(Entry) == 0


def test_control_character_in_the_autosave_gets_a_json_answer(client, world, login):
    login(world.trainee)
    response = client.post("/drafts/save", data={"draft_key": "test:x", "body": "a\x07b"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json["error"] == "characters"


def test_a_non_ascii_browser_user_header_is_a_refusal_not_an_error(client, world, login):
    login(world.trainee)
    response = client.post("/drafts/save", data={"draft_key": "test:x", "body": "b"},
                           headers={"Accept": "application/json", "X-Life-User": "é".encode().decode("latin-1")})
    assert response.status_code == 409


@pytest.mark.parametrize("number", [0, 2**31, 2**63, 10**20])
def test_route_ids_outside_the_database_range_are_not_found(client, world, login, number):
    login(world.admin)
    for url in (f"/admin/users/{number}", f"/cohorts/{number}", f"/meetings/{number}",
                f"/a/journal/entries/{number}", f"/a/assignment/submission/{number}/v/{number}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/users/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_meeting_date_out_of_range_gets_a_message_and_nothing_is_stored(client, world, login, day):
    login(world.facilitator)
    before = _count(Meeting)
    response = client.post(f"/meetings/cohort/{world.cohort.id}/new", data={
        "title": "Kick-off", "starts_on": day, "ends_on": "", "place": "Room 4", "agenda_md": "", "hours": "0"})
    assert response.status_code == 400 and DATE_MESSAGE in response.get_data(as_text=True)
    assert _count(Meeting) == before


def test_a_run_date_out_of_range_gets_a_message(client, world, login):
    login(world.admin)
    response = client.post(f"/admin/runs/{world.run.id}/edit", data={
        "name": world.run.name, "starts_on": "2026-10-01", "ends_on": "9999-12-31"})
    assert response.status_code == 200 and DATE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProgrammeRun, world.run.id).ends_on != date(9999, 12, 31)


@pytest.mark.parametrize("run_starts, meeting_on", [
    (date(9999, 12, 30), date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 1)), (date(2026, 10, 1), date(9999, 12, 31))])
def test_pages_still_render_with_dates_stored_at_the_edges(client, world, login, run_starts, meeting_on):
    """Stored before the forms checked dates (or by a script): home, meetings, programme and
    calendar pages of the whole cohort must not fail on them."""
    built = build_programme(run=world.run, slug="edge")
    run = db.session.get(ProgrammeRun, world.run.id)
    run.starts_on, run.ends_on = run_starts, date(9999, 12, 31)
    for plan in built.plans:  # activities are due days after these meetings
        meeting(world.cohort, plan, meeting_on)
    meeting(world.transnational, None, meeting_on)
    db.session.commit()
    for persona in (world.trainee, world.facilitator, world.admin):
        login(persona)
        urls = ["/home", "/meetings/", f"/meetings/cohort/{world.cohort.id}", "/programme/",
                f"/programme/modules/{built.modules[0].slug}", "/programme/transcript", "/a/journal/",
                f"/cohorts/{world.cohort.id}", f"/cohorts/{world.cohort.id}/progress.csv",
                f"/meetings/ical/{feed_token(persona)}.ics"]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (persona.name, url, response.status_code)
        client.post("/logout")


@pytest.mark.parametrize("query", ["date_from=9999-12-31", "date_to=9999-12-31", "date_from=0001-01-01"])
def test_audit_log_dates_out_of_range_get_a_message(client, world, login, query):
    login(world.admin)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200 and DATE_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("url, field", [("/account", "name"), ("/a/journal/new", "title")])
def test_a_line_break_in_a_single_line_field_gets_a_message(client, world, login, url, field):
    login(world.trainee)
    data = {"name": "Tina\nTrainee", "locale": "en", "timezone": "Europe/Stockholm"} if field == "name" else {
        "title": "Day\r\none", "entry_date": "2026-10-12", "body": "x"}
    entries, events = _count(Entry), _count(AuditEvent)
    response = client.post(url, data=data)
    assert response.status_code == 200 and ONE_LINE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).name == "Tina Trainee"
    assert _count(Entry) == entries and _count(AuditEvent) == events


def test_a_title_stored_with_a_line_break_does_not_break_later_notifications(client, world, login, outbox):
    """Stored before the forms refused line breaks: a comment on it notifies its owner all the same."""
    from modules.journal.models import Audience
    entry = Entry(owner_id=world.trainee.id, title="Day\none", entry_date=date(2026, 10, 12), body_html="x",
                  shared=True, cohort_id=world.cohort.id)
    db.session.add(entry)
    db.session.flush()
    db.session.add(Audience(entry_id=entry.id, user_id=world.facilitator.id))
    db.session.commit()
    login(world.facilitator)
    response = client.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Thank you."})
    assert response.status_code in (302, 303), response.status_code
    assert _count(Notification) >= 1


@pytest.mark.parametrize("action, status, message", [
    ("save", 413, "The text is too long to be saved."),
    ("submit", 200, "Please correct the fields marked below. Nothing has been handed in yet.")])
def test_a_one_megabyte_assignment_text_is_refused_and_the_text_kept(client, world, login, action, status, message):
    from modules.assignment.models import Submission
    from modules.assignment.tests.helpers import build_assignments
    build_assignments(world)
    db.session.commit()
    login(world.trainee)
    body = "Längre text. " * (1024 * 1024 // 13)
    response = client.post("/a/assignment/asg-text", data={"action": action, "draft_version": 0,
                                                            "base_version": 0, "body": body})
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page
    assert "Längre text. Längre text." in page  # the form still holds what was typed
    assert _count(Submission) == 0


def _form_classes():
    from wtforms import Form
    seen, todo = [], [Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith(("app.", "modules."))]


def test_every_one_line_text_field_and_every_date_field_is_checked(app):
    """The shared validators of app/forms.py on every StringField that is one line (not passwords,
    hidden fields or text areas), every DateField and every DecimalField of the app's form classes."""
    from wtforms import DateField, DecimalField, HiddenField, PasswordField, StringField, TextAreaField
    from wtforms.fields.core import UnboundField

    from app.forms import FiniteNumber, SaneDate, SingleLine
    missing = []
    classes = _form_classes()
    assert len(classes) > 20
    for cls in classes:
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            kind = unbound.field_class
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            if issubclass(kind, DateField) and not any(isinstance(v, SaneDate) for v in validators):
                missing.append(f"{cls.__module__}.{cls.__name__}.{name} (date)")
            if issubclass(kind, DecimalField) and not any(isinstance(v, FiniteNumber) for v in validators):
                missing.append(f"{cls.__module__}.{cls.__name__}.{name} (number)")
            multi_or_secret = issubclass(kind, PasswordField | HiddenField | TextAreaField)
            one_line = issubclass(kind, StringField) and not multi_or_secret
            if one_line and not any(isinstance(v, SingleLine) for v in validators):
                missing.append(f"{cls.__module__}.{cls.__name__}.{name} (one line)")
    assert not missing, missing


@pytest.mark.parametrize("page", ["100000000000000000000", "2147483648", "-5", "0", "x"])
def test_a_page_number_out_of_range_shows_the_first_page(client, world, login, page):
    login(world.admin)
    for url in ("/admin/users", "/admin/outbox", "/admin/audit"):
        assert client.get(f"{url}?page={page}").status_code == 200, url
    assert client.get("/admin/cohorts/new?run_id=100000000000000000000").status_code == 200
    client.post("/logout")
    login(world.facilitator)
    assert client.get(f"/a/assignment/queue?page={page}").status_code == 200


def test_a_text_post_over_the_site_limit_answers_413_with_a_message(app, client, world, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    login(world.trainee)
    entries = _count(Entry)
    response = client.post("/a/journal/new", data={"title": "Long", "entry_date": "2026-10-12", "body": "x" * 80_000})
    assert response.status_code == 413
    assert "What you sent is larger than this site accepts. Nothing was saved." in response.get_data(as_text=True)
    response = client.post("/drafts/save", data={"draft_key": "test:x", "body": "x" * 80_000},
                           headers={"Accept": "application/json"})
    assert response.status_code == 413 and response.json["error"] == "size"
    assert _count(Entry) == entries


@pytest.mark.parametrize("hours", ["NaN", "sNaN", "Infinity", "-Infinity", "1e309"])
def test_hours_that_are_not_a_number_get_a_message(client, world, login, hours):
    login(world.facilitator)
    before = _count(Meeting)
    response = client.post(f"/meetings/cohort/{world.cohort.id}/new", data={
        "title": "Kick-off", "starts_on": "2026-10-12", "ends_on": "", "place": "Room 4", "agenda_md": "",
        "hours": hours})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give a number, such as 2 or 1.5." in page or "Number must be between" in page
    assert _count(Meeting) == before


@pytest.mark.parametrize("number", [str(10**20), str(2**31), "²"])
def test_ids_inside_tokens_are_bounded_too(client, world, login, number):
    from modules.assignment.tests.helpers import build_assignments
    build_assignments(world)
    db.session.commit()
    assert client.get(f"/meetings/ical/{number}-abc.ics").status_code == 404
    login(world.admin)
    for scope in (f"cohort-{number}", f"run-{number}", f"run-{number}-se"):
        assert client.get(f"/a/evaluation/results/{scope}").status_code == 404, scope
    client.post("/logout")
    login(world.facilitator)
    assert client.get(f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{number}").status_code == 404
    assert client.get(f"/a/assignment/queue?cohort={number}&module={number}").status_code == 200


def test_a_user_agent_with_control_characters_is_stored_clean(client, world):
    """Headers are not form values: the one header the app stores is cleaned (PostgreSQL refuses NUL)."""
    from app.models import UserSession
    response = client.post("/login", data={"email": world.trainee.email, "password": "correct horse battery"},
                           headers={"User-Agent": "Agent\x00/1\x07"})
    assert response.status_code == 302
    assert db.session.scalar(select(UserSession.user_agent)) == "Agent/1"


DEEP_JSON = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("url", ["/login", "/account", "/drafts/save", "/credentials/verify.json",
                                 "/account/api-tokens/"])
@pytest.mark.parametrize("body", [DEEP_JSON, '{"credential": "\\ud800", "name": "\\udfff"}',
                                  '{"a": ["x", {"\\ud800": 1}]}'])
def test_json_too_deep_or_with_a_lone_surrogate_is_refused_not_an_error(client, world, login, url, body):
    """A JSON body to any POST route (flask-wtf reads a form posted as JSON): nesting that
    overflows the decoder, or a string no database or signature can encode, is refused (or the
    route's usual answer, as /login's redirect of someone signed in), never an error."""
    login(world.trainee)
    before = _count(User), _count(Entry)
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code < 500
    assert (_count(User), _count(Entry)) == before


def test_the_credential_check_says_what_to_send_for_a_lone_surrogate(client):
    response = client.post("/credentials/verify.json", data='{"credential": "a\\ud800b"}',
                           content_type="application/json")
    assert response.status_code == 400 and "credential" in response.json["error"]


@pytest.mark.parametrize("command", [["meetings", "schedule"], ["journal", "purge"], ["privacy", "purge"]])
@pytest.mark.parametrize("ref", [str(10**20), str(2**31), "0", "²"])
def test_a_run_id_the_database_cannot_hold_is_no_run_on_the_command_line(app, world, command, ref):
    result = app.test_cli_runner().invoke(args=[*command, "--run", ref])
    if command[0] == "meetings" and not ref.isascii():
        assert result.exit_code == 2 and "is not a valid integer" in result.output
        return
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a crash
    assert "there is no" in result.output and "Traceback" not in result.output


def test_a_run_is_still_found_by_its_id_and_by_its_name_on_the_command_line(app, world):
    runner = app.test_cli_runner()
    for ref in (str(world.run.id), f" {world.run.name} "):
        result = runner.invoke(args=["journal", "purge", "--run", ref, "--dry-run"])
        assert "there is no" not in result.output, result.output


@pytest.mark.parametrize("email, name, message", [
    ("not-an-address", "Ada", "is not a valid e-mail address"),
    ("a" * 250 + "@example.org", "Ada", "is not a valid e-mail address"),
    ("ada@example.org", "n" * 201, "give a name of 1 to 200 characters on one line"),
    ("ada@example.org", "Ada\nLovelace", "give a name of 1 to 200 characters on one line"),
    ("ada@example.org", "Ada\x07", "give a name of 1 to 200 characters on one line"),
])
def test_users_create_refuses_what_the_admin_form_refuses(app, email, name, message):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", email, "--name", name,
                                                "--password", "correct horse battery staple"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert _count(User) == 0


JSON_MESSAGE = "This address takes a form as a web browser sends it, not JSON."


@pytest.mark.parametrize("url", ["/a/journal/new", "/account", "/account/api-tokens/", "/drafts/save", "/login"])
@pytest.mark.parametrize("body", ["[1, 2]", '"x"', "5", "true", '{"title": {"a": 1}}', '{"title": 5, "name": 5}',
                                  '{"title": "a\\u0000b", "entry_date": "2026-10-12", "name": "a\\u0000"}'])
def test_json_posted_to_a_form_is_refused_with_a_message_and_nothing_is_stored(client, world, login, url, body):
    """flask-wtf reads a JSON body as the form: a list, a number where text goes, or a NUL that the
    control character check (which reads forms) never saw, broke the view or the database."""
    login(world.trainee)
    before = _count(User), _count(Entry), _count(AuditEvent)
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 415 and JSON_MESSAGE in response.get_data(as_text=True)
    assert (_count(User), _count(Entry), _count(AuditEvent)) == before
    answer = client.post(url, data=body, content_type="application/json", headers={"Accept": "application/json"})
    assert answer.status_code == 415 and answer.json["error"] == "content_type"
