"""Audio and video hand-ins: allowed per task, sniffed like every upload, handed in with a
transcript, played in the page from a response the player can seek in."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.plugins import ConfigError, ContentContext
from modules.assignment import plugin
from modules.assignment.models import File, Submission, Version

from .helpers import add_assignment, build_assignments, mp3_bytes, mp4_bytes, pdf_bytes, webm_bytes

VOICE = "/a/assignment/asg-voice"
PRESENT = "/a/assignment/asg-present"


def _media_tasks(world):
    a = build_assignments(world)
    add_assignment(a.national, "asg-voice", {"submission": "text", "media": True, "max_media_mb": 0.05})
    add_assignment(a.national, "asg-present", {"submission": "files", "allowed_types": ["pdf"],
                                               "media": ["mp4", "webm", "m4a", "mp3"], "max_media_mb": 0.1})
    db.session.commit()
    return a


def _post(client, url, files=(), action="submit", **extra):
    return client.post(url, data={"action": action, "draft_version": 0, "base_version": 0, "files": list(files),
                                  **extra}, content_type="multipart/form-data")


def _zip_named_mp4() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("video.mp4", b"not really")
    return buffer.getvalue()


# --- settings ----------------------------------------------------------------------------------

@pytest.fixture
def context(tmp_path) -> ContentContext:
    return ContentContext(root=tmp_path, base_dir=tmp_path, file="content/modules/08-x/module.yaml", line=60,
                          key_lines={"submission": 61, "media": 62, "max_media_mb": 63, "allowed_types": 64})


def test_media_settings_are_normalised(context):
    every = plugin.validate_config({"submission": "files", "media": True}, context)
    assert (every["media_types"], every["max_media_mb"]) == (["mp3", "m4a", "webm", "mp4"], 20)
    some = plugin.validate_config({"submission": "text", "media": ["MP3", ".m4a"], "max_media_mb": 40}, context)
    assert (some["media_types"], some["max_media_mb"]) == (["mp3", "m4a"], 40)
    assert "media_types" not in plugin.validate_config({"submission": "text"}, context)


@pytest.mark.parametrize("raw, message", [
    ({"submission": "files", "media": ["avi"]}, "module.yaml:62: unsupported media type 'avi'"),
    ({"submission": "files", "media": True, "max_media_mb": 5000},
     "module.yaml:63: 'max_media_mb' must be a number above 0 and at most 500"),
    ({"submission": "files", "max_media_mb": 10}, "module.yaml:63: 'max_media_mb' only applies with 'media'"),
    ({"submission": "template", "template": "plan", "media": True},
     "module.yaml:62: 'media' only applies to 'submission: text' or 'submission: files'"),
    ({"submission": "files", "allowed_types": ["pdf", "mp3"]},
     "module.yaml:64: 'mp3' is a recording: list it under 'media'"),
])
def test_bad_media_settings_name_the_line(context, raw, message):
    with pytest.raises(ConfigError) as caught:
        plugin.validate_config(raw, context)
    assert message in str(caught.value)


# --- hostile uploads ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, message", [
    ("talk.mp4", _zip_named_mp4(), "“talk.mp4” does not look like an MP4 recording."),
    ("talk.webm", b"\x1a\x45\xdf\xa3\x80matroska" + bytes(40), "“talk.webm” does not look like an WEBM recording."),
    ("talk.mp3", pdf_bytes(), "“talk.mp3” does not look like an MP3 recording."),
    ("talk.m4a", webm_bytes(), "“talk.m4a” does not look like an M4A recording."),
    ("huge.mp3", mp3_bytes(300), "“huge.mp3” is larger than 0.1 MB, the limit for this task."),
    ("film.avi", b"RIFF....AVI ", "“film.avi” is not an accepted file type. Accepted: PDF, MP4, WEBM, M4A, MP3."),
])
def test_a_recording_that_is_not_what_it_says_is_refused(app, client, world, login, name, data, message):
    _media_tasks(world)
    login(world.trainee)
    response = _post(client, PRESENT, [(io.BytesIO(data), name)], transcript="What we said")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "Nothing was saved" in page
    assert db.session.scalar(select(func.count()).select_from(File)) == 0


def test_the_media_limit_is_the_tasks_not_the_documents(client, world, login):
    """Documents keep max_size_mb (10 by default); a recording its own max_media_mb (0.05 here)."""
    _media_tasks(world)
    login(world.trainee)
    page = _post(client, VOICE, [(io.BytesIO(mp3_bytes(200)), "long.mp3")], transcript="x").get_data(as_text=True)
    assert "“long.mp3” is larger than 0.05 MB, the limit for this task." in page


def test_the_request_limit_caps_the_tasks_media_limit(app, client, world, login, monkeypatch):
    _media_tasks(world)
    login(world.trainee)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)  # MAX_UPLOAD_MB=1, the task says 0.1
    assert "at most 0.1 MB each" in client.get(PRESENT).get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)  # below the task's own limit
    assert "at most 0.06 MB each" in client.get(PRESENT).get_data(as_text=True)


# --- handing in with a transcript --------------------------------------------------------------

def test_a_recording_needs_a_transcript(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    page = _post(client, VOICE, [(io.BytesIO(mp3_bytes()), "reflection.mp3")]).get_data(as_text=True)
    assert "Please type the transcript of your recording before handing it in." in page
    assert db.session.scalar(select(Version)) is None


def test_the_transcript_goes_through_the_privacy_guard(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    page = _post(client, VOICE, [(io.BytesIO(mp3_bytes()), "reflection.mp3")],
                 transcript="I called the mother on +351 912 345 678.").get_data(as_text=True)
    assert "this text may identify a family" in page and "Transcript of your recording" in page
    assert db.session.scalar(select(Version)) is None


def test_a_recording_with_its_transcript_is_played_for_trainee_and_facilitator(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    response = _post(client, VOICE, [(io.BytesIO(mp3_bytes()), "reflection.mp3")],
                     transcript="On the walk, Family A's father spoke first.")
    assert response.status_code == 302
    version = db.session.scalar(select(Version))
    row = db.session.scalar(select(File))
    assert version.transcript == "On the walk, Family A's father spoke first." and version.body_html == ""
    assert (row.mime, row.version_id) == ("audio/mpeg", version.id)
    page = client.get(VOICE).get_data(as_text=True)
    assert f'<audio controls preload="metadata" class="w-100"\n    src="/a/assignment/file/{row.id}/play"' in page
    assert f'href="/a/assignment/file/{row.id}">Your browser cannot play this recording' in page
    assert "Transcript of the recording" in page and "Family A&#39;s father spoke first." in page
    client.post("/logout")

    login(world.facilitator)
    submission = db.session.scalar(select(Submission))
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert f'src="/a/assignment/file/{row.id}/play"' in page and "Family A&#39;s father spoke first." in page


def test_video_plays_in_a_video_element_and_documents_stay_links(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    assert _post(client, PRESENT, [(io.BytesIO(webm_bytes()), "presentation.webm"),
                                   (io.BytesIO(mp4_bytes()), "clip.mp4"), (io.BytesIO(mp4_bytes(b"M4A ")), "a.m4a"),
                                   (io.BytesIO(pdf_bytes()), "slides.pdf")],
                 transcript="Our country group presents.").status_code == 302
    rows = {r.original_name: r for r in db.session.scalars(select(File))}
    assert {n: r.mime for n, r in rows.items()} == {"presentation.webm": "video/webm", "clip.mp4": "video/mp4",
                                                     "a.m4a": "audio/mp4", "slides.pdf": "application/pdf"}
    page = client.get(PRESENT).get_data(as_text=True)
    assert page.count("<video controls") == 2 and page.count("<audio controls") == 1
    assert f"/file/{rows['slides.pdf'].id}/play" not in page


def test_a_text_answer_without_a_recording_needs_no_transcript(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    assert _post(client, VOICE, body="Written reflection.").status_code == 302
    assert db.session.scalar(select(Version)).transcript == ""


# --- playing -----------------------------------------------------------------------------------

def _hand_in_mp3(client, login, world) -> File:
    _media_tasks(world)
    login(world.trainee)
    _post(client, VOICE, [(io.BytesIO(mp3_bytes()), "reflection.mp3")], transcript="Words.")
    client.post("/logout")
    return db.session.scalar(select(File))


def _reads() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "assignment.file.read")) or 0


def test_the_player_can_seek_and_the_browser_must_not_sniff(client, world, login):
    row = _hand_in_mp3(client, login, world)
    login(world.facilitator)
    whole = client.get(f"/a/assignment/file/{row.id}/play")
    assert whole.status_code == 200 and whole.mimetype == "audio/mpeg"
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in whole.headers.get("Content-Disposition", "")
    assert whole.data == mp3_bytes()
    whole.close()  # the file handle the response streams from (a WSGI server closes it after sending)
    assert _reads() == 1
    part = client.get(f"/a/assignment/file/{row.id}/play", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == mp3_bytes()[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(mp3_bytes())}"
    part.close()
    assert _reads() == 1  # the chunks a player fetches while seeking are not each a new read


def test_only_the_readers_of_the_hand_in_may_play_it(client, world, login):
    row = _hand_in_mp3(client, login, world)
    for user, status in ((world.trainee_other, 404), (world.facilitator_other, 404),
                         (world.national_coordinator, 403), (world.trainee, 200)):
        login(user)
        response = client.get(f"/a/assignment/file/{row.id}/play")
        response.close()
        assert response.status_code == status, user.name
        client.post("/logout")


def test_a_document_is_not_played(client, world, login):
    a = build_assignments(world)
    assert a
    login(world.trainee)
    client.post("/a/assignment/asg-files", data={"action": "submit", "draft_version": 0, "base_version": 0,
                                                 "files": [(io.BytesIO(pdf_bytes()), "work.pdf")]},
                content_type="multipart/form-data")
    row = db.session.scalar(select(File))
    assert client.get(f"/a/assignment/file/{row.id}/play").status_code == 404


def test_content_of_the_programme_turns_media_on_where_practitioners_need_it():
    root = Path(__file__).resolve().parents[3] / "content" / "modules"
    presentation = (root / "08-transnational-week-2" / "module.yaml").read_text(encoding="utf-8")
    assert "media: [mp3, m4a, webm, mp4]" in presentation
    reflection = (root / "07-micro-innovation-life-cycle" / "module.yaml").read_text(encoding="utf-8")
    assert "media: [mp3, m4a, webm]" in reflection


def test_the_transcript_is_in_the_trainees_data_export(client, world, login):
    from modules.assignment.privacy import export_for
    _media_tasks(world)
    login(world.trainee)
    _post(client, VOICE, [(io.BytesIO(mp3_bytes()), "reflection.mp3")], transcript="My own words.")
    exported = export_for(world.trainee)
    versions = [v for s in exported["submissions"] for v in s["versions"]]
    assert [v["transcript"] for v in versions] == ["My own words."]


def test_with_recordings_the_written_answer_is_not_marked_required(client, world, login):
    _media_tasks(world)
    login(world.trainee)
    voice = client.get(VOICE).get_data(as_text=True)
    plain = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert 'Your answer <span class="text-body-secondary small">(required)' in plain
    assert 'Your answer <span class="text-body-secondary small">(required)' not in voice
    assert "Add a recording (optional)" in voice and "Transcript of your recording" in voice
    assert "Add a recording (optional)" not in plain and "Transcript of your recording" not in plain
