"""A note to the supervisor or a comment typed on an entry page that is out of date (the
supervisor named, or the sharing, changed since it was loaded) is not lost: the page comes back
with the text and what changed, and nothing is sent to anyone the page did not name."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import CohortRole
from modules.journal.models import Comment, Entry, Flag, GroupPost, GroupReply, Supervisor

from .helpers import entry_form

NOTE = "Could we talk about the Silva family?"
COMMENT = "What did the school say?"



def _entry(client) -> Entry:
    assert client.post("/a/journal/new", data=entry_form(body="A hard visit.")).status_code == 302
    return db.session.scalar(select(Entry).order_by(Entry.id.desc()).limit(1))


def _base(page: str) -> str:
    return re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)


def _name_supervisor(world, supervisor):
    db.session.execute(Supervisor.__table__.delete())
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=None, supervisor_id=supervisor.id))
    db.session.commit()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_flag_form_naming_a_supervisor_who_was_replaced_keeps_the_note(world, factory, as_user):
    sara = factory.enrolled(world.cohort, CohortRole.FACILITATOR, "Sara Supervisor")
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _entry(ana)
    url = f"/a/journal/entries/{entry.id}"
    shown = _base(ana.get(url).get_data(as_text=True))
    _name_supervisor(world, sara)

    response = ana.post(f"{url}/flag", data={"note": NOTE, "base": shown})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Your supervisor changed after you opened this page" in page and "Sara Supervisor" in page
    assert NOTE in page.split('name="note"')[1].split("</textarea>")[0]  # still in the form, to send
    assert _count(Flag) == 0

    again = ana.post(f"{url}/flag", data={"note": NOTE, "base": _base(page)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Flag)).supervisor_id == sara.id


def test_a_flag_refused_because_no_supervisor_is_named_any_more_keeps_the_note(world, as_user):
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _entry(ana)
    url = f"/a/journal/entries/{entry.id}"
    shown = _base(ana.get(url).get_data(as_text=True))
    db.session.execute(Supervisor.__table__.delete())
    db.session.commit()

    for data in ({"note": NOTE, "base": shown}, {"note": NOTE}):  # a stale page, and a form with no base
        response = ana.post(f"{url}/flag", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code in (409, 422)
        assert "no longer names a supervisor" in page or "has not named a supervisor yet" in page
        assert "Your text was not sent" in page and NOTE in page
    assert _count(Flag) == 0


def test_a_fresh_flag_form_sends(world, as_user):
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _entry(ana)
    url = f"/a/journal/entries/{entry.id}"
    assert ana.post(f"{url}/flag", data={"note": NOTE, "base": _base(ana.get(url).get_data(as_text=True))}) \
        .status_code == 302
    assert _count(Flag) == 1


def test_a_comment_on_an_entry_made_private_meanwhile_is_given_back(world, as_user):
    ana = as_user(world.trainee)
    entry = _entry(ana)
    url = f"/a/journal/entries/{entry.id}"
    ana.post(f"{url}/sharing", data={"shared": "1"})
    joao = as_user(world.facilitator)
    assert COMMENT not in joao.get(url).get_data(as_text=True)
    ana.get(url)  # the owner's own tab, loaded while shared
    ana.post(f"{url}/sharing", data={"shared": "0"})

    # The facilitator cannot read it any more: the same 404 as for any entry, with the text back.
    response = joao.post(f"{url}/comments", data={"body": COMMENT})
    page = response.get_data(as_text=True)
    assert response.status_code == 404, page
    assert "not shared with you" in page and COMMENT in page, page[page.find("<main"):][:1500]
    assert "A hard visit." not in page
    # The owner still sees the entry: the page says what changed and gives the text back.
    response = ana.post(f"{url}/comments", data={"body": COMMENT})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "made private after this page was opened" in page and COMMENT in page
    assert _count(Comment) == 0

    ana.post(f"{url}/sharing", data={"shared": "1"})
    assert joao.post(f"{url}/comments", data={"body": COMMENT}).status_code == 302
    assert _count(Comment) == 1


def test_a_group_reply_to_a_reflection_deleted_meanwhile_is_given_back(world, as_user):
    ana, joao = as_user(world.trainee), as_user(world.facilitator)
    url = f"/a/journal/groups/{world.cohort.id}"
    assert ana.post(url, data={"title": "What I learnt", "body": "Families know a lot."}).status_code == 302
    post_id = db.session.scalar(select(GroupPost.id))
    assert f"reply-{post_id}-body" in joao.get(url).get_data(as_text=True)  # Joao's page shows the form
    assert ana.post(f"/a/journal/groups/posts/{post_id}/delete").status_code == 302
    sent = joao.post(f"/a/journal/groups/posts/{post_id}/replies", data={f"reply-{post_id}-body": COMMENT})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 404 and "Your text was not sent" in page and COMMENT in page
    assert 'href="/a/journal/groups"' in page and "Families know a lot." not in page
    assert _count(GroupReply) == 0
    # Nothing typed, nothing to give back: the plain 404.
    empty = joao.post(f"/a/journal/groups/posts/{post_id}/replies", data={f"reply-{post_id}-body": " "})
    assert empty.status_code == 404 and "Your text was not sent" not in empty.get_data(as_text=True)
