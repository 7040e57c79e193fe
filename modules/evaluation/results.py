"""Aggregates: distributions, free text, before/interim/final comparison and CSV rows.

One rule protects every aggregate: `Rule.values()` in disclosure.py. Every figure built here - a
distribution, a mean, a list of free-text answers, a count of trainees who grew - is shown only
when it counts at least the instrument's `min_group` answers and when comparing it with the
figures of the scopes inside it (country minus its cohorts, all countries minus the countries)
cannot isolate fewer than that; on every page and in every CSV. The rule also applies to named
questionnaires, so a coordinator (who sees status, never content) cannot read one trainee's
answers through an aggregate. Competency self-ratings always need DEFAULT_MIN_GROUP (5), even in
an instrument that allows 3 for its programme feedback."""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.localized import country_name
from app.models import Activity

from .disclosure import COHORT, COUNTRY, DEFAULT_MIN_GROUP, RUN_NODE, Nesting, Rule, min_group_of
from .instrument import PHASES, competency_matrix, questions, retrospective_matrix
from .models import AnonymousResponse, NamedResponse
from .questionnaire import instrument_of
from .scopes import Scope, activities_in_scope, run_nesting

#: Free text is shown in a fresh random order on every page (never by who or when).
_shuffle = random.SystemRandom().shuffle

SCALE_LABELS = {
    "scale5": (_l("Very low"), _l("Low"), _l("Moderate"), _l("High"), _l("Very high")),
    "agreement5": (_l("Strongly disagree"), _l("Disagree"), _l("Neither agree nor disagree"), _l("Agree"),
                   _l("Strongly agree")),
}
PHASE_LABELS = {"before": _l("Start"), "interim": _l("Half-way"), "final": _l("End")}
RETRO_LABELS = {"then": _l("Before the programme (looking back)"), "now": _l("Now")}


def rule_for(scope: Scope, min_group: int) -> Rule:
    """The small-group rule for the figures of `scope` (one query: the run's cohorts, unless
    the request has read them already)."""
    nesting = Nesting(run_nesting(scope.run.id))
    node = (COHORT, scope.cohort.id) if scope.kind == COHORT else \
        (COUNTRY, scope.country.id) if scope.kind == COUNTRY else RUN_NODE
    return Rule(node, nesting, frozenset(scope.cohort_ids), min_group)


def question_rule(rule: Rule, q: dict[str, Any]) -> Rule:
    """Self-ratings of competencies are personal: at least DEFAULT_MIN_GROUP, whatever the instrument allows."""
    if q["type"] == "matrix" and q.get("competencies") and rule.min_group < DEFAULT_MIN_GROUP:
        return rule.with_min_group(DEFAULT_MIN_GROUP)
    return rule


def scale_choices(q: dict[str, Any]) -> list[tuple[str, str]]:
    """(value, label) for the points of a scale question or matrix, 1..5 then 'na' if offered."""
    labels = q.get("labels") or [str(label) for label in SCALE_LABELS[q["scale"]]]
    choices = [(str(i), f"{i} – {label}") for i, label in enumerate(labels, start=1)]
    if q.get("na"):
        choices.append(("na", q["na"]))
    return choices


def option_choices(q: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o["key"], o["text"]) for o in q["options"]]


# --- loading answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    #: Who answered, as far as results may know: the pseudonymous code, or "u<id>" when named.
    person: str
    cohort_id: int
    answers: dict[str, Any]


def load_answers(activities: list[Activity], cohort_ids: list[int]) -> dict[int, list[Answer]]:
    """{activity id: answers} for the activities in the cohorts (two queries at most). Anonymous
    rows come in the order of their random ids, which says nothing about who sent them first."""
    result: dict[int, list[Answer]] = {a.id: [] for a in activities}
    anonymous = [a.id for a in activities if instrument_of(a)["anonymous"]]
    named = [a.id for a in activities if not instrument_of(a)["anonymous"]]
    # Plain columns, not ORM rows: the report reads every answer of the run (1,500 at 1,000
    # trainees), and building and tracking an entity per answer was half the cost; through the
    # session's connection, as the ORM's execution layer has nothing to load here either.
    if anonymous and cohort_ids:
        for activity_id, code, cohort_id, answers in db.session.connection().execute(select(
                AnonymousResponse.activity_id, AnonymousResponse.code, AnonymousResponse.cohort_id,
                AnonymousResponse.answers).where(
                AnonymousResponse.activity_id.in_(anonymous), AnonymousResponse.cohort_id.in_(cohort_ids))
                .order_by(AnonymousResponse.id)):
            result[activity_id].append(Answer(code, cohort_id, answers or {}))
    if named and cohort_ids:
        for activity_id, user_id, cohort_id, answers in db.session.connection().execute(select(
                NamedResponse.activity_id, NamedResponse.user_id, NamedResponse.cohort_id, NamedResponse.answers)
                .where(NamedResponse.activity_id.in_(named), NamedResponse.cohort_id.in_(cohort_ids))
                .order_by(NamedResponse.user_id)):
            result[activity_id].append(Answer(f"u{user_id}", cohort_id, answers or {}))
    return result


# --- one questionnaire's results -----------------------------------------------------------------

@dataclass
class Bar:
    key: str
    label: str
    count: int
    percent: int


@dataclass
class Distribution:
    bars: list[Bar]
    answered: int
    mean: float | None = None


@dataclass
class RowSummary:
    key: str
    text: str
    #: None when hidden by the small-numbers rule.
    distribution: Distribution | None = None
    then: Distribution | None = None
    now: Distribution | None = None
    #: Retrospective rows: how many rated themselves higher now than before the programme.
    higher_now: int | None = None
    pairs: int = 0


@dataclass
class QuestionSummary:
    question: dict[str, Any]
    shown: bool
    distribution: Distribution | None = None
    rows: list[RowSummary] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    #: Answers to this question in the scope, and the group size its figures need.
    answered: int = 0
    min_group: int = DEFAULT_MIN_GROUP

    @property
    def guarded(self) -> bool:
        """Hidden although enough answered: showing it would let a smaller group be subtracted."""
        return not self.shown and self.answered >= self.min_group

    @property
    def row_means(self) -> list[tuple[str, float | None]]:
        return [(r.text, r.distribution.mean if r.distribution else None) for r in self.rows]

    def retro_means(self, column: str) -> list[tuple[str, float | None]]:
        return [(r.text, d.mean if (d := getattr(r, column)) else None) for r in self.rows]


@dataclass
class Summary:
    #: Answers in the scope.
    respondents: int
    shown: bool
    questions: list[QuestionSummary]
    min_group: int = DEFAULT_MIN_GROUP

    @property
    def guarded(self) -> bool:
        return not self.shown and self.respondents >= self.min_group


def _mean(values: list[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return round(sum(numbers) / len(numbers), 2) if numbers else None


def _distribution(values: list[Any], choices: list[tuple[str, str]], *, scale: bool) -> Distribution | None:
    """`values` come from `Rule.values`: empty when the figure is hidden."""
    if not values:
        return None
    counts: dict[str, int] = defaultdict(int)
    for v in values:
        counts[str(v)] += 1
    n = len(values)
    bars = [Bar(key, label, counts[key], round(100 * counts[key] / n)) for key, label in choices]
    return Distribution(bars, n, _mean(values) if scale else None)


def _multiple(values: list[list[str]], choices: list[tuple[str, str]]) -> Distribution | None:
    if not values:
        return None
    n = len(values)
    bars = [Bar(key, label, sum(1 for v in values if key in v), round(100 * sum(1 for v in values if key in v) / n))
            for key, label in choices]
    return Distribution(bars, n)


def summarise(instrument: dict[str, Any], answers: list[Answer], rule: Rule,
              kinds: Collection[str] | None = None) -> Summary:
    """Every figure of one questionnaire for the scope of `rule`, from the answers of the whole
    run, with the small-group rule applied to the whole and to each question, row and list of
    free text. `kinds`: only the questions of these types (the programme report shows ratings
    only, and summarising the rest of 10,000 trainees' answers was most of its time)."""
    mine = [a for a in answers if a.cohort_id in rule.cohort_ids]
    asked = [q for q in questions(instrument) if kinds is None or q["type"] in kinds]
    if not rule.values((a.cohort_id, a) for a in answers):
        return Summary(len(mine), False, [QuestionSummary(q, False, answered=_answered(mine, q),
                                                          min_group=question_rule(rule, q).min_group)
                                          for q in asked], rule.min_group)
    return Summary(len(mine), True, [_question(q, answers, question_rule(rule, q)) for q in asked],
                   rule.min_group)


def _answered(answers: list[Answer], q: dict[str, Any]) -> int:
    return sum(1 for a in answers if a.answers.get(q["key"]) not in (None, "", [], {}))


def _values(answers: list[Answer], rule: Rule, key: str, keep, pick=lambda v: v) -> list[Any]:
    """The values of one figure: `pick(answer[key])` for every answer where `keep` holds, under the rule."""
    pairs = []
    for a in answers:
        if key in a.answers and keep(a.answers[key]):
            picked = pick(a.answers[key])
            if picked is not None:
                pairs.append((a.cohort_id, picked))
    return rule.values(pairs)


def _question(q: dict[str, Any], answers: list[Answer], rule: Rule) -> QuestionSummary:
    key, kind = q["key"], q["type"]
    answered = _answered([a for a in answers if a.cohort_id in rule.cohort_ids], q)
    found = QuestionSummary(q, False, answered=answered, min_group=rule.min_group)
    if kind == "text":
        found.texts = _values(answers, rule, key, lambda v: isinstance(v, str) and bool(v.strip()))
        _shuffle(found.texts)
        found.shown = bool(found.texts)
        return found
    if kind == "multiple":
        found.distribution = _multiple(_values(answers, rule, key, lambda v: isinstance(v, list)), option_choices(q))
        found.shown = found.distribution is not None
        return found
    if kind in ("single", "scale5", "agreement5"):
        choices = option_choices(q) if kind == "single" else scale_choices(q)
        found.distribution = _distribution(_values(answers, rule, key, lambda v: True), choices,
                                           scale=kind != "single")
        found.shown = found.distribution is not None
        return found
    choices = scale_choices(q)
    # The answers' grids, found once for every row (the run's report reads 1,500 answers per row).
    grids = [(a.cohort_id, a.answers[key]) for a in answers if isinstance(a.answers.get(key), dict)]
    for row in q["rows"]:
        summary = RowSummary(row["key"], row["text"])

        def cells(pick, r=row["key"]):
            # `_values(answers, rule, key, is a dict, pick(grid[r]))`, over the grids found above.
            return rule.values([(cohort_id, picked) for cohort_id, grid in grids
                                if (picked := pick(grid.get(r))) is not None])

        if q.get("retrospective"):
            summary.then = _distribution(cells(lambda c: _retro(c, "then")), choices, scale=True)
            summary.now = _distribution(cells(lambda c: _retro(c, "now")), choices, scale=True)
            pairs = cells(_int_pair)
            summary.pairs = len(pairs)
            summary.higher_now = sum(1 for t, n in pairs if n > t) if pairs else None
        else:
            summary.distribution = _distribution(cells(lambda c: c), choices, scale=True)
        found.rows.append(summary)
    found.shown = any(r.distribution or r.then or r.now for r in found.rows)
    return found


def _retro(cell: Any, column: str) -> Any:
    return cell.get(column) if isinstance(cell, dict) else None


def _int_pair(cell: Any) -> tuple[int, int] | None:
    """(then, now) of a retrospective cell when both are points of the scale."""
    if isinstance(cell, dict) and isinstance(cell.get("then"), int) and isinstance(cell.get("now"), int):
        return cell["then"], cell["now"]
    return None


def instrument_summary(scope: Scope, activity: Activity) -> Summary:
    """One questionnaire's figures for a scope. The answers of the whole run are read, because
    whether a figure may be shown depends on the figures around it."""
    instrument = instrument_of(activity)
    rule = rule_for(scope, min_group_of(instrument))
    answers = load_answers([activity], sorted(rule.nesting.country_of))[activity.id]
    return summarise(instrument, answers, rule)


# --- before / interim / final -----------------------------------------------------------------------

@dataclass
class Change:
    grew: int
    same: int
    declined: int

    @property
    def pairs(self) -> int:
        return self.grew + self.same + self.declined


@dataclass
class Column:
    phase: str
    activities: list[Activity]
    respondents: int = 0

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self.phase])


@dataclass
class CompetencyRow:
    key: str
    text: str
    #: Per column: the mean, or None when hidden (or nobody answered).
    means: list[float | None] = field(default_factory=list)
    #: Per column: ratings given, and ratings counted in the mean (0 when hidden).
    answered: list[int] = field(default_factory=list)
    counted: list[int] = field(default_factory=list)
    #: Per column after the first: change since the first column, or None when hidden.
    changes: list[Change | None] = field(default_factory=list)
    retro_then: float | None = None
    retro_now: float | None = None
    #: Looking back at the end: how many rate themselves higher now than before (hidden if None).
    retro_change: Change | None = None


@dataclass
class Growth:
    label: str
    columns: list[Column]
    rows: list[CompetencyRow]
    retro: list[Activity]
    retro_respondents: int = 0

    @property
    def later_columns(self) -> list[Column]:
        return self.columns[1:]


@dataclass
class GrowthPlan:
    """Which activities a comparison reads: one column per phase of the family with the most
    phases, and any retrospective competency matrix beside them."""
    family: str
    columns: list[Column]
    retro: list[Activity]
    rows: list[dict[str, str]]
    matrix_key: str


def growth_plan(activities: list[Activity]) -> GrowthPlan | None:
    families: dict[str, dict[str, list[Activity]]] = defaultdict(lambda: defaultdict(list))
    for a in activities:
        instrument = instrument_of(a)
        if competency_matrix(instrument) is not None:
            families[instrument["family"]][instrument["phase"]].append(a)
    if not families:
        return None
    family, phases = max(families.items(), key=lambda item: (len(item[1]), item[0]))
    columns = [Column(p, phases[p]) for p in PHASES if p in phases]
    matrix = competency_matrix(instrument_of(columns[0].activities[0]))
    keys = {r["key"] for r in matrix["rows"]}
    retro = [a for a in activities if (m := retrospective_matrix(instrument_of(a))) is not None
             and {r["key"] for r in m["rows"]} <= keys]
    return GrowthPlan(family, columns, retro, matrix["rows"], matrix["key"])


def _matrix_values(answer: Answer, key: str) -> dict[str, Any]:
    value = answer.answers.get(key)
    return value if isinstance(value, dict) else {}


def build_growth(plan: GrowthPlan, answers: dict[int, list[Answer]], label: str, rule: Rule) -> Growth:
    """The comparison for the scope of `rule`, from the answers of the whole run. A pair (start
    and later rating of one code) counts for the cohort of the later answer."""
    def mine(items: list[Answer]) -> list[Answer]:
        return [a for a in items if a.cohort_id in rule.cohort_ids]

    columns = [Column(c.phase, c.activities) for c in plan.columns]
    #: Per column: {person: (cohort id, {competency: rating})}, for the whole run.
    per_column: list[dict[str, tuple[int, dict[str, Any]]]] = []
    for column in columns:
        entries = [a for act in column.activities for a in answers.get(act.id, [])]
        column.respondents = len(mine(entries))
        per_column.append({a.person: (a.cohort_id, _matrix_values(a, plan.matrix_key)) for a in entries})
    retro_entries = [a for act in plan.retro for a in mine(answers.get(act.id, []))]
    retro_key = {act.id: retrospective_matrix(instrument_of(act))["key"] for act in plan.retro}
    retro_values = [(a.cohort_id, v) for act in plan.retro for a in answers.get(act.id, [])
                    if isinstance(v := a.answers.get(retro_key[act.id]), dict)]
    rows = []
    for item in plan.rows:
        k = item["key"]
        row = CompetencyRow(k, item["text"])
        for values in per_column:
            given = [(c, v[k]) for c, v in values.values() if isinstance(v.get(k), int)]
            numbers = rule.values(given)
            row.answered.append(sum(1 for c, _v in given if c in rule.cohort_ids))
            row.counted.append(len(numbers))
            row.means.append(_mean(numbers))
        baseline = per_column[0] if per_column else {}
        for values in per_column[1:]:
            pairs = [(c, (baseline[p][1].get(k), v.get(k))) for p, (c, v) in values.items() if p in baseline]
            row.changes.append(_change(rule.values(
                [(c, (b, e)) for c, (b, e) in pairs if isinstance(b, int) and isinstance(e, int)])))
        retro_pairs = rule.values([(c, pair) for c, v in retro_values if (pair := _int_pair(v.get(k)))])
        row.retro_then = _mean([t for t, _n in retro_pairs])
        row.retro_now = _mean([n for _t, n in retro_pairs])
        row.retro_change = _change(retro_pairs)
        rows.append(row)
    return Growth(label, columns, rows, plan.retro, len(retro_entries))


def _change(pairs: list[tuple[int, int]]) -> Change | None:
    if not pairs:
        return None
    return Change(sum(1 for b, e in pairs if e > b), sum(1 for b, e in pairs if e == b),
                  sum(1 for b, e in pairs if e < b))


def growth_min_group(plan: GrowthPlan) -> int:
    """Self-ratings over time: the largest group any of the instruments asks, and at least 5."""
    activities = [a for c in plan.columns for a in c.activities] + plan.retro
    return max([DEFAULT_MIN_GROUP, *(min_group_of(instrument_of(a)) for a in activities)])


@dataclass
class GrowthReport:
    plan: GrowthPlan | None
    overall: Growth | None
    #: For a whole run: one comparison per country, side by side.
    by_country: list[Growth] = field(default_factory=list)


def growth_report(scope: Scope) -> GrowthReport:
    activities = activities_in_scope(scope)
    plan = growth_plan(activities)
    if plan is None:
        return GrowthReport(None, None)
    wanted = [a for c in plan.columns for a in c.activities] + plan.retro
    rule = rule_for(scope, growth_min_group(plan))
    answers = load_answers(wanted, sorted(rule.nesting.country_of))
    report = GrowthReport(plan, build_growth(plan, answers, scope.label, rule))
    if scope.kind == "run":
        countries: dict[int, tuple[str, set[int]]] = {}
        for c in scope.cohorts:
            if c.country is not None:
                countries.setdefault(c.country_id, (country_name(c.country), set()))[1].add(c.id)
        report.by_country = [build_growth(plan, answers, name, rule.within((COUNTRY, country_id), ids))
                             for country_id, (name, ids) in sorted(countries.items(), key=lambda item: item[1][0])]
    return report


# --- CSV -----------------------------------------------------------------------------------------

def hidden_note(answered: int, min_group: int) -> str:
    if answered >= min_group:
        return "hidden: a smaller group's answers could be worked out by comparing figures"
    return f"hidden: fewer than {min_group} answers"


INSTRUMENT_HEADER = ["scope", "instrument", "question", "question_text", "row", "column", "answer", "answer_label",
                     "count", "percent", "mean", "answered", "respondents", "note"]


def instrument_csv_rows(scope: Scope, activity: Activity, summary: Summary) -> list[list[Any]]:
    """Aggregates only: distributions and means. Free-text answers are never exported."""
    base = [scope.label, activity.slug]
    rows: list[list[Any]] = []
    respondents = summary.respondents

    def dist_rows(qs, row_key, column, dist):
        q = qs.question
        if dist is None:
            rows.append(base + [q["key"], q["text"], row_key, column, "", "", "", "", "", "", respondents,
                                hidden_note(qs.answered, qs.min_group)])
            return
        for bar in dist.bars:
            rows.append(base + [q["key"], q["text"], row_key, column, bar.key, bar.label, bar.count, bar.percent,
                                "" if dist.mean is None else dist.mean, dist.answered, respondents, ""])

    for qs in summary.questions:
        q = qs.question
        if not summary.shown:
            rows.append(base + [q["key"], q["text"], "", "", "", "", "", "", "", "", summary.respondents,
                                hidden_note(summary.respondents, summary.min_group)])
        elif q["type"] == "text":
            rows.append(base + [q["key"], q["text"], "", "", "", "", "", "", "", len(qs.texts) or "",
                                respondents, "free text: not exported"])
        elif q["type"] == "matrix":
            for r in qs.rows:
                if q.get("retrospective"):
                    dist_rows(qs, r.key, "then", r.then)
                    dist_rows(qs, r.key, "now", r.now)
                else:
                    dist_rows(qs, r.key, "", r.distribution)
        else:
            dist_rows(qs, "", "", qs.distribution)
    return rows


GROWTH_HEADER = ["scope", "group", "competency", "competency_text", "measure", "respondents", "mean", "grew",
                 "same", "declined", "pairs", "note"]


def growth_csv_rows(scope: Scope, report: GrowthReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    k = growth_min_group(report.plan) if report.plan else DEFAULT_MIN_GROUP
    for growth in [report.overall, *report.by_country]:
        if growth is None:
            continue
        for row in growth.rows:
            for i, column in enumerate(growth.columns):
                mean = row.means[i]
                change = row.changes[i - 1] if i else None
                hidden = mean is None or (i > 0 and change is None)
                note = ("no answers yet" if not row.answered[i] else hidden_note(row.answered[i], k)) if hidden else ""
                measure = column.phase if i == 0 else f"{column.phase} (change since {growth.columns[0].phase})"
                rows.append([scope.label, growth.label, row.key, row.text, measure,
                             "" if mean is None else row.counted[i], "" if mean is None else mean,
                             change.grew if change else "", change.same if change else "",
                             change.declined if change else "", change.pairs if change else "", note])
            if growth.retro:
                change = row.retro_change
                rows.append([scope.label, growth.label, row.key, row.text, "retrospective then -> now",
                             change.pairs if change else "",
                             "" if row.retro_then is None else f"{row.retro_then} -> {row.retro_now}",
                             change.grew if change else "", change.same if change else "",
                             change.declined if change else "", change.pairs if change else "",
                             "" if change else hidden_note(growth.retro_respondents, k)])
    return rows


# --- one trainee's own ratings over time -------------------------------------------------------------

@dataclass
class PersonalRow:
    key: str
    text: str
    values: list[Any]
    then: Any = None
    now: Any = None


def personal_growth(plan: GrowthPlan | None, items: list[Any]) -> list[PersonalRow]:
    """One trainee's competency ratings per phase (and looking back), from their own answers.
    No small-numbers rule: these are the trainee's own answers, shown to them or, for named
    questionnaires, to their facilitators."""
    if plan is None:
        return []
    by_activity = {i.activity.id: i.answers or {} for i in items}
    rows = []
    for item in plan.rows:
        values = []
        for column in plan.columns:
            found = [by_activity[a.id].get(plan.matrix_key, {}).get(item["key"])
                     for a in column.activities if a.id in by_activity]
            values.append(next((v for v in found if v is not None), None))
        row = PersonalRow(item["key"], item["text"], values)
        for a in plan.retro:
            if a.id in by_activity:
                cell = by_activity[a.id].get(retrospective_matrix(instrument_of(a))["key"], {}).get(item["key"])
                if isinstance(cell, dict):
                    row.then, row.now = cell.get("then"), cell.get("now")
        rows.append(row)
    return rows


def describe_answer(q: dict[str, Any], value: Any) -> list[str]:
    """One stored answer as lines of text for people (the trainee's own answers page)."""
    missing = str(_l("Not answered"))
    if value in (None, "", [], {}):
        return [missing]
    kind = q["type"]
    if kind == "text":
        return [str(value)]
    if kind in ("single", "multiple"):
        labels = dict(option_choices(q))
        return [labels.get(v, v) for v in (value if isinstance(value, list) else [value])]
    labels = dict(scale_choices(q))
    if kind != "matrix":
        return [labels.get(str(value), str(value))]
    lines = []
    for row in q["rows"]:
        cell = value.get(row["key"]) if isinstance(value, dict) else None
        if isinstance(cell, dict):
            then = labels.get(str(cell.get("then")), missing)
            now = labels.get(str(cell.get("now")), missing)
            lines.append(f"{row['text']}: {then} → {now}")
        else:
            lines.append(f"{row['text']}: {labels.get(str(cell), missing)}")
    return lines
