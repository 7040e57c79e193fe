"""The minimum group per instrument (`min_group:` in content) and the differencing guard: figures
at 2, 3, 4 and 5 answers, small cohorts counted in their country's and the run's figures, and an
attacker who subtracts every figure they can read from every other."""
from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from app.extensions import db
from modules.evaluation.csv_labels import INSTRUMENT_LABELS
from modules.evaluation.instrument import load_instrument
from tests.csv_columns import csv_dicts

from .helpers import SURVEY, complete_answers, evaluation_for_world, trainees

CONTENT = Path(__file__).resolve().parents[3] / "content"
SURVEY_AT_3 = SURVEY.replace("anonymous: {anonymous}\n", "anonymous: {anonymous}\nmin_group: 3\n")
GUARDED = "hidden: a smaller group's answers could be worked out by comparing figures"


def send(client, login, user, activity, **answers):
    login(user)
    response = client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(**answers))
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


def page_and_csv(client, scope: str, slug: str) -> tuple[str, str]:
    page = client.get(f"/a/evaluation/results/{scope}/i/{slug}")
    assert page.status_code == 200
    data = client.get(f"/a/evaluation/results/{scope}/i/{slug}/export.csv")
    assert data.status_code == 200
    return page.get_data(as_text=True), data.get_data(as_text=True)


def overall_counts(csv_text: str) -> Counter | None:
    """The 'overall' question's counts per answer as the CSV gives them; None when hidden."""
    counts: Counter = Counter()
    for row in csv_dicts(csv_text, INSTRUMENT_LABELS):
        if row["question"] == "overall":
            if row["note"].startswith("hidden"):
                return None
            counts[row["answer"]] = int(row["count"])
    return counts


# --- the content setting ----------------------------------------------------------------------------

def test_programme_feedback_uses_3_and_self_assessments_keep_5():
    found = {}
    for slug in ("interim-evaluation", "final-evaluation", "needs-survey", "self-assessment-baseline",
                 "self-assessment-interim", "self-assessment-final"):
        text = (CONTENT / "instruments" / f"{slug}.yaml").read_text(encoding="utf-8")
        found[slug] = load_instrument(text, f"content/instruments/{slug}.yaml", slug)["min_group"]
    assert found == {"interim-evaluation": 3, "final-evaluation": 3, "needs-survey": 5,
                     "self-assessment-baseline": 5, "self-assessment-interim": 5, "self-assessment-final": 5}


def test_min_group_defaults_to_5():
    text = SURVEY.format(family="f", phase="before", anonymous="true", opens=0, closes=10)
    assert load_instrument(text, "x.yaml", "x", competency_codes={"C1", "C2"})["min_group"] == 5


@pytest.mark.parametrize("value", ["2", "true", '"three"', "51"])
def test_content_check_refuses_a_min_group_below_3_with_file_and_line(app, tmp_path, value):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "instruments" / "interim-evaluation.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nmin_group: 3\n" in text
    path.write_text(text.replace("\nmin_group: 3\n", f"\nmin_group: {value}\n"), encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("min_group"))
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(root)])
    assert result.exit_code == 1
    assert (f"content/instruments/interim-evaluation.yaml:{line}: 'min_group' must be a whole number from 3 to 50: "
            f"with fewer than 3 answers a figure would single out a person") in result.output


def test_content_import_refuses_a_min_group_below_3_and_writes_nothing(app, tmp_path):
    from sqlalchemy import func, select

    from app.models import Activity
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "instruments" / "interim-evaluation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nmin_group: 3\n", "\nmin_group: 2\n"),
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "import", "--path", str(root)])
    assert result.exit_code == 1
    assert "content/instruments/interim-evaluation.yaml:15: 'min_group' must be a whole number from 3 to 50" \
        in result.output
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


# --- 2, 3, 4 and 5 answers ----------------------------------------------------------------------

@pytest.mark.parametrize(("min_group", "answers"), [(3, 2), (3, 3), (3, 4), (3, 5), (5, 2), (5, 3), (5, 4), (5, 5)])
def test_figures_appear_at_the_instrument_s_minimum_group(client, world, login, factory, min_group, answers):
    template = SURVEY_AT_3 if min_group == 3 else SURVEY
    activity = evaluation_for_world(world, template=template)
    for i, user in enumerate([world.trainee, *trainees(factory, world.cohort, answers - 1)]):
        send(client, login, user, activity, overall=4, comment=f"Remark number {i}")
    for viewer, scope in ((world.facilitator, f"cohort-{world.cohort.id}"),
                          (world.transnational_coordinator, f"run-{world.run.id}-se")):
        client.post("/logout")
        login(viewer)
        page, data = page_and_csv(client, scope, activity.slug)
        assert f"at least {min_group} answers" in page
        if answers >= min_group:
            assert "results stay hidden" not in page and "Remark number 0" in page
            assert overall_counts(data) == Counter({"1": 0, "2": 0, "3": 0, "4": answers, "5": 0})
        else:
            assert "results stay hidden" in page and "Remark number" not in page and "<svg" not in page
            assert overall_counts(data) is None
            assert data.strip().splitlines()[1].endswith(f"hidden: fewer than {min_group} answers")
        # Competency self-ratings need 5 even where programme feedback needs 3.
        if min_group <= answers < 5:
            assert page.count("Fewer than 5 answers: hidden.") == 2  # the two competency rows
            assert f",competencies,Where are you today?,C1,,,,,,,,{answers},hidden: fewer than 5 answers" in data


def test_free_text_comes_in_random_order_without_dates(client, world, login, factory):
    activity = evaluation_for_world(world, template=SURVEY_AT_3)
    users = [world.trainee, *trainees(factory, world.cohort, 4)]
    for i, user in enumerate(users):
        send(client, login, user, activity, comment=f"Remark number {i}")
    login(world.facilitator)
    orders = set()
    for _ in range(10):
        page = client.get(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}").get_data(as_text=True)
        texts = re.search(r'<ul class="eval-texts">(.*?)</ul>', page, re.S).group(1)
        items = re.findall(r"<li>(.*?)</li>", texts)
        assert sorted(items) == [f"Remark number {i}" for i in range(5)]  # the text alone: no date, no name
        assert texts == "".join(f"<li>{t}</li>" for t in items)
        orders.add(tuple(items))
    assert "In random order, without names or dates." in page
    assert len(orders) > 1  # 10 pages in one order by chance: (1/120)^9


# --- small cohorts in the totals, and the differencing guard ------------------------------------------

@pytest.fixture
def second_swedish_cohort(world, factory):
    cohort = factory.cohort(world.run, country="SE", name="Sweden second")
    db.session.commit()
    return cohort


def _answer_in(client, login, factory, activity, cohort, n: int, rating: int, first=None):
    users = ([first] if first else []) + trainees(factory, cohort, n - (1 if first else 0), f"T{cohort.id}")
    for user in users[:n]:
        send(client, login, user, activity, overall=rating)


def _read_everything(client, world, cohorts, slug):
    """What a transnational coordinator reads: every cohort, every country and the run."""
    scopes = {("cohort", c.id): f"cohort-{c.id}" for c in cohorts}
    scopes |= {("country", "se"): f"run-{world.run.id}-se", ("country", "no"): f"run-{world.run.id}-no",
               ("run", None): f"run-{world.run.id}"}
    return {key: overall_counts(page_and_csv(client, token, slug)[1]) for key, token in scopes.items()}


def _differences(figures, world, sweden_b, k):
    """Every difference an attacker can take between a shown figure and the shown figures in it."""
    se_cohorts = [("cohort", world.cohort.id), ("cohort", sweden_b.id)]
    no_cohorts = [("cohort", world.other_cohort.id)]
    nested = {("country", "se"): [se_cohorts], ("country", "no"): [no_cohorts],
              ("run", None): [[("country", "se"), ("country", "no")], [*se_cohorts, *no_cohorts],
                              [("country", "se"), *no_cohorts], [*se_cohorts, ("country", "no")]]}
    found = []
    for parent, ways in nested.items():
        if figures[parent] is None:
            continue
        for parts in ways:
            rest = Counter(figures[parent])
            for part in parts:
                if figures[part] is not None:
                    rest.subtract(figures[part])
            assert all(v >= 0 for v in rest.values())
            found.append(sum(rest.values()))
    return found


@pytest.mark.parametrize(("sweden_a", "sweden_b", "norway", "shown"), [
    # Sweden A shown; Sweden (5) minus A would be B's 2: Sweden hidden, and so is the run.
    (3, 2, 0, {"A", "run-hidden"}),
    (3, 2, 3, {"A", "NO", "no"}),
    # Two cohorts of 2: hidden on their own, counted together in Sweden (4) and in the run.
    (2, 2, 3, {"se", "NO", "no", "run"}),
    (2, 2, 1, {"se"}),
    (4, 3, 2, {"A", "B", "se"}),
    (5, 4, 4, {"A", "B", "se", "NO", "no", "run"}),
])
def test_no_subtraction_of_the_figures_isolates_fewer_than_3_answers(
        client, world, login, factory, second_swedish_cohort, sweden_a, sweden_b, norway, shown):
    activity = evaluation_for_world(world, template=SURVEY_AT_3)
    cohorts = [world.cohort, second_swedish_cohort, world.other_cohort]
    _answer_in(client, login, factory, activity, world.cohort, sweden_a, 4, first=world.trainee)
    _answer_in(client, login, factory, activity, second_swedish_cohort, sweden_b, 1)
    if norway:
        _answer_in(client, login, factory, activity, world.other_cohort, norway, 2, first=world.trainee_other)
    login(world.transnational_coordinator)
    figures = _read_everything(client, world, cohorts, activity.slug)
    names = {("cohort", world.cohort.id): "A", ("cohort", second_swedish_cohort.id): "B",
             ("cohort", world.other_cohort.id): "NO", ("country", "se"): "se", ("country", "no"): "no",
             ("run", None): "run"}
    assert {names[key] for key, counts in figures.items() if counts is not None} == shown - {"run-hidden"}
    for difference in _differences(figures, world, second_swedish_cohort, 3):
        assert difference == 0 or difference >= 3, (figures, difference)
    # A shown total counts every answer in it, also those of cohorts too small to show alone.
    totals = {"se": sweden_a + sweden_b, "no": norway, "run": sweden_a + sweden_b + norway}
    for key, name in ((("country", "se"), "se"), (("country", "no"), "no"), (("run", None), "run")):
        if figures[key] is not None:
            assert sum(figures[key].values()) == totals[name]


def test_a_guarded_total_says_why_it_is_hidden(client, world, login, factory, second_swedish_cohort):
    activity = evaluation_for_world(world, template=SURVEY_AT_3)
    _answer_in(client, login, factory, activity, world.cohort, 3, 4, first=world.trainee)
    _answer_in(client, login, factory, activity, second_swedish_cohort, 2, 1)
    login(world.transnational_coordinator)
    page, data = page_and_csv(client, f"run-{world.run.id}-se", activity.slug)
    assert "5 answers, but the results stay hidden: compared with the figures of another page, they would " \
           "reveal the answers of a group smaller than 3." in page
    assert all(line.endswith(GUARDED) for line in data.strip().splitlines()[1:])
    page, _data = page_and_csv(client, f"cohort-{second_swedish_cohort.id}", activity.slug)
    assert "Fewer than 3 answers so far (2)" in page
