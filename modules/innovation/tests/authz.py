"""The micro-innovation's routes in the authorization matrix (tests/test_authorization.py).

The trainee (Sweden) owns a record with one factor, not shared. Their facilitator reads and
comments on it; everyone else gets 404, as if it did not exist. Coordinators and admins see
counts only."""
from app.extensions import db
from tests.authz import PERSONAS, Rule

NOT_FOUND = {p: "notfound" for p in PERSONAS[1:]}


def setup(world):
    from app.services.meetings import today_for
    from modules.innovation.models import Factor, Innovation, StageChange

    record = Innovation(owner_id=world.trainee.id, run_id=world.run.id, title="Kitchen-table plans",
                        situation_html="<p>Family A</p>", stage="emergence")
    record.stages.append(StageChange(stage="emergence", reached_on=today_for(world.trainee)))
    record.factors.append(Factor(kind="promoting", level="professional", text="Time to reflect"))
    db.session.add(record)
    db.session.commit()
    return {"innovation_record": record, "innovation_factor": record.factors[0]}


def _rule(expect: dict, **kw) -> Rule:
    return Rule({"anonymous": "login", **NOT_FOUND, **expect}, **kw)


OWN = {"innovation_id": "innovation_record.id"}

ROUTES = {
    # Trainees: their record (or the form to start one); staff are no trainees of any run.
    ("innovation.mine", "GET"): _rule({"trainee": "ok", "trainee_other": "ok"}),
    ("innovation.mine", "POST"): _rule({"trainee": 422, "trainee_other": 422}),
    ("innovation.edit", "GET"): _rule({"trainee": "ok"}, args=OWN),
    ("innovation.edit", "POST"): _rule({"trainee": 422}, args=OWN),
    ("innovation.record", "GET"): _rule({"trainee": "ok", "facilitator": "ok"}, args=OWN),
    ("innovation.change_stage", "POST"): _rule({"trainee": 422}, args=OWN),
    ("innovation.add_factor", "POST"): _rule({"trainee": 422}, args=OWN),
    ("innovation.delete_factor", "POST"): _rule({"trainee": "ok"}, args={**OWN, "factor_id": "innovation_factor.id"}),
    ("innovation.share", "POST"): _rule({"trainee": "ok"}, args=OWN, data={"shared": "1"}),
    ("innovation.comment", "POST"): _rule({"trainee": 422, "facilitator": 422}, args=OWN),
    ("innovation.board", "GET"): _rule({"facilitator": "ok"}, args={"cohort_id": "cohort.id"}),
    ("innovation.group", "GET"): _rule({"trainee": "ok", "facilitator": "ok"}, args={"cohort_id": "cohort.id"}),
    ("innovation.counts", "GET"): Rule({"anonymous": "login", "trainee": "forbidden", "trainee_other": "forbidden",
                                        "facilitator": "forbidden", "facilitator_other": "forbidden",
                                        "national_coordinator": "ok", "transnational_coordinator": "ok",
                                        "admin": "ok"}),
}
