from app.extensions import db
from app.services.notifications import notify, unread_count


def test_notification_is_shown_emailed_and_marked_read(client, world, login, outbox):
    notify(world.trainee, "feedback.released", lambda: "Your facilitator has answered", url="/home")
    db.session.commit()
    assert outbox[-1]["To"] == world.trainee.email
    login(world.trainee)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Your facilitator has answered" in page
    assert "1<span class=\"visually-hidden\"> unread" in client.get("/home").get_data(as_text=True)
    note_id = db.session.execute(db.text("select id from notification")).scalar()
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/home"
    assert unread_count(world.trainee) == 0


def test_mark_all_read(client, world, login):
    for i in range(3):
        notify(world.trainee, "x", lambda i=i: f"note {i}", email=False)
    db.session.commit()
    login(world.trainee)
    client.post("/notifications/read")
    assert unread_count(world.trainee) == 0


def test_message_is_written_in_the_recipients_language(world):
    from flask_babel import get_locale
    world.trainee.locale = "pt"
    note = notify(world.trainee, "x", lambda: f"locale={get_locale()}", email=False)
    assert note.message == "locale=pt"


def test_someone_elses_notification_is_not_found(client, world, login):
    notify(world.trainee, "x", lambda: "private", email=False)
    db.session.commit()
    note_id = db.session.execute(db.text("select id from notification")).scalar()
    login(world.facilitator)
    assert client.get(f"/notifications/{note_id}").status_code == 404


def test_the_navigation_count_follows_every_change_from_one_page_to_the_next(client, world, login):
    """The count comes with the session lookup (app/sessions.py): each request counts afresh."""
    badge = "<span class=\"visually-hidden\"> unread"
    login(world.trainee)
    assert badge not in client.get("/home").get_data(as_text=True)
    notify(world.trainee, "x", lambda: "one", email=False)
    notify(world.trainee, "x", lambda: "two", email=False)
    db.session.commit()  # as if written by another request, on another worker
    assert "2" + badge in client.get("/programme/").get_data(as_text=True)
    note_id = db.session.execute(db.text("select min(id) from notification")).scalar()
    client.get(f"/notifications/{note_id}")
    assert "1" + badge in client.get("/home").get_data(as_text=True)
    client.post("/notifications/read")
    assert badge not in client.get("/notifications").get_data(as_text=True)
