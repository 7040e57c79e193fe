"""The programme pages: every signed-in persona with a programme may read them (trainees their run's,
staff read-only); see app/services/programme.py."""
from pathlib import Path

from flask import current_app

from app.extensions import db

from ..programme_data import programme_for_world
from . import STATUS_VIEWERS, only, signed_in


def setup(world):
    built = programme_for_world(world)
    resource = built.resources[0]
    if not resource.file_path:
        resource.file_path = "files/guide.txt"
        target = Path(current_app.config["UPLOAD_DIR"]) / "content" / "files" / "guide.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("A guide.", encoding="utf-8")
        db.session.commit()
    return {"programme_module": built.modules[0], "programme_resource": resource}


ROUTES = {
    ("programme.overview", "GET"): signed_in(),
    ("programme.module", "GET"): signed_in(args={"slug": "programme_module.slug"}),
    ("programme.resources", "GET"): signed_in(),
    ("programme.resource", "GET"): signed_in(args={"slug": "programme_resource.slug"}),
    ("programme.resource_file", "GET"): signed_in(args={"slug": "programme_resource.slug"}),
    # Everyone has a transcript page (non-trainees are told transcripts are for trainees); a
    # trainee's is open to them and to whoever may see their cohort's status.
    ("programme.transcript", "GET"): signed_in(),
    ("programme.trainee_transcript", "GET"): only("trainee", *STATUS_VIEWERS, args={"user_id": "trainee.id"}),
    # The competency profile: everyone has the page (non-trainees are told it is for trainees);
    # reflections are written by trainees only; a trainee's evidence is read by the trainee and
    # the facilitators of their cohorts (who read their work), never by coordinators (status only).
    ("programme.competencies", "GET"): signed_in(),
    ("programme.competency_reflection", "POST"): only("trainee", "trainee_other", denied="notfound",
                                                      args={"code": "C1"}, data={"C1-text": "I notice more."}),
    ("programme.trainee_competencies", "GET"): only("trainee", "facilitator", args={"user_id": "trainee.id"}),
    # Counts per country under the small-group rule: whoever reads the programme report.
    ("programme.competency_distribution", "GET"): only("national_coordinator", "transnational_coordinator",
                                                       "admin"),
}
