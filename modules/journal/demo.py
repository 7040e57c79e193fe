"""Demo records: every national cohort names its facilitator as the supervisor for flagged
entries, so a demo trainee's "this is weighing on me" reaches someone at once."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Membership, ProgrammeRun

from .models import Supervisor


def seed_demo(run: ProgrammeRun) -> None:
    cohorts = db.session.scalars(select(Cohort).where(Cohort.run_id == run.id, Cohort.kind == CohortKind.NATIONAL))
    for cohort in cohorts:
        named = db.session.scalar(select(Supervisor.id).where(Supervisor.cohort_id == cohort.id,
                                                              Supervisor.trainee_id.is_(None)))
        facilitator_id = db.session.scalar(select(Membership.user_id).where(
            Membership.cohort_id == cohort.id, Membership.role == CohortRole.FACILITATOR)
            .order_by(Membership.user_id).limit(1))
        if named is None and facilitator_id is not None:
            db.session.add(Supervisor(cohort_id=cohort.id, supervisor_id=facilitator_id))
    db.session.flush()
