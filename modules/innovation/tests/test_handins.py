"""The hand-ins of the micro-innovation through HTTP: a template task starts from the record
(never over a draft or a hand-in), the task says which record it belongs to, the record lists its
hand-ins with their status and puts hand-ins and released feedback on its timeline, another
trainee's work never shows, the privacy guard reads prefilled text, and a wrong `from_record` in
content is an error at its file:line."""
from __future__ import annotations

import html
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Draft
from app.plugins import ConfigError, ContentContext
from modules.assignment import plugin as assignment_plugin
from modules.assignment.models import Submission, Version
from modules.assignment.tests.helpers import add_assignment, build_assignments, second_trainee
from modules.innovation.models import Innovation
from tests.queries import counted_queries

PLAN = """\
slug: plan
title: Micro-innovation plan
fields:
  - {key: title, label: Working title, type: short_text, required: true, from_record: title, max_length: 40}
  - {key: pseudonym, label: Family pseudonym, type: short_text, from_record: family_pseudonym}
  - key: stage
    label: Stage
    type: choice
    required: true
    choices: [emergence, stabilisation, scaling-up]
    from_record: stage
  - {key: family_part, label: The family's part, type: long_text, from_record: families_part}
  - {key: knowledge, label: Knowledge behind the plan, type: long_text, from_record: knowledge}
  - {key: risks, label: What could get in the way, type: long_text, from_record: impeding_factors}
  - {key: change, label: The small change, type: long_text, required: true}
"""
RECORD = {"title": "Kitchen-table plans", "family_pseudonym": "Family A",
          "situation": "Family A struggles with school mornings.",
          "families_part": "The parents drew the weekly plan themselves.",
          "knowledge_practice": "Morning routines my team tried.", "knowledge_education": "",
          "knowledge_research": ""}
TASK = "/a/assignment/rec-plan"


def flat(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def attached_tasks(world):
    """The world's programme with a template task that starts from the record (attached), a files
    task attached to the record, and a text task that is not."""
    tasks = build_assignments(world)
    national = tasks.national
    plan = add_assignment(national, "rec-plan", {"attach_to_record": True}, hours=Decimal(2), template=PLAN)
    files = add_assignment(national, "rec-files", {"submission": "files", "attach_to_record": True,
                                                   "completion": "submitted"})
    db.session.commit()
    return plan, files, tasks


def start_record(client, **changes) -> Innovation:
    response = client.post("/a/innovation/", data={**RECORD, **changes})
    assert response.status_code == 302, flat(response)[:1500]
    return db.session.scalars(select(Innovation)).one()


def hand_in(client, **fields):
    data = {"action": "submit", "draft_version": 0, "base_version": 0, "t-title": "Kitchen-table plans",
            "t-stage": "emergence", "t-change": "Plan the week at the kitchen table.", **fields}
    return client.post(TASK, data=data)


def release_feedback(client, login, world, submission_id: int, decision: str = "revise"):
    client.post("/logout")
    login(world.facilitator)
    response = client.post(f"/a/assignment/submission/{submission_id}/feedback",
                           data={"body": "Ask the eldest daughter too.", "decision": decision, "action": "release"})
    assert response.status_code == 302
    client.post("/logout")


def test_an_empty_task_starts_from_the_record_and_says_so(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    record = start_record(client)
    client.post(f"/a/innovation/{record.id}/factors",
                data={"kind": "impeding", "level": "organisational", "text": "No time in team meetings"})
    page = flat(client.get(TASK))
    assert 'value="Kitchen-table plans"' in page and 'value="Family A"' in page
    assert re.search(r'value="emergence"[^>]*checked|checked[^>]*value="emergence"', page)
    assert "The parents drew the weekly plan themselves.</textarea>" in page
    assert "Practice-based knowledge: Morning routines my team tried." in page
    assert "No time in team meetings (Organisational and structural level)" in page
    assert "filled in from your record (My micro-innovation)" in page
    assert 'This hand-in belongs to: <a href="/a/innovation/">My micro-innovation</a>' in page
    # Only shown: nothing is saved for the trainee until they save or hand in.
    assert db.session.scalar(select(Draft.id)) is None and db.session.scalar(select(Submission.id)) is None
    # The record's stage is a choice value ("scaling_up" answers "scaling-up").
    record.stage = "scaling_up"
    db.session.commit()
    assert re.search(r'value="scaling-up"[^>]*checked|checked[^>]*value="scaling-up"', flat(client.get(TASK)))


def test_a_short_field_takes_one_line_within_its_length(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    start_record(client, title="Kitchen-table plans made with the whole family every Sunday evening")
    page = flat(client.get(TASK))
    assert 'value="Kitchen-table plans made with the whole"' in page


def test_the_prefill_never_replaces_a_draft(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    start_record(client)
    saved = client.post(TASK, data={"action": "save", "draft_version": 0, "base_version": 0, "t-title": "My own title"})
    assert saved.status_code == 302
    page = flat(client.get(TASK))
    assert 'value="My own title"' in page and 'value="Kitchen-table plans"' not in page
    assert "filled in from your record" not in page
    assert 'value="Family A"' not in page  # a field left empty in the draft stays empty


def test_the_prefill_never_replaces_what_was_handed_in(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    record = start_record(client)
    assert hand_in(client, **{"t-title": "As handed in", "t-pseudonym": ""}).status_code == 302
    submission = db.session.scalars(select(Submission)).one()
    release_feedback(client, login, world, submission.id)
    login(world.trainee)
    client.post(f"/a/innovation/{record.id}/edit", data={**RECORD, "title": "Renamed later", "version": "1"})
    page = flat(client.get(TASK))  # the revision starts from the version, not from the record
    assert 'value="As handed in"' in page and "Renamed later" not in page
    assert 'value="Family A"' not in page and "filled in from your record" not in page
    assert db.session.scalars(select(Version)).one().fields["title"] == "As handed in"


def test_without_a_record_the_task_says_where_to_start(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    page = flat(client.get(TASK))
    assert "Start your record first" in page and 'href="/a/innovation/">My micro-innovation' in page
    assert "filled in from your record" not in page
    assert 'id="t-title" maxlength="40" name="t-title" type="text" value=""' in page


def test_a_task_not_attached_says_nothing_of_the_record(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    start_record(client)
    page = flat(client.get("/a/assignment/asg-text"))
    assert "This hand-in belongs to" not in page and "My micro-innovation</a>" not in page.split("</nav>", 1)[-1]


def test_prefilled_text_goes_through_the_privacy_guard(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    start_record(client, families_part="Call the mother on +46 70 123 45 67 first.", privacy_confirmed="y")
    assert "+46 70 123 45 67" in flat(client.get(TASK))
    # Handed in as the form was filled in: the guard stops it as it stops typed text.
    response = hand_in(client, **{"t-family_part": "Call the mother on +46 70 123 45 67 first.",
                                  "t-pseudonym": "Family A"})
    assert response.status_code == 200 and "this text may identify a family" in flat(response)
    assert db.session.scalar(select(Version.id)) is None


def test_the_record_lists_its_handins_and_their_events_on_the_timeline(client, world, login):
    plan, files, tasks = attached_tasks(world)
    login(world.trainee)
    record = start_record(client)
    page = flat(client.get("/a/innovation/"))
    assert "Hand-ins of this micro-innovation" in page
    assert f'<a href="/a/assignment/{plan.slug}">Task rec-plan</a></td> <td>Not started</td>' in page
    assert f'<a href="/a/assignment/{files.slug}">Task rec-files</a></td> <td>Not started</td>' in page
    assert "Task asg-text" not in page  # not attached to the record
    client.post(TASK, data={"action": "save", "draft_version": 0, "base_version": 0, "t-title": "Draft title"})
    assert "Task rec-plan</a></td> <td>Draft</td>" in flat(client.get("/a/innovation/"))

    draft_version = db.session.scalar(select(Draft.version))
    assert hand_in(client, draft_version=draft_version).status_code == 302
    page = flat(client.get("/a/innovation/"))
    assert "Task rec-plan</a></td> <td>Handed in</td>" in page
    assert "Handed in: <a href=\"/a/assignment/rec-plan\">Task rec-plan</a> (version 1)" in page
    submission = db.session.scalars(select(Submission)).one()
    release_feedback(client, login, world, submission.id)

    login(world.trainee)
    page = flat(client.get("/a/innovation/"))
    assert "Task rec-plan</a></td> <td>Feedback received</td>" in page
    timeline = page.split('id="timeline-h"', 1)[1].split('id="comments-h"', 1)[0]
    feedback = timeline.index("Feedback released on:")
    handed = timeline.index("Handed in: ")
    stage = timeline.index("Stage reached: Emergence")
    assert feedback < handed < stage  # newest first, in date order with the stage events
    assert record.id  # the same record throughout

    # The facilitator reads the record with links to the hand-in as they answer it.
    client.post("/logout")
    login(world.facilitator)
    page = flat(client.get(f"/a/innovation/{record.id}"))
    assert f'<a href="/a/assignment/submission/{submission.id}">Task rec-plan</a>' in page
    assert "Feedback received" in page and "Feedback released on:" in page


def test_another_trainees_record_and_work_never_show(client, world, login, factory):
    attached_tasks(world)
    login(world.trainee)
    record = start_record(client)
    assert hand_in(client).status_code == 302
    client.post(f"/a/innovation/{record.id}/share", data={"shared": "1"})
    client.post("/logout")

    # A trainee of another country: no record, no hand-ins.
    login(world.trainee_other)
    assert client.get(f"/a/innovation/{record.id}").status_code == 404
    client.post("/logout")

    # A member of the country group reads the shared record, never the hand-ins or their events.
    peer = second_trainee(factory, world)
    login(peer)
    page = flat(client.get(f"/a/innovation/{record.id}"))
    assert "Kitchen-table plans" in page
    assert "Hand-ins of this micro-innovation" not in page and "Handed in:" not in page
    assert "Task rec-plan" not in page
    # Their own task starts from their own record (none yet), never from a colleague's.
    task = flat(client.get(TASK))
    assert "Kitchen-table plans" not in task and "Family A" not in task and "Start your record first" in task


def test_the_record_page_asks_a_fixed_number_of_queries_whatever_the_handins(client, world, login):
    plan, files, tasks = attached_tasks(world)
    login(world.trainee)
    start_record(client)
    hand_in(client)

    def record_queries() -> int:
        with counted_queries() as statements:
            assert client.get("/a/innovation/").status_code == 200
        return len(statements)

    small = record_queries()
    for i in range(6):
        task = add_assignment(tasks.national, f"rec-more-{i}", {"attach_to_record": True}, template=PLAN)
        db.session.add(Submission(activity_id=task.id, user_id=world.trainee.id, cohort_id=world.cohort.id,
                                  status="draft"))
    db.session.commit()
    assert record_queries() == small
    assert flat(client.get("/a/innovation/")).count("Task rec-more-") == 6


# --- content ------------------------------------------------------------------------------------

def _check_template(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "templates").mkdir()
        (root / "templates" / "plan.yaml").write_text(text, encoding="utf-8")
        context = ContentContext(root=root, base_dir=root, file="modules/01-x/module.yaml", line=3,
                                 key_lines={"template": 5})
        assignment_plugin.validate_config({"submission": "template", "template": "plan"}, context)


def test_a_from_record_naming_no_record_field_is_an_error_at_its_line(app):
    wrong = PLAN.replace("from_record: families_part", "from_record: family_part")
    with pytest.raises(ConfigError) as caught:
        _check_template(wrong)
    where = f"{Path(caught.value.where).parent.name}/{Path(caught.value.where).name}"
    assert where == "templates/plan.yaml:12"  # the family_part field, which names it
    assert caught.value.plain.startswith("unknown record field 'family_part' in 'from_record' (known: title, ")
    assert "families_part" in caught.value.plain


def test_from_record_only_on_fields_that_take_text_or_a_choice(app):
    wrong = PLAN.replace("type: long_text, required: true}", "type: long_text, required: true}\n"
                         "  - {key: start, label: Start, type: date, from_record: title}")
    with pytest.raises(ConfigError) as caught:
        _check_template(wrong)
    assert caught.value.plain == "'from_record' only applies to fields of type short_text, long_text, choice"
    assert caught.value.where.endswith("templates/plan.yaml:16")


def test_the_programme_content_declares_its_record_fields(app):
    """The real templates pass the checker with their `from_record` keys (plan, report, final)."""
    from modules.assignment.settings import load_template
    root = Path(app.root_path).parent / "content" / "templates"
    for slug in ("micro-innovation-plan", "micro-innovation-report", "final-presentation"):
        template = load_template((root / f"{slug}.yaml").read_text(encoding="utf-8"), slug, slug)
        assert any(f.get("from_record") == "stage" for f in template["fields"])


def test_a_handin_at_a_later_stage_offers_to_record_it_and_changes_nothing_by_itself(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    record = start_record(client)
    assert hand_in(client, **{"t-stage": "stabilisation"}).status_code == 302
    page = flat(client.get(TASK))
    offer = "Your hand-in says it has reached the stage “Stabilisation”: record it on your micro-innovation"
    assert f'<a class="alert-link" href="/a/innovation/?stage=stabilisation#stage-h">{offer}</a>' in page
    db.session.expire_all()
    assert db.session.get(Innovation, record.id).stage == "emergence"
    form = flat(client.get("/a/innovation/?stage=stabilisation"))
    assert re.search(r'<option selected value="stabilisation">|<option value="stabilisation" selected>', form)
    # Once the record is at that stage (or later), nothing is offered.
    client.post(f"/a/innovation/{record.id}/stage", data={"stage": "stabilisation", "reached_on": str(
        db.session.get(Innovation, record.id).stages[0].reached_on), "why": "Used every week now."})
    assert "record it on your micro-innovation" not in flat(client.get(TASK))


def test_a_handin_at_the_records_stage_offers_nothing(client, world, login):
    attached_tasks(world)
    login(world.trainee)
    start_record(client)
    assert hand_in(client).status_code == 302
    assert "record it on your micro-innovation" not in flat(client.get(TASK))


def test_the_programmes_own_handins_are_attached_and_the_plan_starts_from_the_record(app, client, world, login):
    """With content/ imported: the plan, the report, the country-group and the final presentation
    are on the record; the family situation analysis and other tasks are not."""
    from app.models import Programme
    root = Path(app.root_path).parent / "content"
    result = app.test_cli_runner().invoke(args=["content", "import", "--path", str(root)])
    assert result.exit_code == 0, result.output
    world.run.programme = db.session.scalar(select(Programme))
    db.session.commit()
    login(world.trainee)
    start_record(client, title="Kitchen-table plans")
    page = flat(client.get("/a/innovation/"))
    section = page.split('id="handins-h"', 1)[1].split('id="timeline-h"', 1)[0]
    for slug in ("micro-innovation-plan", "micro-innovation-report", "country-group-presentation",
                 "final-presentation"):
        assert f'href="/a/assignment/{slug}"' in section
    assert section.count("<tr>") == 5  # the header and the four hand-ins
    assert "family-situation-analysis" not in section
    plan = flat(client.get("/a/assignment/micro-innovation-plan"))
    assert 'value="Kitchen-table plans"' in plan and 'value="Family A"' in plan
    assert "The parents drew the weekly plan themselves.</textarea>" in plan
    assert "filled in from your record" in plan and "This hand-in belongs to:" in plan
    group = flat(client.get("/a/assignment/country-group-presentation"))
    assert "This hand-in belongs to:" in group and "filled in from your record" not in group
