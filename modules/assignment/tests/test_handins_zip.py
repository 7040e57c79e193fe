"""All hand-ins of a task as one zip: for the cohort's facilitators, the latest version of each
trainee in a folder of their own, safe names, audited, a fixed number of queries."""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CohortRole
from modules.assignment import uploads
from modules.assignment.handins_zip import safe_name
from modules.assignment.models import File, Submission, Version

from .helpers import add_assignment, build_assignments, mp3_bytes, pdf_bytes, plan_form
from .test_queue import counted_queries


def _url(world, slug="asg-files"):
    return f"/a/assignment/cohort/{world.cohort.id}/{slug}/handins.zip"


def _hand_in_files(client, login, user, files, body="A note"):
    login(user)
    response = client.post("/a/assignment/asg-files", data={
        "action": "submit", "draft_version": 0, "base_version": 0, "body": body, "files": files},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.data
    response.close()  # the temporary file it streams from (a WSGI server closes it after sending)
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_facilitator_gets_every_latest_hand_in_in_a_folder_of_its_own(client, world, login, factory):
    build_assignments(world)
    world.trainee.name = "Åsa Čarman"
    other = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Rui Trainee")
    db.session.commit()
    _hand_in_files(client, login, world.trainee, [(io.BytesIO(pdf_bytes("one")), "plan.pdf")], body="First")
    _hand_in_files(client, login, other, [(io.BytesIO(pdf_bytes("r")), "plan.pdf")], body="The second member's note")

    login(world.facilitator)
    archive = _archive(client.get(_url(world)))
    names = sorted(archive.namelist())
    asa, rui = f"Åsa Čarman ({world.trainee.id})", f"Rui Trainee ({other.id})"
    assert names == sorted([f"{asa}/answer.html", f"{asa}/files/plan.pdf",
                            f"{rui}/answer.html", f"{rui}/files/plan.pdf"])
    assert archive.read(f"{asa}/files/plan.pdf") == pdf_bytes("one")
    assert "First" in archive.read(f"{asa}/answer.html").decode()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.handins.download"))
    assert event.actor_id == world.facilitator.id and sorted(event.detail["submissions"]) == \
        sorted(db.session.scalars(select(Submission.id)))


def test_template_answers_and_transcripts_are_in_the_zip(client, world, login):
    a = build_assignments(world)
    add_assignment(a.national, "asg-voice", {"submission": "text", "media": True})
    db.session.commit()
    login(world.trainee)
    client.post("/a/assignment/asg-plan", data={**plan_form(), "action": "submit", "draft_version": 0,
                                                "base_version": 0})
    client.post("/a/assignment/asg-voice", data={"action": "submit", "draft_version": 0, "base_version": 0,
                                                 "files": [(io.BytesIO(mp3_bytes()), "voice.mp3")],
                                                 "transcript": "What I said."}, content_type="multipart/form-data")
    client.post("/logout")
    login(world.facilitator)
    plan = _archive(client.get(_url(world, "asg-plan")))
    folder = f"{world.trainee.name} ({world.trainee.id})"
    answers = plan.read(f"{folder}/answers.md").decode()
    assert "## Working title\n\nWalk-and-talk" in answers and "| Step | When |" in answers
    assert "| Ask the family |" in answers
    voice = _archive(client.get(_url(world, "asg-voice")))
    assert voice.read(f"{folder}/transcript.txt").decode() == "What I said.\n"
    assert voice.read(f"{folder}/files/voice.mp3") == mp3_bytes()


def test_only_the_latest_version_is_in_the_zip(client, world, login):
    a = build_assignments(world)
    _hand_in_directly(a.files, world.trainee, world)
    submission = db.session.scalar(select(Submission))
    newer = Version(submission_id=submission.id, number=2, body_html="<p>New</p>", submitted_by_id=world.trainee.id)
    db.session.add(newer)
    submission.latest_version = 2
    db.session.commit()
    login(world.facilitator)
    archive = _archive(client.get(_url(world)))
    assert [n.rsplit("/", 1)[1] for n in archive.namelist()] == ["answer.html"]
    assert "New" in archive.read(archive.namelist()[0]).decode()


def test_hostile_names_cannot_leave_the_folder(client, world, login):
    """A name stored before clean_name existed, or written by hand: nothing in the zip climbs out."""
    build_assignments(world)
    world.trainee.name = "../../etc"
    db.session.commit()
    _hand_in_files(client, login, world.trainee, [(io.BytesIO(pdf_bytes()), "a.pdf"),
                                                  (io.BytesIO(pdf_bytes("2")), "b.pdf")])
    rows = db.session.scalars(select(File).order_by(File.id)).all()
    rows[0].original_name, rows[1].original_name = "../../../../tmp/evil.pdf", "C:\\Windows\\x.pdf"
    db.session.commit()
    login(world.facilitator)
    archive = _archive(client.get(_url(world)))
    for name in archive.namelist():
        parts = name.split("/")
        assert not name.startswith("/") and ".." not in parts and "\\" not in name and ":" not in name, name
        assert len(parts) in (2, 3)
    assert len(archive.namelist()) == 3
    assert safe_name("..", "trainee") == "trainee" and safe_name("../..", "x") == "_"
    assert safe_name("Ana/../Bo", "x") == "Ana_.._Bo"
    assert safe_name("Žiga Čeh", "x") == "Žiga Čeh"


def test_a_file_missing_on_disk_is_named_not_fatal(client, world, login):
    build_assignments(world)
    _hand_in_files(client, login, world.trainee, [(io.BytesIO(pdf_bytes()), "a.pdf")])
    uploads.path_of(db.session.scalar(select(File)).stored_name).unlink()
    login(world.facilitator)
    archive = _archive(client.get(_url(world)))
    assert any(n.endswith("files/a.pdf.missing.txt") for n in archive.namelist())


def test_only_the_cohorts_facilitators_download(client, world, login):
    build_assignments(world)
    _hand_in_files(client, login, world.trainee, [(io.BytesIO(pdf_bytes()), "a.pdf")])
    for user, status in ((world.facilitator_other, 403), (world.national_coordinator, 403), (world.admin, 403),
                         (world.trainee, 403), (world.trainee_other, 403)):
        login(user)
        assert client.get(_url(world)).status_code == status, user.name
        client.post("/logout")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.handins.download")) is None


def _zip_queries(client, world) -> int:
    client.get(_url(world)).close()  # warm-up
    with counted_queries() as statements:
        response = client.get(_url(world))
    response.close()
    assert response.status_code == 200
    return len(statements)


def _hand_in_directly(activity, user, world):
    submission = Submission(activity_id=activity.id, user_id=user.id, cohort_id=world.cohort.id, status="submitted",
                            latest_version=1)
    db.session.add(submission)
    db.session.flush()
    version = Version(submission_id=submission.id, number=1, body_html="<p>Work</p>", submitted_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    upload = uploads.Upload("work.pdf", pdf_bytes(), "application/pdf")
    db.session.add(File(submission_id=submission.id, version_id=version.id, stored_name=uploads.write(upload),
                        original_name="work.pdf", mime=upload.mime, size=upload.size, sha256=upload.sha256))


def test_the_zip_takes_the_same_number_of_queries_for_2_or_30_trainees(client, world, login, factory):
    a = build_assignments(world)
    for i in range(2):
        _hand_in_directly(a.files, factory.enrolled(world.cohort, CohortRole.TRAINEE, f"Small {i}"), world)
    db.session.commit()
    login(world.facilitator)
    small = _zip_queries(client, world)
    for i in range(28):
        _hand_in_directly(a.files, factory.enrolled(world.cohort, CohortRole.TRAINEE, f"Large {i}"), world)
    db.session.commit()
    assert len(_archive(client.get(_url(world))).namelist()) == 60
    assert _zip_queries(client, world) == small


def test_a_group_task_has_a_folder_per_country_group(client, world, login, factory):
    build_assignments(world)
    tutor = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Teresa Transnational")
    db.session.commit()
    login(world.trainee)
    assert client.post("/a/assignment/asg-group", data={"body": "Our presentation", "action": "submit",
                                                        "draft_version": 0, "base_version": 0}).status_code == 302
    client.post("/logout")
    login(tutor)
    response = client.get(f"/a/assignment/cohort/{world.transnational.id}/asg-group/handins.zip")
    assert _archive(response).namelist() == [f"{world.cohort.name} ({world.cohort.id})/answer.html"]
    client.post("/logout")
    login(world.facilitator)  # facilitates the Swedish cohort, not the transnational one
    assert client.get(f"/a/assignment/cohort/{world.transnational.id}/asg-group/handins.zip").status_code == 403
