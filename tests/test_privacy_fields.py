"""The privacy guard on the core's own free text: a meeting's title and agenda, which a whole
cohort reads (the journal, assignments and evaluations test their own forms)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Meeting
from app.timeutil import utcnow


def test_a_meeting_agenda_naming_a_family_waits_for_confirmation(client, world, login):
    login(world.facilitator)
    url = f"/meetings/cohort/{world.cohort.id}/new"
    data = {"title": "Case discussion", "starts_on": (utcnow().date() + timedelta(days=7)).isoformat(),
            "place": "Storgatan 12", "agenda_md": "- The family at Kungsgatan 7, mother 880320-0016", "hours": "0"}
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Check before saving" in page and "880320-0016" in page and "Kungsgatan 7" in page
    assert "“Storgatan 12”" not in page  # the meeting's own place is not checked
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert client.post(url, data={**data, "privacy_confirmed": "y"}).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    edit = f"/meetings/{meeting.id}/edit"
    assert client.post(edit, data={**data, "agenda_md": "- Family A's plan"}).status_code == 302
    db.session.refresh(meeting)
    assert meeting.agenda_md == "- Family A's plan"
