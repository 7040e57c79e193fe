"""The evaluation plugin's routes. Trainees answer (staff may open a questionnaire as a preview);
results are aggregates for the people who see the cohort's status (ARCHITECTURE.md section 5);
one trainee's answers are for that trainee and their facilitators."""
from tests.authz import STATUS_VIEWERS, only, signed_in

from .helpers import evaluation_for_world

COHORT_SCOPE = {"scope": "evaluation_scope", "slug": "evaluation_activity.slug"}


def setup(world):
    activity = evaluation_for_world(world)
    return {"evaluation_activity": activity, "evaluation_scope": f"cohort-{world.cohort.id}"}


ROUTES = {
    # Everyone with the programme may open a questionnaire; staff see it as a preview.
    ("evaluation.answer", "GET"): signed_in(args={"slug": "evaluation_activity.slug"}),
    ("evaluation.answer_post", "POST"): only("trainee", "trainee_other", args={"slug": "evaluation_activity.slug"},
                                            data={"overall": "3", "save": "y"}),
    ("evaluation.results_index", "GET"): only(*STATUS_VIEWERS, "facilitator_other"),
    ("evaluation.scope_overview", "GET"): only(*STATUS_VIEWERS, args={"scope": "evaluation_scope"}),
    ("evaluation.instrument_results", "GET"): only(*STATUS_VIEWERS, args=COHORT_SCOPE),
    ("evaluation.instrument_csv", "GET"): only(*STATUS_VIEWERS, args=COHORT_SCOPE),
    ("evaluation.growth", "GET"): only(*STATUS_VIEWERS, args={"scope": "evaluation_scope"}),
    ("evaluation.growth_csv", "GET"): only(*STATUS_VIEWERS, args={"scope": "evaluation_scope"}),
    ("evaluation.remind", "POST"): only(*STATUS_VIEWERS, args=COHORT_SCOPE),
    ("evaluation.trainee_answers", "GET"): only("trainee", "facilitator",
                                                args={"cohort_id": "cohort.id", "user_id": "trainee.id"}),
}
