"""Meetings, attendance and the calendar: a meeting of the Swedish cohort that began yesterday.

Its cohort's members and those who may see the cohort's status see it; the cohort's facilitator
records attendance; facilitators, national coordinators of the country and admins change it (a
transnational coordinator only the transnational cohort's). The calendar feed needs no login: the
secret address is the credential."""
from datetime import timedelta

from app.extensions import db
from app.services.calendar_feed import feed_token
from app.timeutil import utcnow

from ..programme_data import meeting, programme_for_world
from . import everyone, only, signed_in

VIEWERS = ("trainee", "facilitator", "national_coordinator", "transnational_coordinator", "admin")
MANAGERS = ("facilitator", "national_coordinator", "admin")
MEETING_FORM = {"title": "Kick-off", "starts_on": "2026-10-12", "ends_on": "", "place": "Room 4",
                "agenda_md": "- Welcome", "hours": "0"}


def setup(world):
    built = programme_for_world(world)
    held = meeting(world.cohort, built.plans[0], utcnow().date() - timedelta(days=1))
    db.session.commit()
    return {"authz_meeting": held, "trainee_feed_token": feed_token(world.trainee)}


ROUTES = {
    ("meetings.calendar", "GET"): signed_in(),
    ("meetings.reset_feed", "POST"): signed_in(),
    # No login: the token is the credential (checked before meetings.reset_feed changes it).
    ("meetings.feed", "GET"): everyone(args={"token": "trainee_feed_token"}),
    ("meetings.meeting", "GET"): only(*VIEWERS, args={"meeting_id": "authz_meeting.id"}),
    ("meetings.attendance", "GET"): only("facilitator", args={"meeting_id": "authz_meeting.id"}),
    ("meetings.attendance", "POST"): only("facilitator", args={"meeting_id": "authz_meeting.id"}),
    ("meetings.cohort_meetings", "GET"): only(*VIEWERS, args={"cohort_id": "cohort.id"}),
    ("meetings.edit", "GET"): only(*MANAGERS, args={"meeting_id": "authz_meeting.id"}),
    ("meetings.edit", "POST"): only(*MANAGERS, args={"meeting_id": "authz_meeting.id"}, data=MEETING_FORM),
    ("meetings.new", "GET"): only(*MANAGERS, args={"cohort_id": "cohort.id"}),
    ("meetings.new", "POST"): only(*MANAGERS, args={"cohort_id": "cohort.id"}, data=MEETING_FORM),
}
