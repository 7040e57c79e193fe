"""Rubrics on the competency elements: checked in content with file:line, rated in feedback, and
seen by the trainee only once the feedback is released."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.plugins import ConfigError, ContentContext
from modules.assignment import plugin
from modules.assignment.rubric_models import RubricRating

from .helpers import build_assignments
from .rubric_helpers import RUBRIC, add_rubric_assignment, hand_in, rate

CONTENT = Path(__file__).resolve().parents[3] / "content"


def _content(tmp_path: Path, rubric: str) -> ContentContext:
    (tmp_path / "programme.yaml").write_text(
        "competencies:\n" + "".join(f"  - {{code: C{i}, title: T{i}}}\n" for i in range(1, 8)), encoding="utf-8")
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "analysis.yaml").write_text(rubric, encoding="utf-8")
    return ContentContext(root=tmp_path, base_dir=tmp_path, file="content/modules/m/module.yaml", line=9,
                          key_lines={"rubric": 12, "rubric_rating": 13})


def test_a_rubric_is_read_into_the_settings(tmp_path):
    settings = plugin.validate_config({"submission": "text", "rubric": "analysis"}, _content(tmp_path, RUBRIC))
    assert settings["rubric_rating"] == "optional"
    assert [(c["key"], c["competency"]) for c in settings["rubric"]["criteria"]] == \
        [("whole_family", "C1"), ("co_creation", "C4")]
    assert settings["rubric"]["levels"][2] == "Shown" and settings["rubric"]["meets"] == 3


@pytest.mark.parametrize(("change", "where", "message"), [
    (("competency: C1", "competency: C11"), "rubrics/analysis.yaml:7", "unknown competency 'C11' (did you mean 'C1'?)"),
    (("The whole is analysed.]", "]"), "rubrics/analysis.yaml:9", "'descriptors' must list 4 texts"),
    (("meets: 3", "meets: 5"), "rubrics/analysis.yaml:3", "'meets' must be a level from 1 to 4"),
    (("key: co_creation", "key: whole_family"), "rubrics/analysis.yaml:10", "duplicate criterion key"),
    (("slug: analysis", "slug: copy"), "rubrics/analysis.yaml:1", "'slug' must be the file's name, 'analysis'"),
])
def test_mistakes_in_a_rubric_point_at_file_and_line(tmp_path, change, where, message):
    with pytest.raises(ConfigError) as error:
        plugin.validate_config({"submission": "text", "rubric": "analysis"},
                               _content(tmp_path, RUBRIC.replace(*change)))
    assert error.value.where.endswith(where) and message in error.value.plain


def test_a_missing_rubric_or_a_rating_without_one_is_refused(tmp_path):
    context = _content(tmp_path, RUBRIC)
    with pytest.raises(ConfigError) as error:
        plugin.validate_config({"submission": "text", "rubric": "analysys"}, context)
    assert error.value.where == "content/modules/m/module.yaml:12" and "rubrics/analysys.yaml" in error.value.plain
    with pytest.raises(ConfigError) as error:
        plugin.validate_config({"submission": "text", "rubric_rating": "optional"}, context)
    assert error.value.where == "content/modules/m/module.yaml:13"
    with pytest.raises(ConfigError) as error:
        plugin.validate_config({"submission": "text", "rubric": "analysis", "rubric_rating": "always"}, context)
    assert "'rubric_rating' must be one of optional, off" in error.value.plain


def test_the_programme_rubrics_are_valid_and_translated():
    for slug in ("family-situation-analysis", "micro-innovation-plan"):
        context = ContentContext(root=CONTENT, base_dir=CONTENT, file="x.yaml", line=1)
        settings = plugin.validate_config({"submission": "text", "rubric": slug}, context)
        assert {c["competency"] for c in settings["rubric"]["criteria"]} <= {f"C{i}" for i in range(1, 8)}
        for lang in ("sv", "nb", "sl", "pt", "it"):
            assert (CONTENT / "rubrics" / f"{slug}.{lang}.yaml").is_file()
    for module, slug in (("03-whole-family", "family-situation-analysis"),
                         ("04-abductive-learning", "micro-innovation-plan")):
        assert f"rubric: {slug}" in (CONTENT / "modules" / module / "module.yaml").read_text(encoding="utf-8")


def test_ratings_are_released_with_the_feedback(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    submission = hand_in(client, login, world.trainee)

    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Rubric: Reading the analysis" in page and "The areas are described together." in page
    client.post("/logout")

    draft = rate(client, login, world.facilitator, submission, action="save", whole_family=3, co_creation=2)
    assert sorted((r.criterion, r.competency, r.level) for r in draft.rubric_ratings) == \
        [("co_creation", "C4", 2), ("whole_family", "C1", 3)]
    # The draft's ratings come back into the form, and the trainee sees nothing yet.
    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert '<input checked class="form-check-input" id="rubric-whole_family-3"' in page
    client.post("/logout")
    login(world.trainee)
    assert "Level 3 of 4" not in client.get("/a/assignment/asg-rubric").get_data(as_text=True)
    client.post("/logout")

    released = rate(client, login, world.facilitator, submission, whole_family=3)
    assert [(r.criterion, r.level) for r in released.rubric_ratings] == [("whole_family", 3)]
    login(world.trainee)
    page = client.get("/a/assignment/asg-rubric").get_data(as_text=True)
    assert "Level 3 of 4: Shown" in page and "The areas are described together." in page
    assert "The family's own view" not in page.split("Rubric</h")[-1].split("</dl>")[0]


def test_an_unknown_level_or_criterion_is_not_stored(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    submission = hand_in(client, login, world.trainee)
    login(world.facilitator)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "Fine.", "decision": "accept", "action": "release", "rubric-whole_family": "9"})
    assert response.status_code == 200 and "Nothing was saved" in response.get_data(as_text=True)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "Fine.", "decision": "accept", "action": "release", "rubric-made_up": "2"})
    assert response.status_code == 302
    assert RubricRating.query.count() == 0


def test_rating_off_shows_no_rating_fields(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national, rating="off")
    submission = hand_in(client, login, world.trainee)
    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "rubric-whole_family" not in page
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "Fine.", "decision": "accept", "action": "release", "rubric-whole_family": "3"})
    assert response.status_code == 302 and RubricRating.query.count() == 0
