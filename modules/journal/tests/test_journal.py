"""The reflection journal through HTTP: privacy by default, sharing and comments, flags to the named
supervisor, group reflection, the privacy guard, autosave and conflicts, export, completion."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CohortRole, Completion, Notification
from app.services import drafts
from modules.journal import services
from modules.journal.models import Comment, Entry, Flag, GroupPost, Supervisor

from .helpers import entry_form, journal_activity


def _new_entry(client, **kw) -> Entry:
    response = client.post("/a/journal/new", data=entry_form(**kw))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Entry).order_by(Entry.id.desc()).limit(1))


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _name_supervisor(world, supervisor, trainee=None):
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=trainee.id if trainee else None,
                              supervisor_id=supervisor.id))
    db.session.commit()


# --- private by default, sharing ------------------------------------------------------------------

def test_a_new_entry_is_private_to_its_owner(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="After the kick-off", body="I was nervous.\n\nThen it went well.")
    assert not entry.shared and entry.body_html == "<p>I was nervous.</p><p>Then it went well.</p>"
    page = ana.get(f"/a/journal/entries/{entry.id}")
    assert page.status_code == 200 and "Then it went well." in page.get_data(as_text=True)
    for persona in ("facilitator", "facilitator_other", "trainee_other", "national_coordinator",
                    "transnational_coordinator", "admin"):
        assert as_user(getattr(world, persona)).get(f"/a/journal/entries/{entry.id}").status_code == 404, persona
    assert _audit("journal.entry.read") == []


def test_sharing_lets_the_cohorts_facilitators_read_and_each_read_is_audited(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Shared thoughts")
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    db.session.refresh(entry)
    assert entry.shared and entry.shared_at is not None

    joao = as_user(world.facilitator)
    assert "Shared thoughts" in joao.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    joao.get(f"/a/journal/entries/{entry.id}")
    reads = _audit("journal.entry.read")
    assert [(e.actor_id, e.target_type, e.target_id) for e in reads] == [(world.facilitator.id, "entry", entry.id)] * 2
    listing = joao.get("/a/journal/shared").get_data(as_text=True)
    assert entry.title in listing
    # Coordinators and admins never see it, shared or not; nor a facilitator of another cohort.
    for persona in ("facilitator_other", "national_coordinator", "transnational_coordinator", "admin", "trainee_other"):
        assert as_user(getattr(world, persona)).get(f"/a/journal/entries/{entry.id}").status_code == 404, persona

    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "0"})
    assert joao.get(f"/a/journal/entries/{entry.id}").status_code == 404
    assert entry.title not in joao.get("/a/journal/shared").get_data(as_text=True)


def test_only_facilitators_have_a_shared_list(world, as_user):
    assert as_user(world.facilitator).get("/a/journal/shared").status_code == 200
    assert as_user(world.national_coordinator).get("/a/journal/shared").status_code == 403
    assert as_user(world.trainee).get("/a/journal/shared").status_code == 403


def test_a_comment_notifies_the_trainee_and_shows_on_dashboards(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Please read")
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    joao = as_user(world.facilitator)
    assert "Shared journal entries with new activity" in joao.get("/home").get_data(as_text=True)
    joao.get(f"/a/journal/entries/{entry.id}")
    assert "Shared journal entries with new activity" not in joao.get("/home").get_data(as_text=True)

    response = joao.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Good observation."})
    assert response.status_code == 302
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.trainee.id))
    assert note.kind == "journal.comment" and "Fia Facilitator" in note.message
    assert note.url == f"/a/journal/entries/{entry.id}"
    assert "Your journal entries with new comments" in ana.get("/home").get_data(as_text=True)
    assert "Good observation." in ana.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    assert "Your journal entries with new comments" not in ana.get("/home").get_data(as_text=True)

    # The trainee answers: new activity for the facilitator again.
    ana.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Thank you!"})
    assert "Shared journal entries with new activity" in joao.get("/home").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def test_nobody_comments_on_a_private_entry(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Private")
    assert as_user(world.facilitator).post(f"/a/journal/entries/{entry.id}/comments",
                                           data={"body": "Hi"}).status_code == 404
    page = ana.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Note to self"}, follow_redirects=True)
    assert "Comments are only possible on an entry that is shared." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


# --- flags: "this is weighing on me" --------------------------------------------------------------

def test_a_flag_goes_only_to_the_named_supervisor_who_answers(world, factory, as_user):
    second_facilitator = factory.enrolled(world.cohort, CohortRole.FACILITATOR, "Sara Supervisor")
    db.session.commit()
    eva = as_user(world.national_coordinator)
    response = eva.post(f"/a/journal/cohorts/{world.cohort.id}/supervisors",
                        data={"trainee_id": "0", "supervisor_id": str(second_facilitator.id)})
    assert response.status_code == 302
    assert _audit("journal.supervisor.set")[0].detail["supervisor_id"] == second_facilitator.id

    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="A hard home visit", body="I cannot stop thinking about it.")
    page = ana.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    assert "Sara Supervisor" in page and "This is weighing on me" in page
    response = ana.post(f"/a/journal/entries/{entry.id}/flag", data={"note": "Could we talk?"})
    flag = db.session.scalar(select(Flag))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/a/journal/flags/{flag.id}")
    assert flag.supervisor_id == second_facilitator.id and not entry.shared
    note = db.session.scalar(select(Notification).where(Notification.user_id == second_facilitator.id))
    assert note.kind == "journal.flag" and note.url == f"/a/journal/flags/{flag.id}"

    sara = as_user(second_facilitator)
    assert "Journal entries flagged to you" in sara.get("/home").get_data(as_text=True)
    flag_page = sara.get(f"/a/journal/flags/{flag.id}").get_data(as_text=True)
    assert "I cannot stop thinking about it." in flag_page and "Could we talk?" in flag_page
    assert _audit("journal.entry.read")[-1].actor_id == second_facilitator.id
    # The supervisor reads the flagged entry through the flag only: the entry itself stays private.
    assert sara.get(f"/a/journal/entries/{entry.id}").status_code == 404
    # The cohort's other facilitator, coordinators and admins see nothing, not even a count.
    for user in (world.facilitator, world.national_coordinator, world.admin, world.transnational_coordinator):
        client = as_user(user)
        assert client.get(f"/a/journal/flags/{flag.id}").status_code == 404
        assert "flagged to you" not in client.get("/home").get_data(as_text=True)
        assert "A hard home visit" not in client.get("/a/journal/flags").get_data(as_text=True)

    assert sara.post(f"/a/journal/flags/{flag.id}/replies",
                     data={"body": "Of course. Tomorrow at 10?"}).status_code == 302
    answer = db.session.scalar(select(Notification).where(Notification.user_id == world.trainee.id))
    assert answer.kind == "journal.flag.answer"
    assert "Tomorrow at 10?" in ana.get(f"/a/journal/flags/{flag.id}").get_data(as_text=True)
    ana.post(f"/a/journal/flags/{flag.id}/close")
    db.session.refresh(flag)
    assert not flag.is_open
    assert "flagged to you" not in sara.get("/home").get_data(as_text=True)


def test_a_trainees_own_supervisor_overrides_the_cohorts(world, factory, as_user):
    other = factory.enrolled(world.cohort, CohortRole.FACILITATOR, "Olga Override")
    _name_supervisor(world, world.facilitator)
    admin = as_user(world.admin)
    admin.post(f"/a/journal/cohorts/{world.cohort.id}/supervisors",
               data={"trainee_id": str(world.trainee.id), "supervisor_id": str(other.id)})
    assert services.resolve_supervisor(world.trainee).id == other.id
    admin.post(f"/a/journal/cohorts/{world.cohort.id}/supervisors",
               data={"trainee_id": str(world.trainee.id), "supervisor_id": "0"})
    assert services.resolve_supervisor(world.trainee).id == world.facilitator.id


def test_supervisors_are_named_by_the_countrys_coordinators_and_admins_only(world, as_user):
    url = f"/a/journal/cohorts/{world.cohort.id}/supervisors"
    assert as_user(world.national_coordinator).get(url).status_code == 200
    assert as_user(world.admin).get(url).status_code == 200
    assert as_user(world.facilitator).get(url).status_code == 403
    assert as_user(world.national_coordinator).get(
        f"/a/journal/cohorts/{world.other_cohort.id}/supervisors").status_code == 403
    refused = as_user(world.admin).post(url, data={"trainee_id": "0", "supervisor_id": str(world.trainee.id)})
    assert "Not a valid choice" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 0


def test_without_a_named_supervisor_a_flag_is_refused_with_a_message(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Heavy")
    response = ana.post(f"/a/journal/entries/{entry.id}/flag", data={}, follow_redirects=True)
    assert "has not named a supervisor yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


# --- group reflection -----------------------------------------------------------------------------

def test_group_reflection_is_for_the_cohorts_trainees_and_facilitators(world, factory, as_user):
    mate = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Maria Mate")
    db.session.commit()
    ana = as_user(world.trainee)
    url = f"/a/journal/groups/{world.cohort.id}"
    assert ana.post(url, data={"title": "What I learnt", "body": "Families know a lot."}).status_code == 302
    post = db.session.scalar(select(GroupPost))
    assert "Families know a lot." in as_user(mate).get(url).get_data(as_text=True)
    joao = as_user(world.facilitator)
    assert joao.post(f"/a/journal/groups/posts/{post.id}/replies",
                     data={f"reply-{post.id}-body": "Well put."}).status_code == 302
    assert "Well put." in ana.get(url).get_data(as_text=True)
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == world.trainee.id)) == \
        "journal.group.reply"
    for persona in ("trainee_other", "facilitator_other", "national_coordinator", "transnational_coordinator",
                    "admin"):
        assert as_user(getattr(world, persona)).get(url).status_code == 404, persona
    # The transnational cohort has its own space; Ana belongs to it, the national facilitator does not.
    assert ana.get(f"/a/journal/groups/{world.transnational.id}").status_code == 200
    assert joao.get(f"/a/journal/groups/{world.transnational.id}").status_code == 404
    # Only authors delete what they wrote.
    assert joao.post(f"/a/journal/groups/posts/{post.id}/delete").status_code == 403
    assert ana.post(f"/a/journal/groups/posts/{post.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(GroupPost)) == 0


# --- the privacy guard ------------------------------------------------------------------------------

def test_the_privacy_guard_stops_a_phone_number_until_it_is_replaced(world, as_user):
    ana = as_user(world.trainee)
    typed = entry_form(body="Visited the mother.\nHer number is +46 70 123 45 67, call before 10.")
    page = ana.post("/a/journal/new", data=typed)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check before saving" in text and "+46 70 123 45 67" in text
    assert "Write instead: [phone removed]" in text
    assert "Suggested pseudonym for the family: “Family A”" in text
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    # What she typed is kept as a draft meanwhile; the page carries its version.
    draft = drafts.get_draft(world.trainee, "journal:new")
    assert "+46 70 123 45 67" in draft.data["body"]
    replaced = entry_form(body="Visited the mother of Family A.\nCall before 10.")
    replaced["draft_version"] = str(draft.version)
    assert ana.post("/a/journal/new", data=replaced).status_code == 302
    entry = db.session.scalar(select(Entry))
    assert "Family A" in entry.body_html and "+46" not in entry.body_html
    assert drafts.get_draft(world.trainee, "journal:new") is None


def test_the_privacy_guard_can_be_confirmed_and_covers_stages_comments_and_group_posts(world, as_user):
    journal_activity(world)
    ana = as_user(world.trainee)
    typed = entry_form(what="I wrote to anna.k@example.org")
    blocked = ana.post("/a/journal/new?activity=journal-whole-family", data=typed)
    assert "Check before saving" in blocked.get_data(as_text=True)
    draft = drafts.get_draft(world.trainee, "journal:new:journal-whole-family")
    typed.update(privacy_confirmed="y", draft_version=str(draft.version))
    assert ana.post("/a/journal/new?activity=journal-whole-family", data=typed).status_code == 302
    entry = db.session.scalar(select(Entry))
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    comment = as_user(world.facilitator).post(f"/a/journal/entries/{entry.id}/comments",
                                              data={"body": "Call 070-123 45 67"})
    assert "Check before saving" in comment.get_data(as_text=True)
    group = ana.post(f"/a/journal/groups/{world.cohort.id}", data={"title": "x", "body": "Mail anna.k@example.org"})
    assert "Check before saving" in group.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(GroupPost)) == 0


# --- autosave, expired sessions, two tabs -----------------------------------------------------------

def test_a_draft_survives_an_expired_session(app, world, as_user):
    bus = as_user(world.trainee)
    bus.post("/drafts/save", data={"draft_key": "journal:new", "draft_version": "0",
                                   "title": "On the bus", "body": "Half of my reflection"})
    bus.post("/logout")
    office = as_user(world.trainee)
    page = office.get("/a/journal/new").get_data(as_text=True)
    assert "Half of my reflection" in page and "On the bus" in page and "Restored your draft" in page
    assert "<h1>New journal entry</h1>" in page


def test_editing_in_two_tabs_gives_a_conflict_not_a_silent_overwrite(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="First version")
    tab_a, tab_b = ana, as_user(world.trainee)
    assert 'name="version" type="hidden" value="1"' in \
        tab_a.get(f"/a/journal/entries/{entry.id}/edit").get_data(as_text=True)
    tab_b.get(f"/a/journal/entries/{entry.id}/edit")
    assert tab_a.post(f"/a/journal/entries/{entry.id}/edit",
                      data=entry_form(body="Tab A", version=1)).status_code == 302
    stale = tab_b.post(f"/a/journal/entries/{entry.id}/edit", data=entry_form(body="Tab B", version=1))
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Nothing was overwritten" in text
    assert "Tab B" in text and "The version saved now" in text
    db.session.refresh(entry)
    assert entry.body_html == "<p>Tab A</p>" and entry.version == 2


def test_a_stale_autosave_version_on_submit_is_a_conflict(world, as_user):
    tab_a, tab_b = as_user(world.trainee), as_user(world.trainee)
    tab_a.post("/drafts/save", data={"draft_key": "journal:new", "draft_version": "0", "body": "tab A text"})
    stale = tab_b.post("/a/journal/new", data=entry_form(body="tab B text"))  # tab B still at draft version 0
    assert stale.status_code == 409 and "Nothing was overwritten" in stale.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    assert drafts.get_draft(world.trainee, "journal:new").data["body"] == "tab A text"


# --- prompts, completion ----------------------------------------------------------------------------

def test_an_activity_entry_has_one_field_per_stage_and_completes_after_min_entries(world, as_user):
    activity = journal_activity(world, min_entries=2)
    ana = as_user(world.trainee)
    page = ana.get("/a/journal/activity/journal-whole-family").get_data(as_text=True)
    assert "Meeting the whole family" in page and "What? So what? Now what? (Borton)" in page
    form = ana.get("/a/journal/new?activity=journal-whole-family").get_data(as_text=True)
    for name in ("stage_what", "stage_so_what", "stage_now_what"):
        assert f'name="{name}"' in form
    url = "/a/journal/new?activity=journal-whole-family"
    assert ana.post(url, data=entry_form(what="We drew an ecomap.", now_what="Ask the son.")).status_code == 302
    completion = db.session.scalar(select(Completion).where(Completion.activity_id == activity.id))
    assert completion.state == "started"
    entry = db.session.scalar(select(Entry))
    assert entry.activity_id == activity.id and entry.prompt_slug == "borton-test"
    assert entry.stage_answers == {"what": "<p>We drew an ecomap.</p>", "now-what": "<p>Ask the son.</p>"}
    shown = ana.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    assert "So what?" in shown and "Not answered." in shown
    ana.post(url, data=entry_form(title="Second", what="They laughed."))
    db.session.refresh(completion)
    assert completion.state == "done" and completion.completed_at is not None


def test_an_empty_entry_is_refused(world, as_user):
    page = as_user(world.trainee).post("/a/journal/new", data=entry_form(body="   "))
    assert "Write something in the entry" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_a_free_entry_can_follow_any_imported_prompt(world, as_user):
    journal_activity(world)
    ana = as_user(world.trainee)
    assert "Meeting the whole family" in ana.get("/a/journal/new").get_data(as_text=True)
    form = ana.get("/a/journal/new?prompt=borton-test").get_data(as_text=True)
    assert 'name="stage_so_what"' in form
    assert ana.post("/a/journal/new?prompt=borton-test", data=entry_form(so_what="It matters.")).status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.activity_id is None and entry.prompt["title"] == "Meeting the whole family"
    assert ana.get("/a/journal/new?prompt=nope").status_code == 404


# --- export, privacy hooks, retention ---------------------------------------------------------------

def test_the_trainee_exports_the_whole_journal_in_markdown_and_html(world, as_user):
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="Kick-off", body="I was **nervous**.")
    _new_entry(ana, title="Second entry", body="Better now")
    ana.post(f"/a/journal/entries/{entry.id}/flag", data={"note": "Heavy week"})
    as_user(world.trainee_other).post("/a/journal/new", data=entry_form(title="Not Ana's", body="x"))
    md = ana.get("/a/journal/export.md")
    assert md.mimetype == "text/markdown" and "attachment" in md.headers["Content-Disposition"]
    text = md.get_data(as_text=True)
    assert "## Kick-off" in text and "## Second entry" in text and "Heavy week" in text and "Not Ana's" not in text
    html = ana.get("/a/journal/export.html").get_data(as_text=True)
    assert "<h2>Kick-off</h2>" in html and "Better now" in html
    assert [e.detail["format"] for e in _audit("journal.export")] == ["md", "html"]


def test_privacy_export_and_erasure_hooks(world, as_user):
    from modules.journal import plugin
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="Mine", body="My words")
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    as_user(world.facilitator).post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Facilitator words"})
    data = plugin.export_user_data(world.trainee)
    assert data["entries"][0]["title"] == "Mine"
    assert data["entries"][0]["comments"][0]["body_html"] == "<p>Facilitator words</p>"
    assert plugin.export_user_data(world.facilitator)["comments_on_others_entries"][0]["body_html"] == \
        "<p>Facilitator words</p>"
    plugin.erase_user_data(world.facilitator)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    plugin.erase_user_data(world.trainee)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def _ended_run_with_journals(world, factory, as_user):
    old = factory.run("Run 2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
    cohort = factory.cohort(old, country="PT", name="Portugal 2024")
    trainee = factory.enrolled(cohort, CohortRole.TRAINEE, "Old Trainee")
    db.session.commit()
    client = as_user(trainee)
    entry = _new_entry(client, title="Old reflection", body="2024 thoughts")
    entry.created_at = entry.created_at.replace(year=2024, month=6)
    db.session.commit()
    client.post(f"/a/journal/groups/{cohort.id}", data={"title": "Old group post", "body": "hello"})
    return old, trainee


def test_purge_deletes_the_journals_of_a_run_past_its_retention_period(app, world, factory, as_user):
    old, trainee = _ended_run_with_journals(world, factory, as_user)
    later = _new_entry(as_user(trainee), title="Written after the run", body="still mine")  # created now, after 2024
    kept = _new_entry(as_user(world.trainee), title="Current run", body="keep me")
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["journal", "purge", "--run", str(old.id), "--dry-run"])
    assert dry.exit_code == 0 and "Dry run: nothing was deleted" in dry.output and "1 journal entries" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 3

    result = runner.invoke(args=["journal", "purge", "--run", "Run 2024"])  # by name, as the admin sees it
    assert result.exit_code == 0, result.output
    assert "Deleted 1 journal entries of 1 trainees and 1 group reflections" in result.output
    titles = set(db.session.scalars(select(Entry.title)))
    assert titles == {later.title, kept.title}
    assert db.session.scalar(select(func.count()).select_from(GroupPost)) == 0
    assert _audit("journal.purge")[0].target_id == old.id


def test_purge_refuses_a_run_inside_its_retention_period(app, world, as_user):
    _new_entry(as_user(world.trainee), body="recent")
    result = app.test_cli_runner().invoke(args=["journal", "purge", "--run", str(world.run.id)])
    assert result.exit_code != 0
    assert "are kept for 365 days (JOURNAL_RETENTION_DAYS)" in result.output and "Nothing was deleted" in result.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
    missing = app.test_cli_runner().invoke(args=["journal", "purge", "--run", "999999"])
    assert missing.exit_code != 0 and "no programme run with id or name '999999'" in missing.output


def test_the_readme_purge_commands_run_as_documented(app, world, factory, as_user):
    """Admin 3: the commands the README gives for the end of the retention period."""
    import re
    import shlex
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^FLASK_APP=wsgi\.py \.venv/bin/flask (journal purge .*)$", readme, re.M)
    assert len(commands) == 2 and "--dry-run" in commands[0]
    name = shlex.split(commands[0])[shlex.split(commands[0]).index("--run") + 1]
    old = factory.run(name, starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31))
    trainee = factory.enrolled(factory.cohort(old, country="PT", name="Portugal 2020"), CohortRole.TRAINEE, "Tiago")
    db.session.add(Entry(owner_id=trainee.id, title="2020", body_html="<p>x</p>", entry_date=date(2020, 5, 1),
                         created_at=datetime(2020, 5, 1)))
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=shlex.split(commands[0]))
    assert dry.exit_code == 0 and "nothing was deleted" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
    done = runner.invoke(args=shlex.split(commands[1]))
    assert done.exit_code == 0 and "Deleted 1 journal entries" in done.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_deleting_an_entry_takes_its_comments_and_flag(world, as_user):
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="to delete")
    ana.post(f"/a/journal/entries/{entry.id}/flag", data={})
    assert as_user(world.facilitator).post(f"/a/journal/entries/{entry.id}/delete").status_code == 404
    assert ana.post(f"/a/journal/entries/{entry.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_coordinators_are_told_which_cohorts_have_no_supervisor(world, as_user):
    eva = as_user(world.national_coordinator)
    assert "Cohorts without a supervisor for flagged journal entries" in eva.get("/home").get_data(as_text=True)
    index = eva.get("/a/journal/").get_data(as_text=True)
    assert f"/a/journal/cohorts/{world.cohort.id}/supervisors" in index
    assert f"/a/journal/cohorts/{world.other_cohort.id}/supervisors" not in index  # Norway is not hers
    _name_supervisor(world, world.facilitator)
    assert "Cohorts without a supervisor" not in eva.get("/home").get_data(as_text=True)
    assert "Cohorts without a supervisor" not in as_user(world.facilitator).get("/home").get_data(as_text=True)


def test_a_supervisors_own_export_does_not_reveal_flags(world, as_user):
    from modules.journal import plugin
    _name_supervisor(world, world.facilitator)
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="Heavy", body="Heavy week")
    ana.post(f"/a/journal/entries/{entry.id}/flag", data={"note": "Talk?"})
    flag = db.session.scalar(select(Flag))
    as_user(world.facilitator).post(f"/a/journal/flags/{flag.id}/replies", data={"body": "Yes, tomorrow."})
    assert "Yes, tomorrow." not in str(plugin.export_user_data(world.facilitator))
    assert "Yes, tomorrow." not in as_user(world.facilitator).get("/a/journal/export.md").get_data(as_text=True)
    mine = plugin.export_user_data(world.trainee)["entries"][0]["flag"]
    assert mine["note_html"] == "<p>Talk?</p>" and mine["answers"][0]["body_html"] == "<p>Yes, tomorrow.</p>"


# --- how people reach the journal ---------------------------------------------------------------

def _nav_has_journal(client) -> bool:
    return 'href="/a/journal/">Journal</a>' in client.get("/home").get_data(as_text=True)


def test_the_journal_is_in_the_navigation_of_those_who_take_part(world, as_user):
    for persona in ("trainee", "trainee_other", "facilitator", "facilitator_other"):
        assert _nav_has_journal(as_user(getattr(world, persona))), persona
    # Coordinators and admins have no journal of their own; they name supervisors from cohort pages.
    for persona in ("national_coordinator", "transnational_coordinator", "admin"):
        assert not _nav_has_journal(as_user(getattr(world, persona))), persona
    # A coordinator named supervisor reaches the entries flagged to them, closed ones included.
    _name_supervisor(world, world.national_coordinator)
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Heavy")
    ana.post(f"/a/journal/entries/{entry.id}/flag", data={})
    ana.post(f"/a/journal/flags/{db.session.scalar(select(Flag.id))}/close")
    nora = as_user(world.national_coordinator)
    assert _nav_has_journal(nora)
    assert 'href="/a/journal/flags"' in nora.get("/a/journal/").get_data(as_text=True)


def test_cohort_pages_link_to_the_group_space_and_to_naming_the_supervisor(world, as_user):
    supervisors = f'href="/a/journal/cohorts/{world.cohort.id}/supervisors"'
    group = f'href="/a/journal/groups/{world.cohort.id}"'
    coordinator_page = as_user(world.national_coordinator).get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert supervisors in coordinator_page and group not in coordinator_page
    admin_page = as_user(world.admin).get(f"/admin/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert supervisors in admin_page
    facilitator_page = as_user(world.facilitator).get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert group in facilitator_page and supervisors not in facilitator_page
    # The transnational coordinator names the transnational cohort's supervisor, not a national one's.
    tom = as_user(world.transnational_coordinator)
    assert f'/a/journal/cohorts/{world.transnational.id}/supervisors' in \
        tom.get(f"/cohorts/{world.transnational.id}").get_data(as_text=True)
    assert supervisors not in tom.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert tom.get(f"/a/journal/cohorts/{world.cohort.id}/supervisors").status_code == 403


def test_the_transnational_coordinator_names_the_transnational_supervisor(world, factory, as_user):
    guide = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Greta Guide")
    db.session.commit()
    response = as_user(world.transnational_coordinator).post(
        f"/a/journal/cohorts/{world.transnational.id}/supervisors",
        data={"trainee_id": "0", "supervisor_id": str(guide.id)})
    assert response.status_code == 302
    # Ana's national cohort names nobody, so her flag goes to the transnational cohort's supervisor.
    assert services.resolve_supervisor(world.trainee).id == guide.id


def test_admins_see_who_read_whose_shared_entry_in_the_audit_log(world, as_user):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="Shared with Fia", body="Words")
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    as_user(world.facilitator).get(f"/a/journal/entries/{entry.id}")
    admin = as_user(world.admin)
    assert 'href="/admin/audit"' in admin.get("/admin/").get_data(as_text=True)
    page = admin.get("/admin/audit?action=journal.entry.read").get_data(as_text=True)
    row = page[page.index("<tbody>"):page.index("</tbody>")]
    assert row.count("<tr>") == 1
    assert "Fia Facilitator" in row and f"entry #{entry.id}" in row
    assert f'owner_id: <a href="/admin/users/{world.trainee.id}">Tina Trainee</a>' in row
    assert "Words" not in page and "Shared with Fia" not in page  # who and which, never what


def test_a_free_entry_links_a_module_and_competencies_and_shows_them(world, as_user):
    activity = journal_activity(world)
    ana = as_user(world.trainee)
    form = ana.get("/a/journal/new").get_data(as_text=True)
    assert f'<option value="{activity.module_id}">The whole family</option>' in form and 'value="C7"' in form
    data = entry_form(title="Linked", body="On the module")
    data.update(module_id=str(activity.module_id), competencies=["C7"])
    assert ana.post("/a/journal/new", data=data).status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.module_id == activity.module_id and entry.competencies == ["C7"] and entry.activity_id is None
    page = ana.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    assert "Module: The whole family" in page and "Competencies: C7" in page
    # An entry on an activity is tied to the activity's module whatever the form says.
    on_activity = entry_form(title="On the prompt", what="x")
    on_activity["module_id"] = "0"
    ana.post("/a/journal/new?activity=journal-whole-family", data=on_activity)
    assert db.session.scalar(select(Entry).where(Entry.title == "On the prompt")).module_id == activity.module_id


def test_the_markdown_export_is_safe_in_a_viewer_that_renders_html(world, as_user, factory):
    from markdown_it import MarkdownIt
    world.trainee.name = "Ana <img src=x onerror=alert(1)> [me](javascript:alert(2))"
    db.session.commit()
    ana = as_user(world.trainee)
    entry = _new_entry(ana, title="[click](javascript:alert(3)) *Kick-off*",
                       body="See [here](javascript:alert(4)) and <b onclick=x>this</b> ![i](http://x/y.png)")
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    as_user(world.facilitator).post(f"/a/journal/entries/{entry.id}/comments",
                                    data={"body": "[x](javascript:alert(5)) <script>alert(6)</script>"})
    text = ana.get("/a/journal/export.md").get_data(as_text=True)
    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered and "onclick" not in rendered
    assert "Kick-off" in rendered and "javascript:alert(5)" in rendered  # shown as typed, as text


def test_opening_an_entry_again_with_nothing_new_writes_nothing(world, as_user):
    from tests.queries import counted_queries
    ana = as_user(world.trainee)
    entry = _new_entry(ana, body="Notes after the home visit")
    ana.get(f"/a/journal/entries/{entry.id}")
    with counted_queries() as statements:
        assert ana.get(f"/a/journal/entries/{entry.id}").status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))], statements


def test_a_new_entry_is_dated_on_the_trainees_own_calendar(world, as_user):
    # A zone whose calendar day is not the server's (UTC) at this hour.
    from app.services.meetings import today_for
    from app.timeutil import utcnow
    world.trainee.timezone = "Pacific/Kiritimati" if utcnow().hour >= 12 else "Pacific/Pago_Pago"
    db.session.commit()
    today = today_for(world.trainee)
    assert today != utcnow().date()
    page = as_user(world.trainee).get("/a/journal/new").get_data(as_text=True)
    assert re.search(rf'name="entry_date"[^>]*value="{today.isoformat()}"', page), page
