"""The assignment plugin's routes in the authorization matrix.

The trainee (Sweden) has handed in two tasks: "revision" has released feedback and a pending
file, "review" waits for a coordinator's review of its feedback. The Swedish facilitator answers
them; coordinators and admins see status (403 on content, never 404: they know it exists);
the Norwegian trainee and facilitator get 404, as if nothing were there."""
from __future__ import annotations

from tests.authz import PERSONAS, STATUS_VIEWERS, Rule, only, signed_in
from tests.programme_data import programme_for_world


def _content(*readers: str, data=None, **kw) -> Rule:
    """Readers get "ok"; status viewers who are not readers "forbidden"; everyone else "notfound"."""
    expect: dict[str, str | int] = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            expect[persona] = "login"
        elif persona in readers:
            expect[persona] = "ok"
        elif persona in STATUS_VIEWERS:
            expect[persona] = "forbidden"
        else:
            expect[persona] = "notfound"
    return Rule(expect, data=data or {}, **kw)


def setup(world):
    from app.extensions import db
    from modules.assignment import uploads
    from modules.assignment.models import Feedback, File, Submission, Version

    from .helpers import add_assignment, mp3_bytes, pdf_bytes

    built = programme_for_world(world)
    module = built.modules[0]
    revision = add_assignment(module, "authz-asg-revision", {"submission": "text"})
    review = add_assignment(module, "authz-asg-review", {"submission": "text"})
    objects = {}
    for activity, status, state in ((revision, "revision_requested", "released"),
                                    (review, "submitted", "awaiting_review")):
        submission = Submission(activity_id=activity.id, user_id=world.trainee.id, cohort_id=world.cohort.id,
                                status=status, latest_version=1)
        db.session.add(submission)
        db.session.flush()
        version = Version(submission_id=submission.id, number=1, body_html="<p>My work</p>",
                          submitted_by_id=world.trainee.id)
        feedback = Feedback(submission_id=submission.id, version_number=1, author_id=world.facilitator.id,
                            body_html="<p>Good</p>", decision="revise", state=state)
        db.session.add_all([version, feedback])
        db.session.flush()
        objects[f"{activity.slug.split('-')[-1]}_submission"] = submission
        objects[f"{activity.slug.split('-')[-1]}_feedback"] = feedback
        if status == "revision_requested":
            upload = uploads.Upload("work.pdf", pdf_bytes(), "application/pdf")
            recording = uploads.Upload("voice.mp3", mp3_bytes(2), "audio/mpeg")
            row = File(submission_id=submission.id, version_id=version.id, stored_name=uploads.write(recording),
                       original_name="voice.mp3", mime=recording.mime, size=recording.size, sha256=recording.sha256,
                       uploaded_by_id=world.trainee.id)
            db.session.add(row)
            db.session.flush()
            objects["recording"] = row
            for parent, key in ((version.id, "handed_in_file"), (None, "pending_file")):
                row = File(submission_id=submission.id, version_id=parent, stored_name=uploads.write(upload),
                           original_name="work.pdf", mime=upload.mime, size=upload.size, sha256=upload.sha256,
                           uploaded_by_id=world.trainee.id)
                db.session.add(row)
                db.session.flush()
                objects[key] = row
    db.session.commit()
    objects.update(asg_revision=revision, asg_review=review, trainee_owner=f"user:{world.trainee.id}")
    return objects


COORDINATORS = ("national_coordinator", "transnational_coordinator")

ROUTES = {
    ("assignment.activity_page", "GET"): signed_in(args={"slug": "asg_revision.slug"}),
    ("assignment.activity_work", "POST"): only("trainee", "trainee_other", args={"slug": "asg_revision.slug"},
                                              data={"action": "save", "body": "A draft", "draft_version": "0"}),
    ("assignment.download", "GET"): _content("trainee", "facilitator", args={"file_id": "handed_in_file.id"}),
    # A pending file is the trainee's alone until it is handed in.
    ("assignment.remove_file", "POST"): only("trainee", denied="notfound", args={"file_id": "pending_file.id"}),
    ("assignment.submission_page", "GET"): _content("trainee", "facilitator",
                                                    args={"submission_id": "revision_submission.id"}),
    ("assignment.version_page", "GET"): _content("trainee", "facilitator",
                                                 args={"submission_id": "revision_submission.id", "number": 1}),
    # The owner may read but not answer their own work.
    ("assignment.feedback_save", "POST"): Rule(
        {**_content("facilitator").expect, "trainee": "forbidden"},
        args={"submission_id": "review_submission.id"}, data={"body": "Fine", "decision": "revise", "action": "save"}),
    ("assignment.reply", "POST"): _content("trainee", "facilitator", args={"feedback_id": "revision_feedback.id"},
                                           data={"body": "Thank you"}),
    ("assignment.queue", "GET"): only("facilitator", "facilitator_other"),
    ("assignment.review_list", "GET"): only(*COORDINATORS),
    ("assignment.feedback_review", "GET"): _content(*COORDINATORS, args={"feedback_id": "review_feedback.id"}),
    ("assignment.feedback_review", "POST"): _content(*COORDINATORS, args={"feedback_id": "review_feedback.id"},
                                                     data={"decision": "approve"}),
    ("assignment.cohort_overview", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("assignment.cohort_status", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id",
                                                                     "slug": "asg_revision.slug"}),
    ("assignment.extension", "GET"): only("facilitator", args={"cohort_id": "cohort.id", "slug": "asg_revision.slug",
                                                               "owner": "trainee_owner"}),
    ("assignment.extension", "POST"): only("facilitator", args={"cohort_id": "cohort.id", "slug": "asg_revision.slug",
                                                                "owner": "trainee_owner"},
                                           data={"due_on": "2099-01-31", "reason": "Sick leave"}),
    # Recordings: the readers of the hand-in, as for the download.
    ("assignment.play", "GET"): _content("trainee", "facilitator", args={"file_id": "recording.id"}),
    # The cohort's facilitators read its hand-ins; staff who see status only, and everyone else, 403.
    ("assignment.download_all", "GET"): only("facilitator", args={"cohort_id": "cohort.id",
                                                                  "slug": "asg_revision.slug"}),
    # Without chosen trainees the page answers with a message (the owners' ids are not known here).
    ("assignment.bulk_extension", "POST"): only("facilitator", args={"cohort_id": "cohort.id",
                                                                     "slug": "asg_revision.slug"},
                                                data={"due_on": "2099-01-31", "reason": "Sick leave"}),
    ("assignment.cohort_settings", "GET"): only(*COORDINATORS, "admin", args={"cohort_id": "cohort.id"}),
    ("assignment.cohort_settings", "POST"): only(*COORDINATORS, "admin", args={"cohort_id": "cohort.id"},
                                                 data={"feedback_needs_review": "y"}),
}
