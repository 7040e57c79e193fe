"""The reading plugin's routes: every persona with the programme may read a lesson; only trainees
mark it done (staff get 403)."""
from tests.authz import only, signed_in
from tests.programme_data import programme_for_world


def setup(world):
    return {"reading_activity": programme_for_world(world).activities[0]}


ROUTES = {
    ("reading.lesson", "GET"): signed_in(args={"slug": "reading_activity.slug"}),
    ("reading.mark_done", "POST"): only("trainee", "trainee_other", args={"slug": "reading_activity.slug"}),
}
