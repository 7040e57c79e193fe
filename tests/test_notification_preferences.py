"""Notification preferences (at once, daily digest, off; safety notices cannot be turned off) and
the one-click unsubscribe link of every e-mail (RFC 8058)."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, NotificationPreference
from app.services import preferences
from app.services.accounts import send_password_link
from app.services.notifications import notify
from app.services.unsubscribe import make_token


def _unsubscribe_path(mail) -> str:
    return re.match(r"<http://localhost(/unsubscribe/[^>]+)>", mail["List-Unsubscribe"]).group(1)


def test_the_account_page_offers_each_kind_but_not_safety_notices(client, world, login):
    login(world.trainee)
    page = client.get("/account").get_data(as_text=True)
    for kind in preferences.KINDS:
        assert f'name="pref_{kind}"' in page
    assert 'name="pref_safety"' not in page
    assert "always e-mailed at once" in page
    response = client.post("/account/notifications", data={"pref_activity": "digest", "pref_reminder": "off"})
    assert response.status_code == 302
    assert preferences.all_modes(world.trainee) == {"announcement": "now", "reminder": "off", "activity": "digest",
                                                    "summary": "digest"}


def test_a_forged_post_cannot_turn_safety_notices_off(client, world, login):
    login(world.facilitator)
    response = client.post("/account/notifications", data={"pref_safety": "off", "pref_activity": "off"},
                           follow_redirects=True)
    assert "safety notices cannot be turned off" in response.get_data(as_text=True)
    assert db.session.scalar(select(NotificationPreference.id)) is None
    # Nor a mode a kind does not offer (the summary is a digest; it cannot come "at once").
    client.post("/account/notifications", data={"pref_summary": "now"})
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_a_blank_choice_changes_nothing_and_a_bad_one_saves_nothing(client, world, login):
    login(world.trainee)
    response = client.post("/account/notifications", data={"pref_activity": " ", "pref_reminder": "off"})
    assert response.status_code == 302
    assert preferences.all_modes(world.trainee)["reminder"] == "off"
    assert preferences.all_modes(world.trainee)["activity"] == preferences.DEFAULTS["activity"]
    # One mode the kind does not offer: none of the others in the same form is saved either.
    response = client.post("/account/notifications", data={"pref_reminder": "now", "pref_summary": "now"},
                           follow_redirects=True)
    assert response.status_code == 200 and "cannot be saved" in response.get_data(as_text=True)
    assert preferences.all_modes(world.trainee)["reminder"] == "off"


def test_safety_notices_are_sent_at_once_whatever_the_settings_and_without_unsubscribe(world, outbox):
    for kind in preferences.KINDS:
        preferences.set_mode(world.facilitator, kind, preferences.OFF)
    db.session.commit()
    notify(world.facilitator, "journal.flag", lambda: "A trainee would like to talk", url="/a/journal/flags")
    db.session.commit()
    assert len(outbox) == 1 and "List-Unsubscribe" not in outbox[0]
    notify(world.facilitator, "assignment.feedback", lambda: "Feedback", url="/x")
    db.session.commit()
    assert len(outbox) == 1


def test_account_emails_have_no_unsubscribe_link(client, world, outbox):
    send_password_link(world.trainee, "reset")
    db.session.commit()
    assert "List-Unsubscribe" not in outbox[-1] and "/unsubscribe/" not in outbox[-1].get_content()


def test_daily_digest_mode_keeps_the_email_for_the_digest(world, outbox):
    preferences.set_mode(world.trainee, preferences.ACTIVITY, preferences.DIGEST)
    db.session.commit()
    notify(world.trainee, "assignment.feedback", lambda: "Your facilitator has answered", url="/x")
    db.session.commit()
    assert outbox == []
    assert db.session.scalar(select(Notification.digest_pending)) is True


def test_one_click_unsubscribe_from_the_mail_headers(client, world, outbox):
    notify(world.trainee, "assignment.feedback", lambda: "Your facilitator has answered", url="/x")
    db.session.commit()
    mail = outbox[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_path(mail)
    assert path in mail.get_content()
    # The mail client's POST: no session, no form token (CSRF is on, as in production).
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    assert preferences.mode_for(world.trainee, preferences.ACTIVITY) == preferences.OFF
    notify(world.trainee, "assignment.feedback", lambda: "Again", url="/x")
    db.session.commit()
    assert len(outbox) == 1


def test_the_link_opened_in_a_browser_asks_first(client, world):
    path = f"/unsubscribe/{make_token(world.trainee.id, 'announcement')}"
    page = client.get(path).get_data(as_text=True)
    assert "Stop these e-mails" in page and f'action="{path}"' in page
    assert preferences.mode_for(world.trainee, preferences.ANNOUNCEMENT) == preferences.NOW
    client.post(path)
    assert preferences.mode_for(world.trainee, preferences.ANNOUNCEMENT) == preferences.OFF


def test_forged_tokens_are_not_found(client, world):
    token = make_token(world.trainee.id, "announcement")
    assert client.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    assert client.post(f"/unsubscribe/{'a' * 400}").status_code == 404
    from itsdangerous import URLSafeSerializer
    safety = URLSafeSerializer(client.application.config["SECRET_KEY"], salt="life-unsubscribe").dumps(
        [world.trainee.id, "safety"])
    assert client.post(f"/unsubscribe/{safety}").status_code == 404


def test_header_values_have_no_line_breaks(app, world):
    from app.mail import build_message
    forged = "https://x/unsubscribe/t\r\nBcc: b@example.org"
    message = build_message("a@example.org", "Hi", "Body", unsubscribe_url=forged)
    assert "\r\nBcc" not in message["List-Unsubscribe"] and message["List-Unsubscribe"].startswith("<https://x/")
