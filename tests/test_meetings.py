"""Meetings: scheduling from the programme's plans, editing, attendance and the hours it credits,
the calendar page, the home page's reminder and the calendar feed (iCalendar)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_date
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendance, AuditEvent, Cohort, CohortRole, Meeting, MeetingPlan, User
from app.services import ical, progress
from app.services.calendar_feed import feed_token
from app.services.meetings import schedule_meetings, today_for

from .programme_data import build_programme
from .queries import counted_queries
from .test_content_import import REAL_CONTENT

# build_programme: module 1 is national, module 2 transnational; each has one 4-hour meeting plan
# (on day 10 and day 20 after the run's start) and two 1-hour lessons.


def text(response) -> str:
    return response.get_data(as_text=True)


def flat(response) -> str:
    return re.sub(r"\s+", " ", text(response))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _held_meeting(world, built, days_ago: int = 1, cohort=None, plan_index: int = 0) -> Meeting:
    """The cohort's scheduled meeting of a plan, moved so it began `days_ago` days ago."""
    cohort = cohort or world.cohort
    schedule_meetings(cohort)
    row = db.session.scalar(select(Meeting).where(Meeting.cohort_id == cohort.id,
                                                  Meeting.plan_id == built.plans[plan_index].id))
    row.starts_on = row.ends_on = today_for(world.trainee) - timedelta(days=days_ago)
    db.session.commit()
    return row


# Scheduling ------------------------------------------------------------------------------------

def test_schedule_gives_each_cohort_the_plans_of_its_kind_once(world):
    built = build_programme(2, 2, run=world.run)
    built.plans[1].duration_days = 5
    national, transnational = built.plans
    created = schedule_meetings(world.cohort)
    assert [(m.plan_id, m.starts_on, m.ends_on, m.hours) for m in created] == [
        (national.id, date(2026, 10, 11), date(2026, 10, 11), Decimal(4))]
    created = schedule_meetings(world.transnational)
    assert [(m.plan_id, m.starts_on, m.ends_on) for m in created] == [
        (transnational.id, date(2026, 10, 21), date(2026, 10, 25))]
    assert created[0].title == "Meeting 2" and created[0].agenda_md == "- Welcome"

    assert schedule_meetings(world.cohort) == [] and schedule_meetings(world.transnational) == []
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2
    # Content changes a plan's hours: the cohort's meeting follows; its date stays the cohort's.
    row = db.session.scalar(select(Meeting).where(Meeting.cohort_id == world.cohort.id))
    row.starts_on = row.ends_on = date(2026, 10, 14)
    national.hours = Decimal(3)
    assert schedule_meetings(world.cohort) == []
    assert (row.hours, row.starts_on) == (Decimal(3), date(2026, 10, 14))


def test_cli_schedules_a_run_and_is_idempotent(app, world):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["meetings", "schedule", "--run", str(world.run.id)])
    assert result.exit_code == 0, result.output
    # Sweden and Norway get the national meeting, the transnational cohort its own.
    assert result.output.strip() == "Pilot run: 3 meetings scheduled."
    again = runner.invoke(args=["meetings", "schedule", "--run", str(world.run.id)])
    assert again.output.strip() == "Pilot run: 0 meetings scheduled."
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 3
    missing = runner.invoke(args=["meetings", "schedule", "--run", "999999"])
    assert missing.exit_code != 0 and "no run with id 999999" in missing.output


def test_content_import_schedules_the_cohorts_of_its_runs(app, world):
    result = app.test_cli_runner().invoke(args=["content", "import", "--path", str(REAL_CONTENT)])
    assert result.exit_code == 0, result.output
    all_plans = list(db.session.scalars(select(MeetingPlan)))
    # Sweden (`cohort`) follows the common meetings; Norway's variant (`other_cohort`) has its own sessions.
    sweden = [p for p in all_plans if p.kind == "national" and p.shown_to("SE")]
    norway = [p for p in all_plans if p.kind == "national" and p.shown_to("NO")]
    transnational = [p for p in all_plans if p.kind == "transnational"]
    assert sweden and norway and transnational and {p.slug for p in sweden}.isdisjoint(p.slug for p in norway)
    expected = len(sweden) + len(norway) + len(transnational)
    assert f"Scheduled {expected} meetings" in result.output
    counts = dict(db.session.execute(select(Meeting.cohort_id, func.count()).group_by(Meeting.cohort_id)).all())
    assert counts == {world.cohort.id: len(sweden), world.other_cohort.id: len(norway),
                      world.transnational.id: len(transnational)}
    # The 160 hours: the national and transnational meetings' hours are the plans' own.
    kickoff = db.session.scalar(select(Meeting).join(MeetingPlan).where(
        MeetingPlan.slug == "national-kickoff", Meeting.cohort_id == world.cohort.id))
    assert kickoff.hours == Decimal(4) and kickoff.starts_on == world.run.starts_on + timedelta(days=14)
    again = app.test_cli_runner().invoke(args=["content", "import", "--path", str(REAL_CONTENT)])
    assert again.output.strip() == "Nothing to change."
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == expected


def test_a_new_cohort_gets_its_meetings(client, world, login, factory):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    login(world.admin)
    portugal = factory.country("PT")
    response = client.post("/admin/cohorts/new", data={"run_id": str(world.run.id), "kind": "national",
                                                       "country_id": str(portugal.id), "name": "Portugal pilot"})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Portugal pilot"))
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.cohort_id == cohort.id)))
    assert [m.title for m in meetings] == ["Meeting 1"]


# Attendance ------------------------------------------------------------------------------------

def test_facilitator_records_attendance_and_the_hours_appear_for_those_present(client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    absentee = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Rui Absent")
    held = _held_meeting(world, built)
    assert progress.hours_done(world.trainee, world.run).done["national"] == 0

    login(world.facilitator)
    page = flat(client.get(f"/meetings/{held.id}/attendance"))
    assert "Tina Trainee" in page and "Rui Absent" in page
    assert f'<label for="present-{world.trainee.id}">Tina Trainee</label>' in page
    assert "<caption>" in page
    response = client.post(f"/meetings/{held.id}/attendance", data={"present": [str(world.trainee.id)]})
    assert response.status_code == 302
    assert "1 present, 1 absent" in text(client.get(response.headers["Location"]))

    hours = progress.hours_done(db.session.get(User, world.trainee.id), world.run)
    assert hours.done == {"national": Decimal(4), "transnational": Decimal(0)}
    assert progress.hours_done(absentee, world.run).done["national"] == 0
    rows = {a.user_id: a for a in db.session.scalars(select(Attendance))}
    assert rows[world.trainee.id].present and not rows[absentee.id].present
    assert rows[world.trainee.id].recorded_by_id == world.facilitator.id
    assert "meeting.attendance" in _actions()

    # Re-recording updates, it does not add rows.
    client.post(f"/meetings/{held.id}/attendance", data={"present": [str(absentee.id)]})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2
    assert progress.hours_done(db.session.get(User, world.trainee.id), world.run).done["national"] == 0
    assert progress.hours_done(db.session.get(User, absentee.id), world.run).done["national"] == 4


def test_trainee_sees_attended_absent_or_not_recorded(client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    login(world.trainee)
    assert "Attendance not recorded" in text(client.get(f"/meetings/{held.id}"))
    db.session.add(Attendance(meeting_id=held.id, user_id=world.trainee.id, present=False))
    db.session.commit()
    assert "Absent" in text(client.get(f"/meetings/{held.id}"))
    db.session.execute(Attendance.__table__.update().values(present=True))
    db.session.commit()
    page = text(client.get(f"/meetings/{held.id}"))
    assert "Attended" in page and "Record attendance" not in page and "Change date" not in page
    assert "Attended" in text(client.get("/meetings/"))


def test_transnational_attendance_counts_as_transnational_hours(client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    facilitator = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Trans Facilitator")
    db.session.commit()
    held = _held_meeting(world, built, cohort=world.transnational, plan_index=1)
    login(facilitator)
    assert client.post(f"/meetings/{held.id}/attendance",
                       data={"present": [str(world.trainee.id)]}).status_code == 302
    hours = progress.hours_done(db.session.get(User, world.trainee.id), world.run)
    assert hours.done == {"national": Decimal(0), "transnational": Decimal(4)}


def test_only_the_cohorts_facilitator_records_and_only_once_the_meeting_began(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    login(world.facilitator_other)
    assert client.get(f"/meetings/{held.id}/attendance").status_code == 403
    assert client.post(f"/meetings/{held.id}/attendance",
                       data={"present": [str(world.trainee.id)]}).status_code == 403
    client.post("/logout")
    for persona in (world.national_coordinator, world.trainee):
        login(persona)
        assert client.post(f"/meetings/{held.id}/attendance", data={"present": []}).status_code == 403
        client.post("/logout")
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0

    future = _held_meeting(world, built, days_ago=-3)
    login(world.facilitator)
    page = text(client.get(f"/meetings/{future.id}/attendance"))
    assert "Attendance can be recorded from the meeting" in page and 'type="checkbox"' not in page
    response = client.post(f"/meetings/{future.id}/attendance", data={"present": [str(world.trainee.id)]})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_attendance_refuses_someone_outside_the_cohort(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    login(world.facilitator)
    response = client.post(f"/meetings/{held.id}/attendance",
                           data={"present": [str(world.trainee.id), str(world.trainee_other.id)]})
    assert response.status_code == 400
    assert "The list of trainees has changed" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


# Editing ---------------------------------------------------------------------------------------

def test_coordinator_changes_date_place_and_agenda_but_not_planned_hours(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built, days_ago=-5)
    login(world.national_coordinator)
    form = text(client.get(f"/meetings/{held.id}/edit"))
    assert 'name="hours"' not in form and "credited 4 hours" in form
    response = client.post(f"/meetings/{held.id}/edit", data={
        "title": "Kick-off in Linköping", "starts_on": "2026-12-03", "ends_on": "2026-12-04",
        "place": "Stadshuset, Linköping", "agenda_md": "- Welcome\n- **Plans**", "hours": "40"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Meeting, held.id)
    assert (row.title, row.starts_on, row.ends_on, row.place) == (
        "Kick-off in Linköping", date(2026, 12, 3), date(2026, 12, 4), "Stadshuset, Linköping")
    assert row.hours == Decimal(4)
    assert "meeting.update" in _actions()
    page = text(client.get(f"/meetings/{held.id}"))
    assert "<strong>Plans</strong>" in page and "Stadshuset" in page


def test_a_meeting_saved_from_a_stale_page_is_a_conflict_and_overwrites_nothing(app, client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built, days_ago=-5)
    login(world.facilitator)
    colleague = app.test_client()
    colleague.post("/login", data={"email": world.national_coordinator.email, "password": "correct horse battery"})
    url = f"/meetings/{held.id}/edit"
    mine, theirs = (re.search(r'name="base" type="hidden" value="([^"]+)"', text(c.get(url))).group(1)
                    for c in (client, colleague))
    fields = {"title": "Meeting 1", "starts_on": "2026-12-03", "place": ""}
    assert colleague.post(url, data={**fields, "base": theirs, "agenda_md": "- Their agenda"}).status_code == 302
    # This page was loaded before the colleague saved: its save would overwrite their agenda unseen.
    response = client.post(url, data={**fields, "base": mine, "agenda_md": "- My agenda"})
    page = text(response)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and "- My agenda</textarea>" in page and "- Their agenda" in page
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).agenda_md == "- Their agenda"
    # Saved again from the page that showed their agenda, mine replaces it: a choice, not an accident.
    shown = re.search(r'name="base" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(url, data={**fields, "base": shown, "agenda_md": "- Both agendas"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).agenda_md == "- Both agendas"


def test_bad_dates_are_explained_and_nothing_is_written(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    login(world.facilitator)
    response = client.post(f"/meetings/{held.id}/edit", data={
        "title": "Moved", "starts_on": "2026-12-03", "ends_on": "2026-12-01", "place": "", "agenda_md": ""})
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in text(response)
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).title == "Meeting 1"


def test_others_cannot_edit_or_add(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    for persona in (world.facilitator_other, world.trainee, world.transnational_coordinator):
        login(persona)
        assert client.post(f"/meetings/{held.id}/edit", data={"title": "X", "starts_on": "2026-12-01"}
                           ).status_code == 403
        assert client.get(f"/meetings/cohort/{world.cohort.id}/new").status_code == 403
        client.post("/logout")
    transnational = schedule_meetings(world.transnational)[0]
    db.session.commit()
    login(world.transnational_coordinator)
    assert client.get(f"/meetings/{transnational.id}/edit").status_code == 200


def test_an_extra_meeting_credits_no_hours_by_default(client, world, login):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    login(world.facilitator)
    form = text(client.get(f"/meetings/cohort/{world.cohort.id}/new"))
    assert re.search(r'name="hours"[^>]*value="0.00"', form)
    yesterday = today_for(world.facilitator) - timedelta(days=1)
    response = client.post(f"/meetings/cohort/{world.cohort.id}/new", data={
        "title": "Supervision hour", "starts_on": yesterday.isoformat(), "place": "Online",
        "agenda_md": "", "hours": "0"})
    assert response.status_code == 302
    extra = db.session.scalar(select(Meeting).where(Meeting.title == "Supervision hour"))
    assert extra.plan_id is None and extra.hours == 0 and extra.ends_on == yesterday
    assert "meeting.create" in _actions()
    client.post(f"/meetings/{extra.id}/attendance", data={"present": [str(world.trainee.id)]})
    assert progress.hours_done(db.session.get(User, world.trainee.id), world.run).done_total == 0
    assert "Supervision hour" in text(client.get(f"/meetings/cohort/{world.cohort.id}"))


# The calendar and the home page ----------------------------------------------------------------

def test_calendar_lists_meetings_and_due_dates_by_month(client, world, login):
    built = build_programme(2, 2, run=world.run)
    for cohort in (world.cohort, world.transnational):
        schedule_meetings(cohort)
    db.session.commit()
    login(world.trainee)
    page = flat(client.get("/meetings/"))
    assert "October 2026" in page
    # Meetings of both cohorts, and due dates: lesson 1.1 on day 11, lesson 1.2 7 days after meeting 1.
    assert "Meeting 1" in page and "Meeting 2" in page
    assert re.search(r"Oct 12, 2026.*?Due.*?Lesson 1\.1", page)
    assert re.search(r"Oct 18, 2026.*?Due.*?Lesson 1\.2", page)
    assert "Module: Module 1" in page
    assert feed_token(world.trainee) in page
    # Facilitators see their cohort's meetings, no due dates.
    client.post("/logout")
    login(world.facilitator)
    page = flat(client.get("/meetings/"))
    assert "Meeting 1" in page and "Lesson 1.1" not in page and "Meeting 2" not in page
    assert "Meetings of the cohorts you manage" in page
    assert built  # the programme is what the calendar shows


def test_facilitator_is_reminded_of_attendance_to_record(client, world, login):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    login(world.facilitator)
    home = flat(client.get("/home"))
    assert "1 meeting needs its attendance recorded:" in home
    # From the home page straight to the attendance sheet.
    assert (f'<a class="btn btn-sm btn-primary" href="/meetings/{held.id}/attendance" '
            f'aria-label="Record attendance: Meeting 1, {world.cohort.name}">Record attendance</a>') in home
    assert "Attendance to record" in text(client.get("/meetings/"))
    client.post(f"/meetings/{held.id}/attendance", data={"present": [str(world.trainee.id)]})
    home = text(client.get("/home"))
    assert "needs its attendance recorded" not in home and "Meetings: attendance" not in home
    assert "Attendance to record" not in text(client.get("/meetings/"))
    client.post("/logout")
    login(world.facilitator_other)
    assert "Meetings: attendance" not in text(client.get("/home"))


def test_facilitator_home_lists_todays_and_past_meetings_to_record_and_tomorrows(client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    factory.member(world.facilitator, world.transnational, CohortRole.FACILITATOR)
    today_ = _held_meeting(world, built, days_ago=0)
    past = _held_meeting(world, built, days_ago=3, cohort=world.transnational, plan_index=1)
    extra = Meeting(cohort_id=world.cohort.id, title="National half-day", hours=Decimal(4), place="Coimbra",
                    starts_on=today_for(world.facilitator) + timedelta(days=1),
                    ends_on=today_for(world.facilitator) + timedelta(days=1))
    later = Meeting(cohort_id=world.cohort.id, title="Next month", hours=Decimal(0),
                    starts_on=today_for(world.facilitator) + timedelta(days=30),
                    ends_on=today_for(world.facilitator) + timedelta(days=30))
    db.session.add_all([extra, later])
    db.session.commit()
    login(world.facilitator)  # facilitates the national and the transnational cohort
    home = flat(client.get("/home"))
    assert "2 meetings need their attendance recorded:" in home
    # Oldest first: the transnational meeting three days ago, then today's.
    assert home.index(f'href="/meetings/{past.id}/attendance"') < home.index(f'href="/meetings/{today_.id}/attendance"')
    assert f"{world.cohort.name} · {format_date(today_.starts_on)} · today" in home
    section = home[home.index("Tomorrow — record who came after the meeting:"):]
    assert f'<a href="/meetings/{extra.id}">National half-day</a>' in section
    assert "Coimbra · 4 hours for those present" in section
    assert "Next month" not in home
    # The meeting page says when the sheet opens; the sheet itself refuses until then.
    assert "Attendance can be recorded from the meeting" in text(client.get(f"/meetings/{extra.id}"))


def test_home_page_shows_the_trainees_next_meeting(client, world, login):
    built = build_programme(2, 2, run=world.run)
    upcoming = _held_meeting(world, built, days_ago=-2)
    upcoming.place = "Linköping"
    db.session.commit()
    login(world.trainee)
    page = flat(client.get("/home"))
    assert f'Next meeting: <a href="/meetings/{upcoming.id}">Meeting 1</a>' in page and "Linköping" in page




def _calendar_queries(client, world, modules: int) -> int:
    built = build_programme(modules, 3, run=world.run, slug=f"cal{modules}")
    for cohort in (world.cohort, world.transnational):
        schedule_meetings(cohort)
    for plan in built.plans[:2]:
        row = db.session.scalar(select(Meeting).where(Meeting.plan_id == plan.id))
        db.session.add(Attendance(meeting_id=row.id, user_id=world.trainee.id, present=True))
    db.session.commit()
    client.get("/meetings/")
    with counted_queries() as statements:
        response = client.get("/meetings/")
        client.get(f"/meetings/ical/{feed_token(world.trainee)}.ics")
    assert response.status_code == 200 and f"Lesson {modules}.3" in text(response)
    db.session.execute(Attendance.__table__.delete())
    db.session.execute(Meeting.__table__.delete())
    world.run.programme_id = None
    db.session.commit()
    return len(statements)


def test_calendar_and_feed_queries_do_not_grow_with_the_programme(client, world, login):
    login(world.trainee)
    small, large = _calendar_queries(client, world, 3), _calendar_queries(client, world, 12)
    assert small == large, (small, large)


# The calendar feed -----------------------------------------------------------------------------

def parse_ical(body: bytes) -> list[dict[str, str]]:
    """A strict reading of RFC 5545's shape: CRLF everywhere, lines of at most 75 octets, folded
    lines start with a space, balanced BEGIN/END, and the properties each VEVENT must have."""
    assert body.endswith(b"\r\n")
    raw_lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in raw_lines)
    assert all(len(line) <= 75 for line in raw_lines), max(raw_lines, key=len)
    lines: list[str] = []
    for line in raw_lines:
        if line.startswith(b" "):
            lines[-1] += line[1:].decode("utf-8")
        else:
            lines.append(line.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            for required in ("UID", "DTSTAMP", "SUMMARY"):
                assert required in current, (required, current)
            # A due date is all-day; a meeting is timed in a zone the calendar defines.
            timed = any(name.startswith("DTSTART;TZID=") for name in current)
            for prop in ("DTSTART", "DTEND"):
                names = [name for name in current if name.split(";")[0] == prop]
                assert len(names) == 1, (prop, current)
                assert names[0] == (f"{prop};TZID={names[0].partition('=')[2]}" if timed else f"{prop};VALUE=DATE")
                if timed:
                    assert f"TZID:{names[0].partition('=')[2]}" in lines, ("no VTIMEZONE", names[0])
            events.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    assert current is None
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_feed_needs_no_login_and_lists_meetings_and_due_dates(client, world):
    built = build_programme(2, 2, run=world.run)
    schedule_meetings(world.cohort)
    row = db.session.scalar(select(Meeting).where(Meeting.cohort_id == world.cohort.id))
    row.place = "Stadshuset, Linköping; room 4"
    row.ends_on = row.starts_on + timedelta(days=1)
    row.agenda_md = ("- **Welcome** and introductions: who we are, where we work, which families we meet "
                     "and what we hope for\n- See [the plan](https://example.org/plan)")
    db.session.commit()
    response = client.get(f"/meetings/ical/{feed_token(world.trainee)}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    events = parse_ical(response.data)
    meetings = [e for e in events if e["UID"].startswith("meeting-")]
    assert len(meetings) == 1
    event_ = meetings[0]
    assert event_["UID"] == f"meeting-{row.id}@localhost"
    # Timed, in the (Swedish) cohort's zone: 09:00-13:00 on each of the meeting's two days.
    assert event_["DTSTART;TZID=Europe/Stockholm"] == "20261011T090000"
    assert event_["DTEND;TZID=Europe/Stockholm"] == "20261011T130000"
    assert event_["RRULE"] == "FREQ=DAILY;COUNT=2"
    assert event_["SUMMARY"] == "Meeting 1"
    assert unescape(event_["LOCATION"]) == "Stadshuset, Linköping; room 4"
    description = unescape(event_["DESCRIPTION"])
    assert "- Welcome and introductions: who we are" in description and "**" not in description
    assert "the plan (https://example.org/plan)" in description and "Hours: 4" in description
    assert event_["URL"] == f"http://localhost/meetings/{row.id}"
    dues = {e["SUMMARY"]: e for e in events if e["UID"].startswith("due-")}
    assert dues["Due: Lesson 1.1"]["DTSTART;VALUE=DATE"] == "20261012"
    assert dues["Due: Lesson 1.1"]["DTEND;VALUE=DATE"] == "20261013"
    assert len(dues) == len(built.activities)
    # The same meeting keeps its UID from one download to the next.
    again = parse_ical(client.get(f"/meetings/ical/{feed_token(world.trainee)}.ics").data)
    assert sorted(e["UID"] for e in again) == sorted(e["UID"] for e in events)


def test_wrong_token_and_reset_link(client, world, login):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    old = feed_token(world.trainee)
    assert client.get(f"/meetings/ical/{old}.ics").status_code == 200
    user_id, _sep, mac = old.partition("-")
    assert client.get(f"/meetings/ical/{user_id}-{mac[:-2]}xx.ics").status_code == 404
    assert client.get(f"/meetings/ical/{world.trainee_other.id}-{mac}.ics").status_code == 404
    assert client.get("/meetings/ical/nonsense.ics").status_code == 404

    login(world.trainee)
    response = client.post("/meetings/calendar-link/reset")
    assert response.status_code == 302
    assert "The old one no longer works" in text(client.get(response.headers["Location"]))
    assert client.get(f"/meetings/ical/{old}.ics").status_code == 404
    db.session.expire_all()
    new = feed_token(db.session.get(User, world.trainee.id))
    assert new != old and client.get(f"/meetings/ical/{new}.ics").status_code == 200
    assert "calendar.feed_reset" in _actions()

    world_user = db.session.get(User, world.trainee.id)
    world_user.active = False
    db.session.commit()
    assert client.get(f"/meetings/ical/{new}.ics").status_code == 404


def test_folding_never_splits_a_character():
    line = "DESCRIPTION:" + "ö" * 100
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert ical.fold("SUMMARY:short") == "SUMMARY:short"
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
