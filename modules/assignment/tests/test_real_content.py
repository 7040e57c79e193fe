"""The programme's own assignments, imported from content/ with `flask content import`: every
task page opens with its instructions, and each structured template (family situation analysis,
micro-innovation plan, micro-innovation report, final presentation) can be filled in and handed in."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Programme
from modules.assignment.models import Submission

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = {"short_text": "Family A", "long_text": "We tried a walk instead of the office.", "date": "2026-12-01",
          "month": "2026-11", "scale": "3"}


def _answer(spec: dict) -> str:
    return spec["choices"][0]["value"] if spec["type"] == "choice" else SAMPLE[spec["type"]]


def filled(template: dict) -> dict[str, str]:
    """Form data answering every field of a template (one row for each table)."""
    data = {}
    for spec in template["fields"]:
        if spec["type"] == "rows":
            data.update({f"t-{spec['name']}-0-{c['name']}": _answer(c) for c in spec["columns"]})
        else:
            data[f"t-{spec['name']}"] = _answer(spec)
    return data


@pytest.fixture
def programme(app, world):
    result = app.test_cli_runner().invoke(args=["content", "import", "--path", str(ROOT / "content")])
    assert result.exit_code == 0, result.output
    world.run.programme = db.session.scalar(select(Programme))
    db.session.commit()
    return world.run.programme


def test_every_assignment_of_the_programme_opens_and_the_templates_are_the_programmes(programme, client, world,
                                                                                       login):
    tasks = list(db.session.scalars(
        select(Activity).where(Activity.type == "assignment", Activity.country_id.is_(None))))
    templates = {t.settings["template"]["slug"] for t in tasks if t.settings["submission"] == "template"}
    assert {"family-situation-analysis", "micro-innovation-plan", "micro-innovation-report"} <= templates
    group = [t.slug for t in tasks if t.settings["group"]]
    assert group == ["country-group-presentation"]
    login(world.trainee)
    for task in tasks:
        page = client.get(f"/a/assignment/{task.slug}").get_data(as_text=True)
        assert "Instructions" in page and "Hand in" in page, task.slug
        for spec in (task.settings.get("template") or {}).get("fields", []):
            assert spec["label"].replace("'", "&#39;") in page.replace("&#x27;", "&#39;"), (task.slug, spec["label"])
    page = client.get("/a/assignment/country-group-presentation").get_data(as_text=True)
    assert "This is a group task" in page and "Accepted: PDF, DOCX, ODT." in page


@pytest.mark.parametrize("slug", ["family-situation-analysis", "micro-innovation-plan", "micro-innovation-report",
                                  "final-presentation"])
def test_each_template_can_be_handed_in(programme, client, world, login, slug):
    task = db.session.scalar(select(Activity).where(Activity.slug == slug))
    template = task.settings["template"]
    login(world.trainee)
    response = client.post(f"/a/assignment/{slug}", data={**filled(template), "action": "submit", "draft_version": 0,
                                                            "base_version": 0, "privacy_confirmed": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    version = db.session.scalar(select(Submission).where(Submission.activity_id == task.id)).versions[0]
    required = [f["name"] for f in template["fields"] if f["required"]]
    assert required and all(version.fields[name] for name in required)
