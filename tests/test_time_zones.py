"""Dates, times and time zones (issue 10, item 5): a new user's zone from their country, the
account page's zone, meeting times from the content and the form, pages in the viewer's zone,
the calendar feed's timed events, and localised numbers with their plural forms."""
from __future__ import annotations

import re
import shutil
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import icalendar
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Country, Meeting, MeetingPlan, User
from app.services.calendar_feed import feed_token
from app.services.meetings import schedule_meetings

from .programme_data import build_programme
from .test_content_import import REAL_CONTENT
from .test_enrolment import HEADER, csv_bytes, upload


@pytest.fixture
def admin_client(client, world, login):
    login(world.admin)
    return client


def page(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def user_named(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def portuguese_meeting(factory, world) -> tuple:
    """A Portuguese cohort of the world's run with its scheduled national meeting and a trainee."""
    cohort = factory.cohort(world.run, country="PT", name="Portugal pilot")
    ana = factory.enrolled(cohort, name="Ana Pereira")
    ana.locale, ana.timezone = "pt", "Europe/Lisbon"
    build_programme(2, 2, run=world.run)
    schedule_meetings(cohort)
    meeting = db.session.scalar(select(Meeting).where(Meeting.cohort_id == cohort.id))
    db.session.commit()
    return cohort, ana, meeting


# A new user's time zone -------------------------------------------------------------------------

def test_the_partners_have_their_time_zones(admin_client):
    zones = dict(db.session.execute(select(Country.code, Country.time_zone)).all())
    assert zones == {"SE": "Europe/Stockholm", "NO": "Europe/Oslo", "SI": "Europe/Ljubljana",
                     "PT": "Europe/Lisbon", "IT": "Europe/Rome"}
    assert "Europe/Lisbon" in page(admin_client.get("/admin/countries"))


def test_people_enrolled_from_a_file_get_their_countrys_zone(client, world, factory, login, outbox):
    portugal = factory.cohort(world.run, country="PT", name="Portugal pilot")
    db.session.commit()
    login(world.admin)
    response = upload(client, portugal, csv_bytes(HEADER, "ana@example.org,Ana Pereira,trainee,,"))
    assert response.status_code == 302
    response = upload(client, world.transnational, csv_bytes(HEADER, "chiara@example.org,Chiara Ricci,trainee,IT,",
                                                             "nomad@example.org,No Country,trainee,,"))
    assert response.status_code == 302
    assert user_named("ana@example.org").timezone == "Europe/Lisbon"
    assert user_named("chiara@example.org").timezone == "Europe/Rome"
    # Neither a country nor a language: the fallback zone, as before.
    assert user_named("nomad@example.org").timezone == "Europe/Stockholm"


def test_an_account_the_admin_creates_takes_the_zone_of_its_language(admin_client, outbox):
    response = admin_client.post("/admin/users/new", data={"name": "Rui Santos", "email": "rui@example.org",
                                                           "site_role": "", "locale": "pt"})
    assert response.status_code == 302
    assert user_named("rui@example.org").timezone == "Europe/Lisbon"


def test_the_cli_creates_a_portuguese_user_in_lisbon_and_refuses_an_unknown_language(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "marta@example.org", "--name", "Marta Sousa",
                                 "--language", "pt", "--password", "a quiet harbour at dawn"])
    assert result.exit_code == 0, result.output
    assert user_named("marta@example.org").timezone == "Europe/Lisbon"
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X",
                                 "--language", "xx", "--password", "a quiet harbour at dawn"])
    assert result.exit_code == 1 and "--language must be one of" in result.output
    assert user_named("x@example.org") is None


def test_the_demo_puts_each_country_in_its_zone(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    assert user_named("ana.pt@demo.life-academy.eu").timezone == "Europe/Lisbon"
    assert user_named("lars.se@demo.life-academy.eu").timezone == "Europe/Stockholm"
    assert user_named("nina.si@demo.life-academy.eu").timezone == "Europe/Ljubljana"


def test_a_user_changes_their_zone_and_a_bad_one_is_refused_clearly(client, world, login):
    login(world.trainee)
    response = client.post("/account", data={"name": "Tina T", "locale": "en", "timezone": "../../etc/passwd"})
    assert response.status_code == 200
    assert "choose a time zone from the list, for example Europe/Lisbon" in page(response)
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).timezone == "Europe/Stockholm"
    assert client.post("/account", data={"name": "Tina T", "locale": "en",
                                         "timezone": "Europe/Lisbon"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).timezone == "Europe/Lisbon"


# Meeting times ------------------------------------------------------------------------------------

def test_content_times_reach_the_plans_and_a_bad_time_is_a_file_line_error(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "import", "--path", str(REAL_CONTENT)]).exit_code == 0
    week = db.session.scalar(select(MeetingPlan).where(MeetingPlan.slug == "transnational-week-1"))
    kickoff = db.session.scalar(select(MeetingPlan).where(MeetingPlan.slug == "national-kickoff"))
    assert (week.starts_at, week.ends_at) == (time(9), time(15))
    assert (kickoff.starts_at, kickoff.ends_at) == (time(9), time(13))  # the half-day default

    root = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, root)
    module = root / "modules" / "01-transnational-week-1" / "module.yaml"
    text = module.read_text(encoding="utf-8")
    # Unquoted 13:00 is read as a time (not YAML 1.1's base-60 number); 25:00 is no time.
    module.write_text(text.replace('    start: "09:00"\n', "    start: 13:00\n").replace('end: "15:00"', "end: 25:00"),
                      encoding="utf-8")
    line = text.splitlines().index('    end: "15:00"') + 1
    result = runner.invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert (f"content/modules/01-transnational-week-1/module.yaml:{line}: 'end' must be a time of day written "
            f"HH:MM, for example 09:00") in result.output
    assert "'start' must be" not in result.output


def test_scheduled_meetings_take_the_plan_times_in_the_countrys_zone(world, factory):
    _cohort, _ana, meeting = portuguese_meeting(factory, world)
    assert (meeting.starts_at, meeting.ends_at, meeting.time_zone) == (time(9), time(13), "Europe/Lisbon")


def _edit(client, meeting, **changes):
    data = {"title": meeting.title, "starts_on": meeting.starts_on.isoformat(), "ends_on": "",
            "place": "Lisboa", "agenda_md": "", "starts_at": "09:00", "ends_at": "13:00",
            "time_zone": meeting.time_zone, **changes}
    return client.post(f"/meetings/{meeting.id}/edit", data=data)


def test_the_meeting_form_refuses_an_end_before_the_start_and_a_far_year(client, world, factory, login):
    cohort, _ana, meeting = portuguese_meeting(factory, world)
    coordinator = factory.enrolled(cohort, "coordinator", "Helena Costa")
    db.session.commit()
    login(coordinator)
    form = page(client.get(f"/meetings/{meeting.id}/edit"))
    assert 'name="starts_at"' in form and 'value="09:00"' in form and 'value="13:00"' in form

    response = _edit(client, meeting, starts_at="14:00", ends_at="12:30")
    assert response.status_code == 400 and "The meeting must end after it starts." in page(response)
    response = _edit(client, meeting, starts_on="9999-01-01")
    assert response.status_code == 400 and "Give a date between Jan 1, 2000 and Dec 31, 2100." in page(response)
    response = _edit(client, meeting, time_zone="Mars/Olympus")
    assert response.status_code == 400 and "Choose a time zone from the list" in page(response)
    response = _edit(client, meeting, ends_at="25:99")
    assert response.status_code == 400
    db.session.expire_all()
    unchanged = db.session.get(Meeting, meeting.id)
    assert (unchanged.starts_on.year, unchanged.starts_at, unchanged.ends_at, unchanged.place) == (
        2026, time(9), time(13), "")

    assert _edit(client, meeting, starts_at="14:00", ends_at="17:30").status_code == 302
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert (saved.starts_at, saved.ends_at, saved.place) == (time(14), time(17, 30), "Lisboa")


def test_a_new_meeting_refuses_a_far_year_too(client, world, login):
    login(world.facilitator)
    response = client.post(f"/meetings/cohort/{world.cohort.id}/new", data={
        "title": "Extra", "starts_on": "9999-12-31", "starts_at": "10:00", "ends_at": "11:00",
        "time_zone": "Europe/Stockholm", "hours": "0"})
    assert response.status_code == 400 and "Give a date between Jan 1, 2000 and Dec 31, 2100." in page(response)
    assert db.session.scalar(select(Meeting).where(Meeting.title == "Extra")) is None


def test_pages_show_meeting_times_in_the_viewers_zone(client, world, factory, login):
    cohort, ana, meeting = portuguese_meeting(factory, world)
    visitor = factory.enrolled(cohort, "coordinator", "Eva Lind")  # in Stockholm, an hour ahead of Lisbon
    db.session.commit()
    login(ana)  # Portuguese, in Lisbon: the meeting's own times, on a 24-hour clock
    shown = page(client.get(f"/meetings/{meeting.id}"))
    assert "09:00–13:00" in shown and "(Europe/" not in shown
    client.post("/logout")
    login(visitor)
    shown = page(client.get(f"/meetings/{meeting.id}"))
    # English clocks have twelve hours.
    assert "10:00 AM–2:00 PM (Europe/Stockholm)" in shown
    assert "10:00 AM–2:00 PM" in page(client.get(f"/meetings/cohort/{cohort.id}"))


# The calendar feed --------------------------------------------------------------------------------

def test_the_feed_parses_with_icalendar_and_carries_the_tzid_in_the_owners_language(client, world, factory):
    _cohort, ana, meeting = portuguese_meeting(factory, world)
    meeting.ends_on = meeting.starts_on + timedelta(days=2)
    db.session.commit()
    response = client.get(f"/meetings/ical/{feed_token(ana)}.ics", headers={"Accept-Language": "sv"})
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    zones = [tz for tz in calendar.walk("VTIMEZONE")]
    assert [str(tz["TZID"]) for tz in zones] == ["Europe/Lisbon"]
    event_ = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"meeting-{meeting.id}@"))
    start = event_["DTSTART"]
    assert start.params["TZID"] == "Europe/Lisbon"
    assert start.dt == datetime(2026, 10, 11, 9, 0, tzinfo=start.dt.tzinfo)
    assert start.dt.utcoffset() == timedelta(hours=1)  # Lisbon is on summer time in October
    assert event_["DTEND"].dt.hour == 13 and event_["RRULE"]["COUNT"] == [3]
    # The owner's language (Portuguese), not the fetching client's.
    dues = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("due-")]
    assert dues and all(summary.startswith("Prazo: ") for summary in dues)


def test_the_vtimezone_covers_the_winter_before_the_first_summer_change():
    from app.services import ical
    lines = ical.vtimezone("Europe/Lisbon", 2027, 2027)
    text = "\r\n".join(lines)
    # Winter 2026-27 (from the last Sunday of October 2026) and summer 2027, each with its onset.
    assert "BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000" in text
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20270328T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100" in text
    utc = "\r\n".join(ical.vtimezone("UTC", 2027, 2027))
    assert "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000" in utc


# Numbers and plurals ------------------------------------------------------------------------------

def test_hours_are_localised_decimals_with_their_plural(client, world, factory, login):
    built = build_programme(1, 2, run=world.run)
    module = built.modules[0]
    module.hours = Decimal("7.5")
    built.activities[0].hours = Decimal(1)
    built.activities[1].hours = Decimal(2)
    portuguese = factory.enrolled(world.cohort, name="Rui Santos")
    portuguese.locale = "pt"
    db.session.commit()

    login(world.trainee)
    english = page(client.get(f"/programme/modules/{module.slug}"))
    assert "7.5 hours" in english
    lesson = page(client.get(f"/a/reading/{built.activities[0].slug}"))
    assert ">1 hour<" in lesson and "1 hours" not in lesson
    assert ">2 hours<" in page(client.get(f"/a/reading/{built.activities[1].slug}"))
    client.post("/logout")

    login(portuguese)
    assert "7,5" in page(client.get(f"/programme/modules/{module.slug}"))


def test_plural_count_takes_whole_numbers_and_fractions(app):
    from app.numbers import plural_count
    assert [plural_count(v) for v in (Decimal(1), Decimal("1.00"), Decimal(2), Decimal("7.5"), None)] == [
        1, 1, 2, 3, 0]
    assert isinstance(plural_count(Decimal("4.00")), int)


def test_calendar_dates_stay_in_range_2000_2100(world):
    # The service refuses what the form would let through (years have four digits in forms).
    from app.services.meetings import MeetingError, add_meeting
    try:
        add_meeting(world.cohort, title="Far", starts_on=date(1999, 12, 31), ends_on=None, place="", agenda_md="")
    except MeetingError as error:
        assert error.problems == [("starts_on", "Give a date between Jan 1, 2000 and Dec 31, 2100.")]
    else:
        raise AssertionError("a date in 1999 was accepted")


@pytest.mark.parametrize(("lang", "label"), [("sl", "Italija (lokalni čas) (Europe/Rome)"),
                                             ("pt", "Horário Itália (Europe/Rome)")])
def test_the_zone_list_names_the_zones_in_the_users_language(client, world, login, lang, label):
    world.trainee.locale = lang
    db.session.commit()
    login(world.trainee)
    html = client.get("/account").get_data(as_text=True)
    assert f">{label}</option>" in html
    assert ">UTC</option>" in html
