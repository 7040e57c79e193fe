"""Admin pages for countries, programme runs, cohorts and memberships, through HTTP as the admin."""
from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Cohort, Country, Membership, ProgrammeRun, User


@pytest.fixture
def admin_client(client, world, login):
    login(world.admin)
    return client


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# Countries ------------------------------------------------------------------------------------

def test_the_five_partners_are_listed_and_a_country_can_be_added(admin_client, world):
    page = page_text(admin_client.get("/admin/countries"))
    for name in ("Sweden", "Norway", "Slovenia", "Portugal", "Italy"):
        assert name in page
    response = admin_client.post("/admin/countries", data={"code": "fi", "name": "Finland", "default_locale": "en"})
    assert response.status_code == 302
    finland = db.session.scalar(select(Country).where(Country.code == "FI"))
    assert finland.name == "Finland" and finland.default_locale == "en"
    assert "admin.country.create" in actions()
    assert "Finland" in page_text(admin_client.get("/admin/countries"))


@pytest.mark.parametrize(("data", "message"), [
    ({"code": "se", "name": "Sweden again"}, "The country SE is already in the list."),
    ({"code": "F1", "name": "Finland"}, "two-letter ISO code"),
    ({"code": "FIN", "name": "Finland"}, "Field must be exactly 2 characters long."),
    ({"code": "FI", "name": "Finland", "default_locale": "fi"}, "Not a valid choice."),
    ({"code": "FI", "name": ""}, "This field is required."),
])
def test_a_bad_country_is_refused_with_a_message(admin_client, world, data, message):
    before = count(Country)
    response = admin_client.post("/admin/countries", data={"default_locale": "en", **data})
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Country) == before


# Runs -----------------------------------------------------------------------------------------

def test_create_a_run_and_land_on_its_page(admin_client, world):
    response = admin_client.post("/admin/runs/new", data={"name": "LIFE 2027–2028", "starts_on": "2027-10-01",
                                                          "ends_on": "2028-09-30"})
    run = db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name == "LIFE 2027–2028"))
    assert run.starts_on == date(2027, 10, 1) and run.ends_on == date(2028, 9, 30)
    assert response.headers["Location"].endswith(f"/admin/runs/{run.id}")
    page = page_text(admin_client.get(f"/admin/runs/{run.id}"))
    assert "This run has no cohorts yet" in page
    assert f'href="/admin/cohorts/new?run_id={run.id}&kind=transnational"' in html.unescape(page)
    assert "admin.run.create" in actions()


@pytest.mark.parametrize(("starts", "ends"), [("2027-10-01", "2027-09-30"), ("2027-10-01", "2027-10-01")])
def test_a_run_must_end_after_it_starts(admin_client, world, starts, ends):
    response = admin_client.post("/admin/runs/new", data={"name": "Backwards", "starts_on": starts, "ends_on": ends})
    assert response.status_code == 200
    assert "The run must end after it starts" in page_text(response)
    assert count(ProgrammeRun, ProgrammeRun.name == "Backwards") == 0


def test_run_names_are_unique(admin_client, world):
    response = admin_client.post("/admin/runs/new", data={"name": "pilot RUN", "starts_on": "2027-10-01",
                                                          "ends_on": "2028-09-30"})
    assert "There is already a run called “pilot RUN”" in page_text(response)
    assert count(ProgrammeRun) == 1


def test_run_dates_must_be_dates(admin_client, world):
    response = admin_client.post("/admin/runs/new", data={"name": "X", "starts_on": "soon", "ends_on": ""})
    assert "Not a valid date value." in page_text(response)
    assert count(ProgrammeRun) == 1


def test_edit_a_run(admin_client, world):
    page = admin_client.get(f"/admin/runs/{world.run.id}/edit").get_data(as_text=True)
    assert 'value="2026-10-01"' in page
    response = admin_client.post(f"/admin/runs/{world.run.id}/edit", data={
        "name": "Pilot run (renamed)", "starts_on": "2026-09-01", "ends_on": "2027-09-30"})
    assert response.status_code == 302
    run = fresh(ProgrammeRun, world.run.id)
    assert run.name == "Pilot run (renamed)" and run.starts_on == date(2026, 9, 1)
    response = admin_client.post(f"/admin/runs/{world.run.id}/edit", data={
        "name": "Pilot run (renamed)", "starts_on": "2028-01-01", "ends_on": "2027-09-30"})
    assert "The run must end after it starts" in page_text(response)
    assert fresh(ProgrammeRun, world.run.id).starts_on == date(2026, 9, 1)


def _base(client, url: str) -> str:
    return re.search(r'name="base" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_run_and_cohort_edits_from_a_stale_page_are_conflicts_and_undo_nothing(app, admin_client, world, factory):
    colleague = factory.user(email="second.admin@example.org", site_role="admin")
    db.session.commit()
    other_admin = app.test_client()
    assert other_admin.post("/login", data={"email": colleague.email, "password": factory.PASSWORD}).status_code == 302
    run_url, cohort_url = f"/admin/runs/{world.run.id}/edit", f"/admin/cohorts/{world.cohort.id}/edit"
    mine = {url: _base(admin_client, url) for url in (run_url, cohort_url)}
    run_data = {"starts_on": "2026-10-01", "ends_on": "2027-09-30"}
    cohort_data = _cohort_data(world.run, country=factory.country("SE"), name="")
    assert other_admin.post(run_url, data={**run_data, "name": "Their run name",
                                           "base": _base(other_admin, run_url)}).status_code == 302
    assert other_admin.post(cohort_url, data={**cohort_data, "name": "Their cohort name",
                                              "base": _base(other_admin, cohort_url)}).status_code == 302
    # These pages were loaded before the other administrator saved: their saves would undo those unseen.
    for url, data, theirs in ((run_url, run_data, "Their run name"), (cohort_url, cohort_data, "Their cohort name")):
        response = admin_client.post(url, data={**data, "name": "My name", "base": mine[url]})
        page = response.get_data(as_text=True)
        assert response.status_code == 409, url
        assert "Nothing was overwritten" in page and 'value="My name"' in page and theirs in page
    assert fresh(ProgrammeRun, world.run.id).name == "Their run name"
    assert fresh(Cohort, world.cohort.id).name == "Their cohort name"


def test_run_page_lists_its_cohorts_with_member_counts(admin_client, world):
    page = admin_client.get(f"/admin/runs/{world.run.id}").get_data(as_text=True)
    row = re.search(r"Sweden pilot</a></th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["1", "1", "1"]
    assert "Transnational pilot" in page and "Norway pilot" in page
    assert "Create a national cohort" in page
    assert "Create the transnational cohort" not in page  # the run has it already


def test_runs_list(admin_client, world):
    page = page_text(admin_client.get("/admin/runs"))
    assert "Pilot run" in page and re.search(r"Pilot run</a></th>.*?<td class=\"text-end\">3</td>", page, re.S)


# Cohorts --------------------------------------------------------------------------------------

def _cohort_data(run, kind="national", country=None, name="New cohort"):
    return {"run_id": str(run.id), "kind": kind, "country_id": str(country.id) if country else "", "name": name}


def test_create_a_national_cohort(admin_client, world, factory):
    portugal = factory.country("PT")
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(world.run, country=portugal,
                                                                          name="Portugal pilot"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Portugal pilot"))
    assert cohort.country_id == portugal.id and cohort.kind == "national" and cohort.run_id == world.run.id
    assert response.headers["Location"].endswith(f"/admin/cohorts/{cohort.id}")
    assert "admin.cohort.create" in actions()


def test_create_form_starts_from_the_run_and_kind_in_the_link(admin_client, world):
    page = admin_client.get(f"/admin/cohorts/new?run_id={world.run.id}&kind=transnational").get_data(as_text=True)
    assert f'<option selected value="{world.run.id}">' in page
    assert '<option selected value="transnational">' in page


def test_a_national_cohort_needs_a_country(admin_client, world):
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(world.run))
    assert "A national cohort belongs to a country: choose one." in page_text(response)
    assert count(Cohort) == 3


def test_a_transnational_cohort_has_no_country(admin_client, world, factory):
    run = factory.run("Next run")
    db.session.commit()
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(run, "transnational", factory.country("SE")))
    assert "leave the country empty" in page_text(response)
    assert count(Cohort, Cohort.run_id == run.id) == 0
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(run, "transnational", name="All of us"))
    assert response.status_code == 302
    assert count(Cohort, Cohort.run_id == run.id, Cohort.kind == "transnational") == 1


def test_only_one_transnational_cohort_per_run(admin_client, world):
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(world.run, "transnational", name="Second"))
    assert response.status_code == 200
    assert "already has its transnational cohort, “Transnational pilot”; a run has only one" in page_text(response)
    assert count(Cohort, Cohort.kind == "transnational") == 1


def test_cohort_names_are_unique_within_a_run(admin_client, world, factory):
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(world.run, country=factory.country("SE"),
                                                                          name="sweden PILOT"))
    assert "already has a cohort called “sweden PILOT”" in page_text(response)
    assert count(Cohort) == 3


def test_several_national_cohorts_per_country(admin_client, world, factory):
    response = admin_client.post("/admin/cohorts/new", data=_cohort_data(world.run, country=factory.country("SE"),
                                                                          name="Sweden pilot, group 2"))
    assert response.status_code == 302
    assert count(Cohort, Cohort.country_id == factory.country("SE").id) == 2


def test_edit_a_cohort(admin_client, world, factory):
    page = admin_client.get(f"/admin/cohorts/{world.cohort.id}/edit").get_data(as_text=True)
    assert 'value="Sweden pilot"' in page
    response = admin_client.post(f"/admin/cohorts/{world.cohort.id}/edit", data=_cohort_data(
        world.run, country=factory.country("SE"), name="Sweden pilot A"))
    assert response.status_code == 302
    assert fresh(Cohort, world.cohort.id).name == "Sweden pilot A"
    assert "admin.cohort.update" in actions()


def test_editing_cannot_make_a_second_transnational_cohort(admin_client, world):
    response = admin_client.post(f"/admin/cohorts/{world.cohort.id}/edit", data=_cohort_data(
        world.run, "transnational", name="Sweden pilot"))
    assert "a run has only one" in page_text(response)
    assert fresh(Cohort, world.cohort.id).kind == "national"


def test_the_transnational_cohort_can_be_edited_itself(admin_client, world):
    response = admin_client.post(f"/admin/cohorts/{world.transnational.id}/edit", data=_cohort_data(
        world.run, "transnational", name="Transnational week"))
    assert response.status_code == 302


def test_cohort_list_shows_every_cohort(admin_client, world):
    page = page_text(admin_client.get("/admin/cohorts"))
    for name in ("Sweden pilot", "Norway pilot", "Transnational pilot"):
        assert name in page


def test_cohort_form_without_runs_says_to_create_one(admin_client, world):
    db.session.execute(Membership.__table__.delete())
    db.session.execute(Cohort.__table__.delete())
    db.session.execute(ProgrammeRun.__table__.delete())
    db.session.commit()
    assert "Create a run first." in page_text(admin_client.get("/admin/cohorts/new"))


# Memberships ----------------------------------------------------------------------------------

def test_cohort_page_lists_members_with_roles(admin_client, world):
    page = page_text(admin_client.get(f"/admin/cohorts/{world.cohort.id}"))
    for name in ("Tina Trainee", "Fia Facilitator", "Nora Coordinator"):
        assert name in page
    assert "Otto Othertrainee" not in page
    assert 'for="role-' in page and "Enrol people from a CSV file" in page


def test_add_a_member_by_email(admin_client, world):
    response = admin_client.post(f"/admin/cohorts/{world.cohort.id}/members",
                                 data={"email": world.trainee_other.email.upper(), "role": "trainee"})
    assert response.status_code == 302
    assert count(Membership, Membership.cohort_id == world.cohort.id,
                 Membership.user_id == world.trainee_other.id) == 1
    assert "admin.membership.create" in actions()


def test_adding_an_unknown_email_says_to_create_the_user(admin_client, world):
    response = admin_client.post(f"/admin/cohorts/{world.cohort.id}/members",
                                 data={"email": "nobody@example.org", "role": "trainee"})
    assert response.status_code == 200
    assert "No user has the e-mail nobody@example.org" in page_text(response)


def test_adding_an_existing_member_says_so(admin_client, world):
    before = count(Membership)
    response = admin_client.post(f"/admin/cohorts/{world.cohort.id}/members",
                                 data={"email": world.facilitator.email, "role": "trainee"})
    assert "Fia Facilitator is already a member of this cohort, as facilitator." in page_text(response)
    assert count(Membership) == before


def test_change_a_members_role(admin_client, world):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == world.trainee.id,
                                                            Membership.cohort_id == world.cohort.id))
    response = admin_client.post(f"/admin/memberships/{membership.id}/role", data={"role": "facilitator"},
                                 follow_redirects=True)
    assert "The role of Tina Trainee is changed." in page_text(response)
    assert fresh(Membership, membership.id).role == "facilitator"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.membership.update"))
    assert event.detail["before"] == "trainee" and event.detail["role"] == "facilitator"


def test_an_unknown_role_is_refused(admin_client, world):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == world.trainee.id,
                                                            Membership.cohort_id == world.cohort.id))
    response = admin_client.post(f"/admin/memberships/{membership.id}/role", data={"role": "admin"},
                                 follow_redirects=True)
    assert "Choose trainee, facilitator or national coordinator." in page_text(response)
    assert fresh(Membership, membership.id).role == "trainee"


def test_remove_a_member_keeps_the_account(admin_client, world):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == world.trainee.id,
                                                            Membership.cohort_id == world.cohort.id))
    response = admin_client.post(f"/admin/memberships/{membership.id}/remove", follow_redirects=True)
    assert "Tina Trainee is no longer a member of this cohort." in page_text(response)
    assert fresh(Membership, membership.id) is None
    assert fresh(User, world.trainee.id) is not None
    assert "admin.membership.delete" in actions()


# The journey: a new run from scratch ----------------------------------------------------------

def test_admin_sets_up_a_run_and_imports_trainees_after_fixing_a_bad_row(admin_client, world, outbox):
    admin_client.post("/admin/runs/new", data={"name": "LIFE 2027", "starts_on": "2027-01-10",
                                               "ends_on": "2027-12-20"})
    run = db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name == "LIFE 2027"))
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    for code in ("SE", "NO", "SI", "PT", "IT"):
        response = admin_client.post("/admin/cohorts/new", data=_cohort_data(
            run, country=countries[code], name=f"{countries[code].name} 2027"))
        assert response.status_code == 302
    assert admin_client.post("/admin/cohorts/new", data=_cohort_data(
        run, "transnational", name="Transnational 2027")).status_code == 302
    assert count(Cohort, Cohort.run_id == run.id) == 6

    portugal = db.session.scalar(select(Cohort).where(Cohort.name == "Portugal 2027"))
    bad = "email;name;role;country\nana@example.org;Ana Pereira;;PT\nrui@example.org;Rui Santos;;ES\n"
    response = admin_client.post(f"/admin/cohorts/{portugal.id}/import", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(bad.encode()), "trainees.csv")})
    assert "Unknown country “ES”" in page_text(response)
    assert count(Membership, Membership.cohort_id == portugal.id) == 0 and outbox == []

    fixed = bad.replace(";ES", ";PT")
    response = admin_client.post(f"/admin/cohorts/{portugal.id}/import", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(fixed.encode()), "trainees.csv")})
    assert response.status_code == 302
    assert count(Membership, Membership.cohort_id == portugal.id) == 2
    assert sorted(m["To"] for m in outbox) == ["ana@example.org", "rui@example.org"]
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert ana.locale == "pt"
    run_page = admin_client.get(f"/admin/runs/{run.id}").get_data(as_text=True)
    row = re.search(r"Portugal 2027</a></th>(.*?)</tr>", run_page, re.S).group(1)
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["2", "0", "0"]


def test_a_clash_the_checks_could_not_see_rolls_everything_back(admin_client, world, monkeypatch):
    """Two admins saving the same name at the same moment: the database's unique rule decides."""
    from app.services import runs
    monkeypatch.setattr(runs, "_check_run", lambda *args, **kwargs: None)
    response = admin_client.post("/admin/runs/new", data={"name": "Pilot run", "starts_on": "2027-10-01",
                                                          "ends_on": "2028-09-30"})
    assert response.status_code == 409
    assert "Someone else changed the same data at the same moment" in page_text(response)
    assert count(ProgrammeRun) == 1 and "admin.run.create" not in actions()
    assert admin_client.get("/admin/runs").status_code == 200
