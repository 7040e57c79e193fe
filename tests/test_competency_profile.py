"""The competency profile: released rubric evidence per element with links to the work, the
trainee's own self-ratings (never shown to staff for anonymous questionnaires), the trainee's
reflection through the guarded save path, the coordinators' counts per country under the
small-group rule, the transcript's outcomes met, and the query budgets."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select

from app.extensions import db
from app.models import CohortRole, CompetencyReflection, Draft
from modules.assignment.tests.helpers import build_assignments
from modules.assignment.tests.rubric_helpers import add_rubric_assignment, hand_in, rate
from modules.evaluation.tests.helpers import add_evaluation, complete_answers, instrument


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _section(page: str, code: str) -> str:
    return page.split(f'id="competency-{code}"')[1].split("</section>")[0]


def _rated_world(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    submission = hand_in(client, login, world.trainee)
    rate(client, login, world.facilitator, submission, whole_family=3, co_creation=1)
    return assignments, submission


def test_released_ratings_are_evidence_with_a_link_to_the_work(client, world, login):
    _, submission = _rated_world(client, world, login)
    login(world.trainee)
    page = client.get("/programme/competencies").get_data(as_text=True)
    c1 = _section(page, "C1")
    assert "Level 3 of 4: Shown" in c1 and "Sees the family as a whole" in c1
    assert 'href="/a/assignment/asg-rubric"' in c1 and "Shown in feedback" in c1
    c4 = _section(page, "C4")
    assert "Level 1 of 4: Not yet" in c4 and "Shown in feedback" not in c4
    assert "No rated feedback on this element yet." in _section(page, "C2")


def test_ratings_of_unreleased_feedback_are_no_evidence(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    submission = hand_in(client, login, world.trainee)
    rate(client, login, world.facilitator, submission, action="save", whole_family=4)
    login(world.trainee)
    page = client.get("/programme/competencies").get_data(as_text=True)
    assert "Level 4 of 4" not in page
    client.post("/logout")
    login(world.facilitator)
    assert "Level 4 of 4" not in client.get(f"/programme/competencies/{world.trainee.id}").get_data(as_text=True)


def test_self_ratings_are_the_trainees_own_and_hidden_from_staff(client, world, login):
    assignments, _ = _rated_world(client, world, login)
    start = add_evaluation(assignments.national, "sa-start", instrument(world.run, family="self", phase="before"))
    db.session.commit()
    login(world.trainee)
    assert client.post(f"/a/evaluation/{start.slug}", data=complete_answers(c1=2, c2=5)).status_code == 302
    page = client.get("/programme/competencies").get_data(as_text=True)
    assert "Your self-assessments" in _section(page, "C1") and "2 of 5" in _section(page, "C1")
    assert "5 of 5" in _section(page, "C2")
    client.post("/logout")

    login(world.facilitator)
    page = client.get(f"/programme/competencies/{world.trainee.id}").get_data(as_text=True)
    assert "Level 3 of 4: Shown" in page
    assert "of 5" not in page and "self-assessments" not in _section(page, "C1").lower()
    # The facilitator's link opens the version handed in.
    assert f'href="/a/assignment/submission/{_.id}/v/1"' in page
    assert client.get(f"/a/assignment/submission/{_.id}/v/1").status_code == 200


def test_named_self_ratings_are_shown_to_the_facilitator(client, world, login):
    assignments = build_assignments(world)
    named = add_evaluation(assignments.national, "sa-named",
                           instrument(world.run, family="self", phase="before", anonymous=False))
    db.session.commit()
    login(world.trainee)
    assert client.post(f"/a/evaluation/{named.slug}", data=complete_answers(c1=4)).status_code == 302
    client.post("/logout")
    login(world.facilitator)
    page = client.get(f"/programme/competencies/{world.trainee.id}").get_data(as_text=True)
    assert "Self-assessments (named questionnaires)" in _section(page, "C1") and "4 of 5" in _section(page, "C1")


def test_other_staff_may_not_read_a_trainees_profile(client, world, login):
    _rated_world(client, world, login)
    for persona in (world.facilitator_other, world.national_coordinator, world.transnational_coordinator,
                    world.trainee_other):
        login(persona)
        assert client.get(f"/programme/competencies/{world.trainee.id}").status_code == 403
        client.post("/logout")
    login(world.facilitator)
    assert client.get(f"/programme/competencies/{world.facilitator.id}").status_code == 404


def test_a_reflection_goes_through_the_privacy_guard_and_is_kept(client, world, login):
    build_assignments(world)
    login(world.trainee)
    risky = {"C1-text": "I called anna.berg@example.org about the school.", "C1-base_version": "0",
             "draft_version": "0"}
    response = client.post("/programme/competencies/C1/reflection", data=risky)
    assert response.status_code == 422
    assert "looks like" in response.get_data(as_text=True)
    assert db.session.scalar(select(CompetencyReflection)) is None
    draft = db.session.scalar(select(Draft).where(Draft.key == "competency:C1"))
    assert draft is not None and "anna.berg" in draft.data["text"]  # nothing typed is lost
    assert "anna.berg@example.org" in _section(client.get("/programme/competencies").get_data(as_text=True), "C1")

    response = client.post("/programme/competencies/C1/reflection", data={
        "C1-text": "I now ask about school, housing and health together.", "C1-base_version": "0",
        "draft_version": str(draft.version)})
    assert response.status_code == 302 and response.headers["Location"].endswith("#competency-C1")
    row = db.session.scalar(select(CompetencyReflection))
    assert (row.code, row.version, row.text) == ("C1", 1, "I now ask about school, housing and health together.")
    assert db.session.scalar(select(Draft).where(Draft.key == "competency:C1")) is None
    assert "housing and health together" in _section(client.get("/programme/competencies").get_data(as_text=True),
                                                      "C1")

    # A second tab still on version 0 overwrites nothing.
    response = client.post("/programme/competencies/C1/reflection", data={
        "C1-text": "Older text from another tab.", "C1-base_version": "0", "draft_version": "0"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.scalar(select(CompetencyReflection)).text.startswith("I now ask")


def test_reflection_on_an_unknown_element_or_too_long_is_refused(client, world, login):
    build_assignments(world)
    login(world.trainee)
    assert client.post("/programme/competencies/C9/reflection", data={"C9-text": "x"}).status_code == 404
    assert client.post("/programme/competencies/" + "C" * 40 + "/reflection", data={}).status_code == 404
    response = client.post("/programme/competencies/C2/reflection", data={"C2-text": "x" * 4001,
                                                                          "C2-base_version": "0"})
    assert response.status_code == 422 and db.session.scalar(select(CompetencyReflection)) is None
    response = client.post("/programme/competencies/C2/reflection", data={"C2-text": "ok",
                                                                          "C2-base_version": "99999999999"})
    assert response.status_code == 422


def test_the_reflection_is_not_shown_to_the_facilitator(client, world, login):
    _rated_world(client, world, login)
    login(world.trainee)
    client.post("/programme/competencies/C1/reflection", data={"C1-text": "Private thought.", "C1-base_version": "0"})
    client.post("/logout")
    login(world.facilitator)
    assert "Private thought." not in client.get(f"/programme/competencies/{world.trainee.id}").get_data(as_text=True)


def _trainees_rated(client, login, world, factory, cohort, count: int, level: int, assignments) -> None:
    facilitator = world.facilitator if cohort is world.cohort else world.facilitator_other
    for i in range(count):
        trainee = factory.enrolled(cohort, CohortRole.TRAINEE, f"T{cohort.id}-{i}")
        db.session.commit()
        rate(client, login, facilitator, hand_in(client, login, trainee), whole_family=level)


def test_coordinators_see_counts_per_country_only_from_five(client, world, login, factory):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    _trainees_rated(client, login, world, factory, world.cohort, 5, 3, assignments)
    _trainees_rated(client, login, world, factory, world.other_cohort, 4, 2, assignments)
    login(world.transnational_coordinator)
    page = client.get("/programme/competencies/distribution").get_data(as_text=True)
    sweden = page.split(f'id="country-{world.cohort.country_id}-h"')[1].split("</section>")[0]
    c1 = sweden.split("C1 ·")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in c1.split("</td>")[:4]] == ["0", "0", "5", "0"]
    norway = page.split(f'id="country-{world.other_cohort.country_id}-h"')[1].split("</section>")[0]
    assert "Hidden: fewer than 5 ratings" in norway.split("C1 ·")[1].split("</tr>")[0]
    assert f"T{world.cohort.id}-" not in page  # no names
    client.post("/logout")

    # A national coordinator sees their own country only.
    login(world.national_coordinator)
    page = client.get("/programme/competencies/distribution").get_data(as_text=True)
    assert f'id="country-{world.cohort.country_id}-h"' in page
    assert f'id="country-{world.other_cohort.country_id}-h"' not in page


def test_the_transcript_lists_the_outcomes_the_evidence_shows(client, world, login):
    _rated_world(client, world, login)
    login(world.trainee)
    page = client.get("/programme/transcript").get_data(as_text=True)
    summary = page.split('id="outcomes-met-h"')[1].split("</section>")[0]
    # Module 1's outcome names C1 and C4; C1 was rated at the rubric's level 3 ("meets").
    assert "Outcome 1" in summary and 'href="/a/assignment/asg-rubric"' in summary
    assert "C1 level 3 of 4" in summary and "C4 level 1 of 4" not in summary
    client.post("/logout")
    login(world.facilitator)
    page = client.get(f"/programme/transcript/{world.trainee.id}").get_data(as_text=True)
    assert "/a/assignment/submission/" in page.split('id="outcomes-met-h"')[1].split("</section>")[0]


def test_the_profile_and_the_distributions_cost_a_fixed_number_of_queries(client, world, login, factory):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    add_rubric_assignment(assignments.national, slug="asg-rubric-2")
    submission = hand_in(client, login, world.trainee)
    rate(client, login, world.facilitator, submission, whole_family=2)

    def profile_queries() -> int:
        login(world.trainee)
        client.get("/programme/competencies")
        with counted_queries() as statements:
            assert client.get("/programme/competencies").status_code == 200
        client.post("/logout")
        return len(statements)

    def distribution_queries() -> int:
        login(world.transnational_coordinator)
        client.get("/programme/competencies/distribution")
        with counted_queries() as statements:
            assert client.get("/programme/competencies/distribution").status_code == 200
        client.post("/logout")
        return len(statements)

    few, few_distribution = profile_queries(), distribution_queries()
    second = hand_in(client, login, world.trainee, slug="asg-rubric-2")
    rate(client, login, world.facilitator, second, whole_family=4, co_creation=3)
    _trainees_rated(client, login, world, factory, world.cohort, 3, 3, assignments)
    _trainees_rated(client, login, world, factory, world.other_cohort, 2, 1, assignments)
    assert profile_queries() == few
    assert distribution_queries() == few_distribution


def test_the_pages_are_reached_through_links(client, world, login):
    from modules.assignment.tests.helpers import link
    _, submission = _rated_world(client, world, login)
    login(world.trainee)
    url = link(client.get("/programme/").get_data(as_text=True), "Your competency profile")
    assert "Level 3 of 4" in client.get(url).get_data(as_text=True)
    client.post("/logout")
    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Level 3 of 4" in client.get(link(page, "Competency profile")).get_data(as_text=True)
    client.post("/logout")
    login(world.transnational_coordinator)
    url = link(client.get(f"/dashboard/?run={world.run.id}").get_data(as_text=True), "Competency evidence by country")
    assert client.get(url).status_code == 200


def test_reflections_are_in_the_data_download_and_erased_with_the_account(client, world, login):
    import io
    import json
    import zipfile
    _rated_world(client, world, login)
    login(world.trainee)
    client.post("/programme/competencies/C4/reflection", data={"C4-text": "Families lead more now.",
                                                              "C4-base_version": "0"})
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data/download").data))
    core = json.loads(archive.read("core.json"))
    assert [(r["competency"], r["text"]) for r in core["competency_reflections"]] == \
        [("C4", "Families lead more now.")]
    feedback = json.loads(archive.read("activities/assignment.json"))["submissions"][0]["feedback"][0]
    assert {(r["criterion"], r["level"]) for r in feedback["rubric"]} == {("whole_family", 3), ("co_creation", 1)}
    client.post("/logout")
    login(world.admin)
    response = client.post(f"/admin/users/{world.trainee.id}/erase",
                           data={f"user-{world.trainee.id}-confirm_email": world.trainee.email})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert world.trainee.erased_at is not None
    assert db.session.scalar(select(CompetencyReflection)) is None
