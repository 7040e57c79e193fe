"""Admin pages for users, the overview and the audit log, through HTTP as the admin."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User

from .factories import Factory


@pytest.fixture
def admin_client(client, world, login):
    login(world.admin)
    return client


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def table_text(response) -> str:
    """Only the tables' bodies: the page's header names the admin, the filters list the actions."""
    return "\n".join(re.findall(r"<tbody>(.*?)</tbody>", page_text(response), re.S))


def link_path(message, kind: str) -> str:
    match = re.search(rf"http://localhost(/{kind}/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# Overview and navigation ----------------------------------------------------------------------

def test_overview_counts_and_links_to_every_section(admin_client, world):
    page = page_text(admin_client.get("/admin/"))
    assert "7 accounts, 0 deactivated" in page
    assert "5 partner countries" in page
    assert ">1 run<" in page and "3 cohorts, 6 memberships" in page and ">1 event<" in page
    for path in ("/admin/users", "/admin/countries", "/admin/runs", "/admin/cohorts", "/admin/audit"):
        assert f'href="{path}"' in page


def test_sub_navigation_marks_the_current_section(admin_client, world):
    page = admin_client.get(f"/admin/users/{world.trainee.id}").get_data(as_text=True)
    nav = page[page.index('aria-label="Administration sections"'):]
    nav = nav[:nav.index("</nav>")]
    assert re.search(r'class="nav-link active" href="/admin/users"\s+aria-current="true"', nav)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert re.search(r'href="/admin/users"\s+aria-current="page"', page)


# List, search, filters, pages -----------------------------------------------------------------

def test_users_are_searched_by_name_or_email(admin_client, world):
    page = table_text(admin_client.get("/admin/users?q=tina"))
    assert "Tina Trainee" in page and "Ada Admin" not in page
    page = table_text(admin_client.get(f"/admin/users?q={world.admin.email.split('@')[0].upper()}"))
    assert "Ada Admin" in page and "Tina Trainee" not in page
    page = page_text(admin_client.get("/admin/users?q=100%25"))
    assert "No user matches this search." in page  # % is searched for, not a wildcard


def test_users_are_filtered_by_site_role_and_status(admin_client, world, factory):
    factory.user("Dora Deactivated", active=False)
    db.session.commit()
    page = table_text(admin_client.get("/admin/users?role=transnational_coordinator"))
    assert "Tom Transnational" in page and "Tina Trainee" not in page
    page = table_text(admin_client.get("/admin/users?role=none&status=active"))
    assert "Tina Trainee" in page and "Ada Admin" not in page and "Dora Deactivated" not in page
    page = table_text(admin_client.get("/admin/users?status=inactive"))
    assert "Dora Deactivated" in page and "Tina Trainee" not in page


def test_users_are_paginated_and_pages_keep_the_filter(admin_client, world, factory):
    for i in range(30):
        factory.user(f"Paged {i:02d}")
    db.session.commit()
    first = page_text(admin_client.get("/admin/users?q=paged"))
    assert "Showing 1–25 of 30." in first
    assert "Paged 00" in first and "Paged 25" not in first
    assert 'href="/admin/users?q=paged&amp;page=2"' in admin_client.get("/admin/users?q=paged").get_data(as_text=True)
    second = page_text(admin_client.get("/admin/users?q=paged&page=2"))
    assert "Showing 26–30 of 30." in second and "Paged 25" in second and "Tina Trainee" not in second
    assert admin_client.get("/admin/users?page=99").status_code == 200


# Create ---------------------------------------------------------------------------------------

def test_create_sends_an_invitation_that_sets_a_password(app, admin_client, world, outbox):
    response = admin_client.post("/admin/users/new", data={
        "name": "Helena Costa", "email": "Helena.Costa@Example.org", "site_role": "", "locale": "pt"})
    user = user_by_email("helena.costa@example.org")
    assert user is not None and user.locale == "pt" and user.site_role is None and user.password_hash is None
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert "an invitation has been sent to helena.costa@example.org" in page_text(
        admin_client.get(response.headers["Location"]))
    assert events("admin.user.create")[0].target_id == user.id
    assert events("admin.user.create")[0].actor_id == world.admin.id

    assert [m["To"] for m in outbox] == ["helena.costa@example.org"]
    assert "Helena Costa" in outbox[0].get_content()
    path = link_path(outbox[0], "invitation")
    newcomer = app.test_client()
    assert newcomer.post(path, data={"new_password": "lisbon trams at night",
                                     "confirm": "lisbon trams at night"}).status_code == 302
    response = newcomer.post("/login", data={"email": "helena.costa@example.org",
                                             "password": "lisbon trams at night"})
    assert response.headers["Location"].endswith("/home")


def test_create_with_a_site_role(admin_client, world):
    admin_client.post("/admin/users/new", data={"name": "Marco Ferri", "email": "marco@example.org",
                                                "site_role": "transnational_coordinator", "locale": "it"})
    assert user_by_email("marco@example.org").site_role == "transnational_coordinator"


def test_create_with_a_taken_email_says_so_and_writes_nothing(admin_client, world, outbox):
    before = db.session.scalar(select(func.count()).select_from(User))
    response = admin_client.post("/admin/users/new", data={
        "name": "Tina Again", "email": world.trainee.email.upper(), "site_role": "", "locale": "en"})
    assert response.status_code == 200
    assert "Another user already has this e-mail address." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert outbox == [] and events("admin.user.create") == []


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "email": "x@example.org"}, "This field is required."),
    ({"name": "X", "email": "not-an-email"}, "Invalid email address."),
    ({"name": "X", "email": "x@example.org", "site_role": "superuser"}, "Not a valid choice."),
])
def test_create_refuses_bad_input(admin_client, world, data, message):
    response = admin_client.post("/admin/users/new", data={"site_role": "", "locale": "en", **data})
    assert response.status_code == 200
    assert message in page_text(response)
    assert user_by_email("x@example.org") is None


# Edit -----------------------------------------------------------------------------------------

def test_edit_changes_name_email_role_and_language(admin_client, world):
    response = admin_client.post(f"/admin/users/{world.trainee.id}/edit", data={
        "name": "Tina Renamed", "email": "tina.new@example.org", "site_role": "transnational_coordinator",
        "locale": "sv"})
    assert response.status_code == 302
    user = user_by_email("tina.new@example.org")
    assert (user.name, user.site_role, user.locale) == ("Tina Renamed", "transnational_coordinator", "sv")
    event = events("admin.user.update")[0]
    assert sorted(event.detail["changed"]) == ["email", "locale", "name", "site_role"]


def test_an_edit_from_a_stale_page_is_a_conflict_and_undoes_nothing(app, admin_client, world, factory):
    other_admin = app.test_client()
    colleague = factory.user(email="second.admin@example.org", site_role="admin")
    db.session.commit()
    assert other_admin.post("/login", data={"email": colleague.email, "password": factory.PASSWORD}).status_code == 302
    url = f"/admin/users/{world.trainee.id}/edit"
    mine, theirs = (re.search(r'name="base" type="hidden" value="([^"]+)"', c.get(url).get_data(as_text=True))
                    .group(1) for c in (admin_client, other_admin))
    fields = {"email": world.trainee.email, "site_role": "", "locale": "en"}
    assert other_admin.post(url, data={**fields, "name": "Tina Their Spelling", "base": theirs}).status_code == 302
    # This page was loaded before the other administrator saved: its save would undo theirs unseen.
    response = admin_client.post(url, data={**fields, "name": "Tina My Spelling", "base": mine})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and 'value="Tina My Spelling"' in page and "Tina Their Spelling" in page
    assert user_by_email(world.trainee.email).name == "Tina Their Spelling"
    shown = re.search(r'name="base" type="hidden" value="([^"]+)"', page).group(1)
    assert admin_client.post(url, data={**fields, "name": "Tina My Spelling", "base": shown}).status_code == 302
    db.session.expire_all()
    assert user_by_email(world.trainee.email).name == "Tina My Spelling"


def test_edit_form_shows_the_current_values(admin_client, world):
    page = admin_client.get(f"/admin/users/{world.transnational_coordinator.id}/edit").get_data(as_text=True)
    assert f'value="{world.transnational_coordinator.email}"' in page
    assert re.search(r'<option selected value="transnational_coordinator">', page)


def test_edit_refuses_an_email_another_user_has(admin_client, world):
    response = admin_client.post(f"/admin/users/{world.trainee.id}/edit", data={
        "name": "Tina", "email": world.facilitator.email, "site_role": "", "locale": "en"})
    assert "Another user already has this e-mail address." in page_text(response)
    assert user_by_email(world.trainee.email) is not None


def test_edit_keeps_ones_own_email(admin_client, world):
    response = admin_client.post(f"/admin/users/{world.trainee.id}/edit", data={
        "name": "Tina", "email": world.trainee.email, "site_role": "", "locale": "en"})
    assert response.status_code == 302


def test_an_admin_cannot_take_away_their_own_admin_role(admin_client, world):
    response = admin_client.post(f"/admin/users/{world.admin.id}/edit", data={
        "name": "Ada", "email": world.admin.email, "site_role": "", "locale": "en"})
    assert "You cannot take away your own administrator role" in page_text(response)
    assert user_by_email(world.admin.email).site_role == "admin"


# Deactivate, reactivate, links ----------------------------------------------------------------

def test_deactivation_ends_the_users_session_at_once(app, admin_client, world):
    trainee_client = app.test_client()
    assert trainee_client.post("/login", data={"email": world.trainee.email,
                                               "password": Factory.PASSWORD}).status_code == 302
    assert trainee_client.get("/home").status_code == 200

    response = admin_client.post(f"/admin/users/{world.trainee.id}/deactivate", follow_redirects=True)
    assert "Tina Trainee is deactivated and logged out everywhere." in page_text(response)
    assert user_by_email(world.trainee.email).active is False
    assert events("admin.user.deactivate")[0].target_id == world.trainee.id

    response = trainee_client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = trainee_client.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD})
    assert response.status_code == 200  # refused: a deactivated account cannot log in


def test_an_admin_cannot_deactivate_themselves(admin_client, world):
    response = admin_client.post(f"/admin/users/{world.admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in page_text(response)
    assert user_by_email(world.admin.email).active is True
    assert admin_client.get("/admin/").status_code == 200


def test_reactivation_lets_the_user_log_in_again(app, admin_client, world):
    admin_client.post(f"/admin/users/{world.trainee.id}/deactivate")
    response = admin_client.post(f"/admin/users/{world.trainee.id}/activate", follow_redirects=True)
    assert "Tina Trainee can log in again." in page_text(response)
    assert events("admin.user.activate")[0].target_id == world.trainee.id
    other = app.test_client()
    response = other.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD})
    assert response.status_code == 302


def test_send_a_reset_link_to_a_user_with_a_password(app, admin_client, world, outbox):
    response = admin_client.post(f"/admin/users/{world.trainee.id}/send-link", follow_redirects=True)
    assert f"A link to choose a new password has been sent to {world.trainee.email}." in page_text(response)
    assert [m["To"] for m in outbox] == [world.trainee.email]
    path = link_path(outbox[0], "reset-password")
    other = app.test_client()
    other.post(path, data={"new_password": "stockholm in the snow", "confirm": "stockholm in the snow"})
    response = other.post("/login", data={"email": world.trainee.email, "password": "stockholm in the snow"})
    assert response.status_code == 302
    assert events("admin.user.send_link")[0].detail == {"purpose": "reset"}


def test_send_a_new_invitation_to_someone_who_never_chose_a_password(admin_client, world, outbox):
    admin_client.post("/admin/users/new", data={"name": "New", "email": "new@example.org", "site_role": "",
                                                "locale": "en"})
    user = user_by_email("new@example.org")
    response = admin_client.post(f"/admin/users/{user.id}/send-link", follow_redirects=True)
    assert "A new invitation has been sent to new@example.org." in page_text(response)
    assert len(outbox) == 2 and "/invitation/" in outbox[1].get_content()


def test_no_link_for_a_deactivated_user(admin_client, world, factory, outbox):
    gone = factory.user("Gone", active=False)
    db.session.commit()
    response = admin_client.post(f"/admin/users/{gone.id}/send-link", follow_redirects=True)
    assert "reactivate the account before sending a link" in page_text(response)
    assert outbox == []


def test_user_page_lists_memberships_and_actions(admin_client, world):
    page = page_text(admin_client.get(f"/admin/users/{world.trainee.id}"))
    assert "Sweden pilot" in page and "Transnational pilot" in page and "Pilot run" in page
    assert "Deactivate" in page and "Send a password reset link" in page
    own = page_text(admin_client.get(f"/admin/users/{world.admin.id}"))
    assert "Deactivate" not in own and "Not a member of any cohort." in own


def test_unknown_user_is_404(admin_client, world):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post("/admin/users/999999/deactivate").status_code == 404


# Audit log ------------------------------------------------------------------------------------

def _event(action: str, actor: User | None, at: datetime) -> None:
    db.session.add(AuditEvent(action=action, actor_id=actor.id if actor else None, at=at, detail={}))


def test_audit_log_is_newest_first_and_filters(admin_client, world):
    now = datetime(2026, 11, 20, 12, 0)
    _event("journal.entry.read", world.facilitator, now - timedelta(days=3))
    _event("export.user", world.trainee, now - timedelta(days=1))
    _event("admin.user.create", world.admin, now)
    db.session.commit()

    page = table_text(admin_client.get("/admin/audit"))
    positions = [page.index(a) for a in ("admin.user.create", "export.user", "journal.entry.read")]
    assert positions == sorted(positions)

    page = table_text(admin_client.get("/admin/audit?action=journal."))
    assert "journal.entry.read" in page and "export.user" not in page and "Fia Facilitator" in page
    page = table_text(admin_client.get(f"/admin/audit?actor={world.trainee.email.upper()}"))
    assert "export.user" in page and "journal.entry.read" not in page
    page = table_text(admin_client.get("/admin/audit?date_from=2026-11-18&date_to=2026-11-19"))
    assert "export.user" in page and "journal.entry.read" not in page and "admin.user.create" not in page


def test_audit_log_explains_a_reversed_period(admin_client, world):
    page = page_text(admin_client.get("/admin/audit?date_from=2026-11-19&date_to=2026-11-18"))
    assert "The end of the period is before its start." in page


def test_audit_log_is_paginated(admin_client, world):
    for i in range(55):
        _event(f"test.event.{i:02d}", world.admin, datetime(2026, 1, 1) + timedelta(minutes=i))
    db.session.commit()
    first = table_text(admin_client.get("/admin/audit?action=test."))
    assert "test.event.54" in first and "test.event.04" not in first
    assert "Showing 1–50 of 55." in page_text(admin_client.get("/admin/audit?action=test."))
    second = table_text(admin_client.get("/admin/audit?action=test.&page=2"))
    assert "test.event.04" in second and "test.event.54" not in second


def test_admin_actions_show_in_the_audit_log_with_their_target(admin_client, world):
    admin_client.post(f"/admin/users/{world.trainee.id}/deactivate")
    page = page_text(admin_client.get("/admin/audit?action=admin.user"))
    assert "admin.user.deactivate" in page
    assert f'href="/admin/users/{world.trainee.id}">Tina Trainee</a>' in page


# Every admin page: accessible structure, no inline script or style -----------------------------

def admin_pages(world) -> list[str]:
    membership_user = world.trainee.id
    return ["/admin/", "/admin/users", "/admin/users/new", f"/admin/users/{membership_user}",
            f"/admin/users/{membership_user}/edit", "/admin/countries", "/admin/runs", "/admin/runs/new",
            f"/admin/runs/{world.run.id}", f"/admin/runs/{world.run.id}/edit", "/admin/cohorts",
            "/admin/cohorts/new", f"/admin/cohorts/{world.cohort.id}", f"/admin/cohorts/{world.cohort.id}/edit",
            f"/admin/cohorts/{world.transnational.id}", f"/admin/cohorts/{world.cohort.id}/import",
            "/admin/audit"]


def test_every_admin_page_is_accessible_and_has_no_inline_code(admin_client, world):
    admin_client.post(f"/admin/users/{world.trainee.id}/deactivate")  # something in the audit log
    for url in admin_pages(world):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "onclick=" not in page, url
        assert page.count("<h1") == 1, url
        assert page.count("<table") == page.count("<caption"), url
        labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', page))
        for tag, attrs in re.findall(r"<(input|select|textarea)\b([^>]*)>", page):
            if 'type="hidden"' in attrs:
                continue
            field_id = re.search(r'\bid="([^"]+)"', attrs)
            assert field_id and field_id.group(1) in labelled, f"{url}: unlabelled <{tag}{attrs}>"


def test_audit_details_are_readable(admin_client, world):
    admin_client.post(f"/admin/users/{world.trainee.id}/edit", data={
        "name": "Tina T", "email": "tina.t@example.org", "site_role": "", "locale": "en"})
    page = table_text(admin_client.get("/admin/audit?action=admin.user.update"))
    assert "changed: name, email; site_role: —" in page


def test_the_invitation_and_its_page_speak_the_language_it_was_sent_in(app, admin_client, world, outbox):
    from pathlib import Path

    from babel.messages.pofile import read_po
    with (Path(__file__).parent.parent / "app/translations/sl/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    admin_client.post("/admin/users/new", data={"name": "Nina Novak", "email": "nina@example.org",
                                                "site_role": "", "locale": "sl"})
    [mail] = outbox
    assert mail["Subject"] == catalog["Your LIFE Academy account"].string
    path = link_path(mail, "invitation")
    newcomer = app.test_client()
    # No account yet, an English browser: the page still speaks Slovenian, and offers the switcher.
    page = newcomer.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sl">' in page and 'action="/language"' in page
    newcomer.post("/language", data={"lang": "it", "next": path})
    assert '<html lang="it">' in newcomer.get(path).get_data(as_text=True)  # a choice made on the page wins
