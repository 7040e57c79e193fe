"""The small-group rule and the differencing guard, for every figure of the results.

Each instrument declares its minimum group `min_group` (content: default 5, lowest 3). A figure
(a distribution, a mean, a list of free text, a count of who grew) is computed per results scope:
one cohort, one country's cohorts in a run, or the whole run. Those scopes nest (run > country >
cohort; the transnational cohort sits directly under the run), and whoever may read them all (a
transnational coordinator) could subtract one from another. A shown figure therefore has to meet
two conditions, decided per figure from the answers of the whole run:

1. it counts at least `min_group` answers, and
2. the answers it counts beyond the shown figures inside it (its shown countries, and the shown
   cohorts of countries that are not shown) are none, or at least `min_group`.

What can be learnt by differencing nested figures is exactly those "answers beyond" (for nested
sets, every difference is a sum of them), so condition 2 keeps every such difference at least
`min_group` answers. A cohort below the threshold thus counts in its country's and the run's
figures whenever that leaves no smaller remainder; when it would, the larger figure is hidden
rather than the smaller, because the national teams are the first readers of their own results.
The rule is decided bottom-up in one pass: hiding a larger figure never changes a smaller one."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

DEFAULT_MIN_GROUP = 5
LOWEST_MIN_GROUP = 3
HIGHEST_MIN_GROUP = 50

COHORT, COUNTRY, RUN = "cohort", "country", "run"
Node = tuple[str, int | None]
RUN_NODE: Node = (RUN, None)


def min_group_of(instrument: dict[str, Any]) -> int:
    """The instrument's minimum group; instruments imported before the setting existed have 5."""
    value = instrument.get("min_group", DEFAULT_MIN_GROUP)
    return value if isinstance(value, int) and value >= LOWEST_MIN_GROUP else DEFAULT_MIN_GROUP


def _safe_remainder(rest: int, k: int) -> bool:
    return rest == 0 or rest >= k


@dataclass(frozen=True)
class Nesting:
    """Every cohort of one run and the country it counts for (None: directly under the run)."""
    country_of: dict[int, int | None]

    @classmethod
    def of(cls, cohorts: Iterable[Any]) -> Nesting:
        return cls({c.id: c.country_id for c in cohorts})

    @cached_property
    def _cohorts_by_country(self) -> dict[int, list[int]]:
        # Worked out once, not once per figure: the run's report asks `shown` for every
        # question, row and cell, over the 480 cohorts of a 10,000-trainee run.
        cohorts_of: dict[int, list[int]] = defaultdict(list)
        for cohort, country in self.country_of.items():
            if country is not None:
                cohorts_of[country].append(cohort)
        return dict(cohorts_of)

    @cached_property
    def _cohorts_outside_countries(self) -> list[int]:
        return [c for c, country in self.country_of.items() if country is None]

    def shown(self, counts: dict[int, int], k: int) -> set[Node]:
        """The scopes whose figure may be shown, given the answers to it per cohort."""
        n = {c: counts.get(c, 0) for c in self.country_of}
        shown: set[Node] = {(COHORT, c) for c, count in n.items() if count >= k}
        covered_in_run = 0
        for country, cohorts in self._cohorts_by_country.items():
            total = sum(n[c] for c in cohorts)
            inside = sum(n[c] for c in cohorts if (COHORT, c) in shown)
            if total >= k and _safe_remainder(total - inside, k):
                shown.add((COUNTRY, country))
                covered_in_run += total
            else:
                covered_in_run += inside
        covered_in_run += sum(n[c] for c in self._cohorts_outside_countries if (COHORT, c) in shown)
        total = sum(n.values())
        if total >= k and _safe_remainder(total - covered_in_run, k):
            shown.add(RUN_NODE)
        return shown


@dataclass(frozen=True)
class Rule:
    """The rule for one scope's figures: the scope's place in the run, the run's cohorts, the
    minimum group."""
    node: Node
    nesting: Nesting
    cohort_ids: frozenset[int]
    min_group: int

    def with_min_group(self, k: int) -> Rule:
        return Rule(self.node, self.nesting, self.cohort_ids, k)

    def within(self, node: Node, cohort_ids: Iterable[int]) -> Rule:
        return Rule(node, self.nesting, frozenset(cohort_ids), self.min_group)

    def values(self, pairs: Iterable[tuple[int, Any]]) -> list[Any]:
        """The values one figure of this scope may be built from, given (cohort id, value) for
        the whole run: all of the scope's values when the figure may be shown, else none."""
        pairs = list(pairs)
        counts: dict[int, int] = defaultdict(int)
        for cohort_id, _value in pairs:
            counts[cohort_id] += 1
        if self.node not in self.nesting.shown(counts, self.min_group):
            return []
        return [value for cohort_id, value in pairs if cohort_id in self.cohort_ids]
