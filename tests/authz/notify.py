"""Announcements, reminders, notification settings and unsubscribing.

Anyone who sees a cohort's status writes announcements (to the audiences their role allows:
tests/test_announcements.py) and reminds its late trainees; an announcement is read by its
sender, its recipients and admins (others: not found). The unsubscribe link needs no login: the
signed token is the credential."""
from app.extensions import db
from app.models import Announcement, AnnouncementRecipient
from app.services.unsubscribe import make_token

from . import STATUS_VIEWERS, everyone, only, signed_in


def setup(world):
    item = Announcement(sender_id=world.facilitator.id, language="en", subject="Welcome", body="<p>Hello</p>",
                        versions={}, audience="Sweden pilot", recipients=1)
    db.session.add(item)
    db.session.flush()
    db.session.add(AnnouncementRecipient(announcement_id=item.id, user_id=world.trainee.id))
    db.session.commit()
    return {"authz_announcement": item, "unsubscribe_token": make_token(world.trainee.id, "announcement")}


READERS = ("trainee", "facilitator", "admin")
ROUTES = {
    ("notify.new_announcement", "GET"): only("facilitator", "facilitator_other", *STATUS_VIEWERS[1:]),
    # Without an audience the form is shown again: who gets through is what matters here.
    ("notify.new_announcement", "POST"): only("facilitator", "facilitator_other", *STATUS_VIEWERS[1:],
                                              data={"subject": "Hello"}),
    ("notify.announcement_list", "GET"): signed_in(),
    ("notify.announcement", "GET"): only(*READERS, denied="notfound",
                                         args={"announcement_id": "authz_announcement.id"}),
    ("notify.cohort_reminders", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("notify.cohort_reminders", "POST"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"},
                                              data={"activity_id": ""}),
    ("notify.save_preferences", "POST"): signed_in(data={"pref_announcement": "now"}),
    ("notify.unsubscribe_page", "GET"): everyone(args={"token": "unsubscribe_token"}),
    ("notify.unsubscribe", "POST"): everyone(args={"token": "unsubscribe_token"}),
}
