"""The pages the benchmark measures, as (name, role, url), resolved against a bench database
(bench/generate.py): the first trainee of the first Swedish cohort, that cohort's facilitator,
the Swedish coordinator and the transnational coordinator."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Cohort, CohortKind, Module, ProgrammeRun, User

DOMAIN = "bench.life-academy.eu"
LOGINS = {
    "trainee": f"trainee1.se@{DOMAIN}",
    "facilitator": f"facilitator1.se@{DOMAIN}",
    "coordinator": f"coordinator1.se@{DOMAIN}",
    "transnational": f"transnational@{DOMAIN}",
}


def pages() -> list[tuple[str, str | None, str]]:
    from modules.assignment.models import Submission
    from modules.journal.models import Entry

    trainee = db.session.scalar(select(User).where(User.email == LOGINS["trainee"]))
    facilitator = db.session.scalar(select(User).where(User.email == LOGINS["facilitator"]))
    assert trainee is not None and facilitator is not None, "not a bench database: run bench/generate.py"
    run = db.session.scalar(select(ProgrammeRun).order_by(ProgrammeRun.id))
    module = db.session.scalar(select(Module.slug).where(Module.retired.is_(False)).order_by(Module.order, Module.id)
                               .offset(1).limit(1))
    assignment = db.session.scalar(select(Activity.slug).join(Submission, Submission.activity_id == Activity.id)
                                   .where(Submission.user_id == trainee.id).order_by(Activity.id).limit(1))
    entry = db.session.scalar(select(Entry.id).where(Entry.owner_id == trainee.id)
                              .order_by(Entry.shared.desc(), Entry.id).limit(1))
    national = db.session.scalar(select(Cohort.id)
                                 .where(Cohort.kind == CohortKind.NATIONAL,
                                        Cohort.memberships.any(user_id=facilitator.id))
                                 .order_by(Cohort.id).limit(1))
    transnational = db.session.scalar(select(Cohort.id).where(Cohort.kind == CohortKind.TRANSNATIONAL,
                                                              Cohort.memberships.any(user_id=facilitator.id))
                                      .order_by(Cohort.id).limit(1))
    submission = db.session.scalar(select(Submission.id).where(Submission.user_id == trainee.id)
                                   .order_by(Submission.activity_id).limit(1))
    return [
        ("login page", None, "/login"),
        ("trainee home", "trainee", "/home"),
        ("programme overview", "trainee", "/programme/"),
        ("module page", "trainee", f"/programme/modules/{module}"),
        ("assignment page", "trainee", f"/a/assignment/{assignment}"),
        ("journal entry", "trainee", f"/a/journal/entries/{entry}"),
        ("facilitator home", "facilitator", "/home"),
        ("facilitator queue", "facilitator", "/a/assignment/queue"),
        ("submission page", "facilitator", f"/a/assignment/submission/{submission}"),
        ("shared journal list", "facilitator", "/a/journal/shared"),
        ("progress grid (national)", "facilitator", f"/cohorts/{national}"),
        ("progress grid (transnational)", "facilitator", f"/cohorts/{transnational}"),
        ("coordinator dashboard", "coordinator", "/dashboard/"),
        ("coordinator home", "coordinator", "/home"),
        ("transnational dashboard", "transnational", "/dashboard/"),
        ("programme report", "transnational", "/dashboard/report"),
        ("evaluation results (country)", "coordinator", f"/a/evaluation/results/run-{run.id}-se"),
        ("evaluation results (run)", "transnational", f"/a/evaluation/results/run-{run.id}"),
    ]
