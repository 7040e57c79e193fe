"""Check a loaded content tree as a whole and return every problem found.

The loader has already reported broken YAML, missing and unknown keys and wrong value types; this
module checks what spans files: duplicate slugs and codes, references to competencies, ECVET
units, meetings, modules and countries, hours and credit points that must add up, and each
activity's settings, which the activity's plugin validates (app/plugins.py)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..plugins import ConfigError, ContentContext, PluginRegistry
from .loader import ActivityNode, ContentTree, Loc, Problem, Ref, did_you_mean, plain
from .variant_rules import VariantRules


def _fmt(number: Decimal) -> str:
    """Hours as people write them: 12, 1.5, 0.25."""
    text = format(number.normalize(), "f")
    return text


@dataclass
class _Checker(VariantRules):
    tree: ContentTree
    plugins: PluginRegistry
    planned: list[str]
    #: Country codes a variant may name; None: not checked (no database at hand).
    countries: set[str] | None
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: Loc | str, message: str) -> None:
        self.problems.append(Problem(str(where), message))

    def unique(self, items: Iterable[tuple[str, Loc]], what: str) -> None:
        first: dict[str, Loc] = {}
        for value, loc in items:
            if not value:
                continue
            if value in first:
                self.add(loc, f"duplicate {what} '{value}' (first at {first[value]})")
            else:
                first[value] = loc

    # -- the checks ---------------------------------------------------------------------------

    def run(self) -> list[Problem]:
        programme = self.tree.programme
        if programme is None:
            return self.problems
        self.codes = {c.code for c in programme.competencies}
        self.units = {u.code: u for u in programme.ecvet_units}
        self.meetings = {m.slug for module in self.tree.modules for m in module.meetings}
        self.unique(((c.code, c.loc) for c in programme.competencies), "competency code")
        self.unique(((u.code, u.loc) for u in programme.ecvet_units), "ECVET unit code")
        self.unique(((r.value, r.loc) for r in programme.module_refs), "module folder")
        self.unique(((m.slug, m.loc) for m in self.tree.modules), "module slug")
        self.unique(((str(m.order), m.loc) for m in self.tree.modules), "module order")
        self.unique(((m.slug, m.loc) for m in self.tree.meetings()), "meeting slug")
        self.unique(((a.slug, a.loc) for a in self.tree.activities()), "activity slug")
        self.unique(((r.slug, r.loc) for r in self.tree.resources()), "resource slug")
        for module in self.tree.modules:
            self.check_module(module)
        self.check_order()
        for resource in self.tree.resources():
            self.known_competencies(resource.competencies)
        self.check_totals()
        self.check_credit_points()
        resources = {r.path: r.slug for r in self.tree.resources()}
        for activity in self.tree.activities():
            self.check_activity(activity, resources)
        for variant in self.tree.variants:
            self.check_variant(variant)
        return self.problems

    def known_competencies(self, refs: list[Ref]) -> None:
        for ref in refs:
            if ref.value not in self.codes:
                self.add(ref.loc, f"unknown competency '{ref.value}'{did_you_mean(ref.value, self.codes)} "
                                  f"(known: {', '.join(sorted(self.codes))})")

    def check_module(self, module) -> None:
        if module.ecvet_unit is not None and module.ecvet_unit.value not in self.units:
            self.add(module.ecvet_unit.loc, f"unknown ECVET unit '{module.ecvet_unit.value}'"
                                            f"{did_you_mean(module.ecvet_unit.value, self.units)} "
                                            f"(known: {', '.join(self.units)})")
        self.known_competencies(module.competencies)
        for outcome in module.learning_outcomes:
            self.known_competencies(outcome.competencies)
        for meeting in module.meetings:
            if meeting.kind and module.component and meeting.kind != module.component:
                self.add(meeting.loc, f"meeting '{meeting.slug}' is {meeting.kind}, but module "
                                      f"'{module.slug}' is {module.component}: a meeting's kind must match "
                                      f"its module's component")
        activities = sum((a.hours for a in module.activities), Decimal(0))
        meetings = sum((m.hours for m in module.meetings), Decimal(0))
        if activities + meetings != module.hours:
            self.add(module.hours_loc or module.loc,
                     f"module '{module.slug}' has hours {_fmt(module.hours)}, but its activities "
                     f"({_fmt(activities)}) and meetings ({_fmt(meetings)}) add up to "
                     f"{_fmt(activities + meetings)}")

    def check_order(self) -> None:
        """`order:` follows the list in programme.yaml, so pages and the files agree."""
        previous = None
        for module in self.tree.modules:
            if previous is not None and module.order < previous.order:
                self.add(module.loc, f"module '{module.slug}' has order {module.order}, but it comes after "
                                     f"'{previous.slug}' (order {previous.order}) in programme.yaml's modules")
            previous = module

    def check_totals(self) -> None:
        programme = self.tree.programme
        total = sum((m.hours for m in self.tree.modules), Decimal(0))
        if total != programme.total_hours:
            self.add(programme.total_hours_loc or programme.loc, f"the modules add up to {_fmt(total)} hours, "
                                    f"but total_hours is {_fmt(programme.total_hours)}")
        self.check_split()

    def check_split(self) -> None:
        """`hours_by_component` (e.g. 100 national + 60 transnational) must add up to the total,
        and each component's modules to its share."""
        programme = self.tree.programme
        split = programme.component_hours
        if not split:
            return
        stated = sum((hours for hours, _loc in split.values()), Decimal(0))
        if stated != programme.total_hours:
            self.add(programme.component_hours_loc,
                     f"hours_by_component adds up to {_fmt(stated)} hours, "
                     f"but total_hours is {_fmt(programme.total_hours)}")
        for component, (hours, loc) in split.items():
            modules = [m for m in self.tree.modules if m.component == component]
            actual = sum((m.hours for m in modules), Decimal(0))
            if actual != hours:
                self.add(loc, f"the {component} modules add up to {_fmt(actual)} hours, but "
                              f"hours_by_component gives {component} {_fmt(hours)}")

    def check_credit_points(self) -> None:
        for code, unit in self.units.items():
            modules = [m for m in self.tree.modules if m.ecvet_unit is not None and m.ecvet_unit.value == code]
            points = sum((m.credit_points for m in modules), Decimal(0))
            if modules and points != unit.credit_points:
                self.add(unit.loc, f"ECVET unit {code} has {_fmt(unit.credit_points)} credit points, but its "
                                   f"modules' credit points add up to {_fmt(points)}")

    def check_activity(self, activity: ActivityNode, resources: dict) -> None:
        self.known_competencies(activity.competencies)
        due = activity.due
        if due is not None and due.after_meeting is not None and due.after_meeting.value not in self.meetings:
            self.add(due.after_meeting.loc, f"unknown meeting '{due.after_meeting.value}' in the due rule"
                                            f"{did_you_mean(due.after_meeting.value, self.meetings)}")
        plugin = self.plugins.get(activity.type)
        if plugin is None:
            if activity.type in self.planned:
                activity.normalised = plain(activity.settings)
            elif activity.type:
                known = ", ".join([*self.plugins.names(), *self.planned])
                self.add(activity.loc, f"unknown activity type '{activity.type}'"
                                       f"{did_you_mean(activity.type, [*self.plugins.names(), *self.planned])} "
                                       f"(known: {known})")
            return
        context = ContentContext(root=self.tree.root, base_dir=activity.base_dir, file=activity.loc.file,
                                 line=activity.settings_line, key_lines=dict(activity.settings.key_lines),
                                 resources=resources)
        try:
            activity.normalised = plugin.validate_config(plain(activity.settings), context)
        except ConfigError as exc:
            self.add(exc.where or context.where(), exc.plain)

    def check_variant(self, variant) -> None:
        if self.countries is not None and variant.country not in self.countries:
            self.add(variant.loc, f"unknown country '{variant.country}'{did_you_mean(variant.country, self.countries)} "
                                  f"(known: {', '.join(sorted(self.countries))})")
        self.check_variant_rules(variant)

    def _module(self, ref: Ref, modules: dict) -> Any:
        if ref.value not in modules:
            self.add(ref.loc, f"unknown module '{ref.value}'{did_you_mean(ref.value, modules)}")
            return None
        return modules[ref.value]

    def _common_activity(self, module_ref: Ref, activity_ref: Ref, modules: dict,
                         changed: dict[str, Loc]) -> ActivityNode | None:
        module = self._module(module_ref, modules)
        if module is None:
            return None
        common = next((a for a in module.activities if a.slug == activity_ref.value), None)
        if common is None:
            self.add(activity_ref.loc, f"unknown activity '{activity_ref.value}' in module '{module.slug}'"
                                       f"{did_you_mean(activity_ref.value, [a.slug for a in module.activities])}")
            return None
        if activity_ref.value in changed:
            self.add(activity_ref.loc, f"activity '{activity_ref.value}' is already replaced or removed "
                                       f"at {changed[activity_ref.value]}")
            return None
        changed[activity_ref.value] = activity_ref.loc
        return common


def validate(tree: ContentTree, plugins: PluginRegistry, planned: list[str],
             countries: set[str] | None = None) -> list[Problem]:
    """Every problem in the tree: the loader's, then the cross-file checks'. While a file is not
    valid YAML, only the loader's problems: what the other files say about its slugs and hours
    would be follow-on errors that go away once it is fixed."""
    if tree.unreadable:
        return list(tree.problems)
    return [*tree.problems, *_Checker(tree, plugins, planned, countries).run()]
