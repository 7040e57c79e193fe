"""Content pinned per run (docs/content-versions.md): an import reaches the runs that open later
and leaves the runs under way as they are until an admin applies the update, which never
touches the trainees' work; an update that would orphan work is refused whole."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.content.versions import record_version
from app.extensions import db
from app.models import (
    Activity,
    Attendance,
    AuditEvent,
    Completion,
    ContentVersion,
    Meeting,
    ProgrammeRun,
)
from app.services import runs
from app.services.programme import overview, viewer_for
from app.timeutil import utcnow

from .programme_data import build_programme, complete
from .test_content_import import FIRST, FIRST_FILE, SECOND_ACTIVITY_LINE, run, write_tree
from .test_programme_pages import counted_queries

#: The correction of the issue: a lesson renamed and a task's hours changed (the module's hours
#: stay 10: the other reading gives the hour up).
EDITED = (FIRST.replace("title: Read the introduction", "title: Read the welcome")
          .replace("    hours: 2\n    due: {after_start_days: 7}", "    hours: 3\n    due: {after_start_days: 7}")
          .replace("    hours: 4\n    due: {after_meeting", "    hours: 3\n    due: {after_meeting"))
#: read-more removed; read-intro takes its hours.
WITHOUT_READ_MORE = FIRST[:FIRST.index("  - slug: read-more")].replace(
    "    hours: 2\n    due: {after_start_days: 7}", "    hours: 6\n    due: {after_start_days: 7}")


def _imported(app, tmp_path, first: str = FIRST, folder: str = "a"):
    content = write_tree(tmp_path / folder, {FIRST_FILE: first})
    return run(app, "import", "--path", str(content))


def _run_with_trainee(factory, name: str, starts_in_days: int):
    today = utcnow().date()
    starts_on = today + timedelta(days=starts_in_days)
    the_run = runs.create_run(name, starts_on, starts_on + timedelta(days=360))
    cohort = runs.create_cohort(the_run, "national", factory.country("SE"), f"Sweden {name}")
    trainee = factory.enrolled(cohort, name=f"Trainee of {name}")
    db.session.commit()
    return the_run, cohort, trainee


def _seen(user) -> dict[str, tuple[str, Decimal]]:
    """What the trainee's programme shows: activity slug -> (title, hours)."""
    view = overview(viewer_for(user))
    return {a.activity.slug: (a.activity.title, a.activity.hours) for m in view.modules for a in m.activities}


def _work(user) -> list[tuple]:
    completions = db.session.execute(select(Completion.activity_id, Completion.state, Completion.completed_at)
                                     .where(Completion.user_id == user.id).order_by(Completion.id)).all()
    attendance = db.session.execute(select(Attendance.meeting_id, Attendance.present)
                                    .where(Attendance.user_id == user.id)).all()
    return [*completions, *attendance]


def test_an_edit_reaches_next_years_run_and_waits_in_this_years_until_applied(app, tmp_path, factory, client, login):
    assert _imported(app, tmp_path).exit_code == 0
    this_year, cohort, trainee = _run_with_trainee(factory, "2026/27", -60)
    next_year, _cohort, newcomer = _run_with_trainee(factory, "2027/28", 300)
    intro = db.session.scalar(select(Activity).where(Activity.slug == "read-intro"))
    complete(trainee, intro)
    meeting = db.session.scalar(select(Meeting).where(Meeting.cohort_id == cohort.id))
    db.session.add(Attendance(meeting_id=meeting.id, user_id=trainee.id, present=True))
    db.session.commit()
    work_before = _work(trainee)
    done_before = overview(viewer_for(trainee)).hours.done_total

    result = _imported(app, tmp_path, EDITED, "b")
    assert result.exit_code == 0, result.output
    assert "run “2027/28” (not started yet) follows it" in result.output
    assert 'run “2026/27” keeps its version; to correct it: flask content apply --run "2026/27"' in result.output

    # Next year's run, and a run opened after the import, teach the corrected content.
    later, _c, latecomer = _run_with_trainee(factory, "2028/29", 700)
    for user in (newcomer, latecomer):
        assert _seen(user)["read-intro"] == ("Read the welcome", Decimal(3))
        assert _seen(user)["read-more"][1] == Decimal(3)
    # This year's run is unchanged, on its pages too.
    assert _seen(trainee)["read-intro"] == ("Read the introduction", Decimal(2))
    assert _seen(trainee)["read-more"][1] == Decimal(4)
    login(trainee)
    page = client.get("/programme/modules/first").get_data(as_text=True)
    assert "Read the introduction" in page and "Read the welcome" not in page
    lesson = client.get("/a/reading/read-intro").get_data(as_text=True)
    assert "Read the introduction" in lesson and "Read the welcome" not in lesson

    # The correction is shown first, and a dry run writes nothing.
    preview = run(app, "apply", "--run", "2026/27", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "activity renamed: “Read the introduction” → “Read the welcome” (read-intro)" in preview.output
    assert "activity hours changed: Read the welcome: 2 → 3 (read-intro)" in preview.output
    assert "activity hours changed: Read more: 4 → 3 (read-more)" in preview.output
    assert "Dry run: nothing was written." in preview.output
    db.session.expire_all()
    assert _seen(trainee)["read-intro"] == ("Read the introduction", Decimal(2))

    applied = run(app, "apply", "--run", "2026/27")
    assert applied.exit_code == 0, applied.output
    db.session.expire_all()
    assert _seen(trainee)["read-intro"] == ("Read the welcome", Decimal(3))
    # The trainee's completions and attendance are the same rows, untouched; the hour the
    # correction adds to the lesson is credited because the lesson is worth it now.
    assert _work(trainee) == work_before
    assert overview(viewer_for(trainee)).hours.done_total == done_before + 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "content.apply")) == 1
    again = run(app, "apply", "--run", "2026/27")
    assert "already teaches the latest content version" in again.output
    assert later.content_version_id == db.session.get(ProgrammeRun, this_year.id).content_version_id


def _database_state() -> list:
    return [db.session.scalar(select(func.count()).select_from(ContentVersion)),
            db.session.execute(select(Activity.slug, Activity.title, Activity.hours, Activity.retired)
                               .order_by(Activity.slug)).all(),
            db.session.execute(select(ProgrammeRun.name, ProgrammeRun.content_version_id)
                               .order_by(ProgrammeRun.name)).all()]


def test_an_import_that_would_orphan_work_in_a_following_run_is_refused_whole(app, tmp_path, factory):
    assert _imported(app, tmp_path).exit_code == 0
    _next_year, _cohort, early = _run_with_trainee(factory, "2027/28", 300)
    complete(early, db.session.scalar(select(Activity).where(Activity.slug == "read-more")))
    db.session.commit()
    before = _database_state()

    result = _imported(app, tmp_path, WITHOUT_READ_MORE, "b")

    assert result.exit_code == 1
    assert (f"content/modules/01-first/module.yaml:{SECOND_ACTIVITY_LINE}: the activity 'read-more' (Read more) "
            "is gone from the new content, but trainees of the run “2027/28” have work on it "
            "(0 hand-ins or answers, 1 completions)") in result.output
    assert "Import refused: nothing was imported." in result.output
    db.session.expire_all()
    assert _database_state() == before


def test_a_running_run_keeps_a_removed_activity_and_refuses_an_update_that_would_orphan_it(app, tmp_path, factory):
    assert _imported(app, tmp_path).exit_code == 0
    _this_year, _cohort, trainee = _run_with_trainee(factory, "2026/27", -60)
    complete(trainee, db.session.scalar(select(Activity).where(Activity.slug == "read-more")))
    db.session.commit()

    assert _imported(app, tmp_path, WITHOUT_READ_MORE, "b").exit_code == 0
    # Retired in the latest content, still part of this run's programme, with the work on it.
    assert "read-more" in _seen(trainee)

    refused = run(app, "apply", "--run", "2026/27")
    assert refused.exit_code == 1
    assert f"module.yaml:{SECOND_ACTIVITY_LINE}: the activity 'read-more'" in refused.output
    assert "Update refused: nothing was changed." in refused.output
    db.session.expire_all()
    assert "read-more" in _seen(trainee)


def test_the_admin_previews_and_applies_an_update_on_the_run_page(app, tmp_path, factory, client, login, world):
    assert _imported(app, tmp_path).exit_code == 0
    this_year, _cohort, trainee = _run_with_trainee(factory, "2026/27", -60)
    run_page = f"/admin/runs/{this_year.id}"
    login(world.admin)
    assert "An update is available" not in client.get(run_page).get_data(as_text=True)
    assert _imported(app, tmp_path, EDITED, "b").exit_code == 0

    page = client.get(run_page).get_data(as_text=True)
    assert "An update is available" in page
    preview = client.get(f"{run_page}/content").get_data(as_text=True)
    assert "Renamed: “Read the introduction” → “Read the welcome”" in preview
    assert "Hours: 2 → 3" in preview
    target = re.search(r'name="target" type="hidden" value="(\d+)"', preview).group(1)

    # A stale preview (another import since) applies nothing.
    stale = client.post(f"{run_page}/content", data={"target": "0"})
    assert stale.status_code == 302 and stale.headers["Location"].endswith(f"{run_page}/content")
    assert _seen(trainee)["read-intro"][0] == "Read the introduction"

    response = client.post(f"{run_page}/content", data={"target": target}, follow_redirects=True)
    assert "now teaches the content version of" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _seen(trainee)["read-intro"] == ("Read the welcome", Decimal(3))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.apply"))
    assert event.actor_id == world.admin.id and event.target_id == this_year.id
    assert "An update is available" not in client.get(run_page).get_data(as_text=True)


def test_reimporting_the_same_content_makes_no_new_version(app, tmp_path):
    assert _imported(app, tmp_path).exit_code == 0
    assert _imported(app, tmp_path, folder="b").exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(ContentVersion)) == 1


def _pinned_page_queries(client, world, url: str, modules: int, activities: int) -> tuple[int, str]:
    built = build_programme(modules, activities, run=world.run, slug=f"pin{modules}x{activities}")
    for activity in built.activities[::3]:
        complete(world.trainee, activity)
    record_version(built.programme)
    world.run.content_version_id = built.programme.content_version_id
    for row in [*built.activities, *built.modules]:
        row.title += " (corrected)"
    record_version(built.programme)  # the run is under way: it keeps the first version
    db.session.commit()
    client.get(url)  # warm-up: the login's own queries are not the page's
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/programme/", "/programme/modules/pin{m}x{a}-m1"])
def test_a_pinned_runs_pages_make_as_many_queries_whatever_the_programmes_size(client, world, login, url):
    login(world.trainee)
    small, page = _pinned_page_queries(client, world, url.format(m=3, a=3), 3, 3)
    assert "Module 1" in page and "(corrected)" not in page
    world.run.programme_id = None
    db.session.commit()
    large, page = _pinned_page_queries(client, world, url.format(m=12, a=10), 12, 10)
    assert "Module 1" in page and "(corrected)" not in page
    assert small == large, (small, large)


def test_each_activity_type_counts_its_own_work_for_the_refusal(client, world, login):
    from app.content.versions import current_snapshot
    from app.services.content_updates import orphaned
    from modules.assignment.tests.helpers import build_assignments
    assignments = build_assignments(world)
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={"body": "My practice", "action": "submit", "draft_version": 0,
                                               "base_version": 0})
    before = current_snapshot(assignments.built.programme)
    after = {**before, "activities": {slug: fields for slug, fields in before["activities"].items()
                                      if slug not in ("asg-text", "asg-files")}}
    blockers = orphaned(world.run, before, after)
    # The text task has a hand-in (and is started); the files task nothing: only the first blocks.
    assert [(b.slug, b.work, b.completions) for b in blockers] == [("asg-text", 1, 1)]


def test_journal_entries_and_questionnaire_answers_count_as_work(world):
    from datetime import date

    from modules.evaluation.models import AnonymousResponse, NamedResponse
    from modules.evaluation.plugin import plugin as evaluation
    from modules.journal.models import Entry
    from modules.journal.plugin import plugin as journal
    built = build_programme(1, 3, run=world.run)
    reflection, anonymous, named = built.activities
    other = world.trainee_other
    db.session.add_all([
        Entry(owner_id=world.trainee.id, title="A day", entry_date=date(2026, 11, 2), activity_id=reflection.id),
        Entry(owner_id=other.id, title="Not in the run", entry_date=date(2026, 11, 2), activity_id=reflection.id),
        AnonymousResponse(activity_id=anonymous.id, cohort_id=world.cohort.id, code="x" * 64),
        NamedResponse(activity_id=named.id, cohort_id=world.cohort.id, user_id=world.trainee.id),
    ])
    db.session.commit()
    ids = [a.id for a in built.activities]
    assert journal.work_counts(ids, [world.trainee.id], [world.cohort.id]) == {reflection.id: 1}
    assert evaluation.work_counts(ids, [world.trainee.id], [world.cohort.id]) == {anonymous.id: 1, named.id: 1}
    assert evaluation.work_counts(ids, [other.id], [-1]) == {}


def test_the_run_page_shows_why_an_orphaning_update_cannot_be_applied(app, tmp_path, factory, client, login, world):
    assert _imported(app, tmp_path).exit_code == 0
    this_year, _cohort, trainee = _run_with_trainee(factory, "2026/27", -60)
    complete(trainee, db.session.scalar(select(Activity).where(Activity.slug == "read-more")))
    db.session.commit()
    imported = _imported(app, tmp_path, WITHOUT_READ_MORE, "b")
    assert imported.exit_code == 0, imported.output  # the run under way keeps its version: nothing is orphaned
    pinned_to = db.session.get(ProgrammeRun, this_year.id).content_version_id
    login(world.admin)
    preview = client.get(f"/admin/runs/{this_year.id}/content").get_data(as_text=True)
    assert "This update cannot be applied" in preview
    assert (f"“Read more” (content/modules/01-first/module.yaml:{SECOND_ACTIVITY_LINE}) is gone from the new "
            "content, but trainees of this run have work on it: 0 hand-ins or answers, 1 completions") in preview
    assert "Apply the update" not in preview
    latest = db.session.scalar(select(func.max(ContentVersion.id)))
    response = client.post(f"/admin/runs/{this_year.id}/content", data={"target": str(latest)},
                           follow_redirects=True)
    assert "The update was not applied" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProgrammeRun, this_year.id).content_version_id == pinned_to
    assert "read-more" in _seen(trainee)


def test_a_dry_run_import_says_it_would_be_refused_and_writes_nothing(app, tmp_path, factory):
    assert _imported(app, tmp_path).exit_code == 0
    _next_year, _cohort, early = _run_with_trainee(factory, "2027/28", 300)
    complete(early, db.session.scalar(select(Activity).where(Activity.slug == "read-more")))
    db.session.commit()
    before = _database_state()
    content = write_tree(tmp_path / "b", {FIRST_FILE: WITHOUT_READ_MORE})
    result = run(app, "import", "--path", str(content), "--dry-run")
    assert result.exit_code == 1 and "Import refused: nothing was imported." in result.output
    db.session.expire_all()
    assert _database_state() == before


def test_a_variant_that_now_replaces_an_activity_a_country_has_worked_on_is_refused(app, tmp_path, factory):
    from .test_content_import import VARIANT
    assert _imported(app, tmp_path).exit_code == 0
    _this_year, _cohort, swede = _run_with_trainee(factory, "2026/27", -60)
    complete(swede, db.session.scalar(select(Activity).where(Activity.slug == "read-more")))
    db.session.commit()
    content = write_tree(tmp_path / "b")
    (content / "variants" / "se" / "lessons").mkdir(parents=True)
    (content / "variants" / "se" / "lessons" / "se.md").write_text("Hej.", encoding="utf-8")
    (content / "variants" / "se" / "variant.yaml").write_text(VARIANT, encoding="utf-8")
    assert run(app, "import", "--path", str(content)).exit_code == 0

    refused = run(app, "apply", "--run", "2026/27")

    assert refused.exit_code == 1
    assert ("the activity 'read-more' (Read more) is gone from the new content for SE (its national variant), "
            "but trainees of the run “2026/27” have work on it (0 hand-ins or answers, 1 completions)"
            ) in refused.output
    db.session.expire_all()
    assert "read-more" in _seen(swede) and "se-read-more" not in _seen(swede)
