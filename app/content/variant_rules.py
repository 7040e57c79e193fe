"""The rules a national variant keeps (content/README.md, "National variants"): it changes only
national modules; a module's hours follow from its activities and meetings, and a change is
declared with `hours:`; the country's national total stays within `national_hours_band`; the
evaluation instruments stay. Also each country's hours, for `flask content check`."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .loader import ContentTree, Loc, ModuleNode, Ref, VariantNode

TRANSNATIONAL = "transnational"


@dataclass
class CountryHours:
    country: str
    national: Decimal
    transnational: Decimal

    @property
    def total(self) -> Decimal:
        return self.national + self.transnational


def module_deltas(variant: VariantNode, modules: dict[str, ModuleNode]) -> dict[str, Decimal]:
    """Hours the variant adds (or takes away) per module, without reporting anything."""
    delta: dict[str, Decimal] = {}

    def bump(slug: str, hours: Decimal) -> None:
        # A change to a transnational module is refused on its own: no follow-on hours problems.
        if slug in modules and modules[slug].component != TRANSNATIONAL:
            delta[slug] = delta.get(slug, Decimal(0)) + hours

    def common(module: str, activity: str) -> Decimal | None:
        found = next((a for a in modules[module].activities if a.slug == activity), None) if module in modules else None
        return found.hours if found is not None else None

    for a in variant.add:
        bump(a.module.value, a.hours)
    for a in variant.replace:
        # An unknown activity is reported on its own: its hours are not guessed.
        if (replaced := common(a.module.value, a.replaces.value)) is not None:
            bump(a.module.value, a.hours - replaced)
    for r in variant.remove:
        if (removed := common(r.module.value, r.activity.value)) is not None:
            bump(r.module.value, -removed)
    for change in variant.extras.meetings if variant.extras else []:
        slug = change.module.value
        if slug in modules:
            before = sum((m.hours for m in modules[slug].meetings if m.kind == "national"), Decimal(0))
            bump(slug, sum((s.hours for s in change.sessions), Decimal(0)) - before)
    return delta


def component_hours(tree: ContentTree) -> tuple[Decimal, Decimal]:
    national = sum((m.hours for m in tree.modules if m.component != TRANSNATIONAL), Decimal(0))
    transnational = sum((m.hours for m in tree.modules if m.component == TRANSNATIONAL), Decimal(0))
    return national, transnational


def country_hours(tree: ContentTree) -> list[CountryHours]:
    """One row per variant, in folder order (countries without a variant follow the common programme)."""
    modules = {m.slug: m for m in tree.modules}
    national, transnational = component_hours(tree)
    return [CountryHours(v.country, national + sum(module_deltas(v, modules).values(), Decimal(0)), transnational)
            for v in tree.variants]


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f")


class VariantRules:
    """Mixed into the validator's checker: uses its `add`, `_module` and `_common_activity`."""

    tree: ContentTree
    add: Any
    _module: Any
    _common_activity: Any

    def national_module(self, ref: Ref, modules: dict[str, ModuleNode], what: str) -> ModuleNode | None:
        module = self._module(ref, modules)
        if module is not None and module.component == TRANSNATIONAL:
            self.add(ref.loc, f"module '{module.slug}' is a transnational week, part of the common frame: "
                              f"a variant cannot change its {what}")
            return None
        return module

    def check_variant_rules(self, variant: VariantNode) -> None:
        modules = {m.slug: m for m in self.tree.modules}
        changed: dict[str, Loc] = {}
        for activity in variant.add:
            self.national_module(activity.module, modules, "activities")
        for activity in variant.replace:
            if self.national_module(activity.module, modules, "activities") is not None:
                self._keep_instrument(self._common_activity(activity.module, activity.replaces, modules, changed),
                                      activity.replaces)
        for removal in variant.remove:
            if self.national_module(removal.module, modules, "activities") is not None:
                self._keep_instrument(self._common_activity(removal.module, removal.activity, modules, changed),
                                      removal.activity)
        extras = variant.extras
        seen: dict[str, Loc] = {}
        for change in extras.meetings:
            if change.module.value in seen:
                self.add(change.module.loc, f"the meetings of module '{change.module.value}' are already "
                                            f"replaced at {seen[change.module.value]}")
            seen[change.module.value] = change.module.loc
            self.national_module(change.module, modules, "meetings")
        for slug, (_text, loc) in extras.module_notes.items():
            self._module(Ref(slug, loc), modules)
        delta = module_deltas(variant, modules)
        for slug, (hours, loc) in extras.hours.items():
            module = self.national_module(Ref(slug, loc), modules, "hours")
            if module is None:
                continue
            follows = module.hours + delta.get(slug, Decimal(0))
            if hours != follows:
                self.add(loc, f"module '{slug}' is declared {_fmt(hours)} hours for {variant.country}, but its "
                              f"activities and meetings in this variant add up to {_fmt(follows)}")
        for slug, change in delta.items():
            if change and slug not in extras.hours and slug in modules:
                self.add(variant.loc, f"with this variant, module '{slug}' has {_fmt(modules[slug].hours + change)} "
                                      f"hours for {variant.country} instead of {_fmt(modules[slug].hours)}: "
                                      f"declare it under 'hours:' (module: {slug}, hours: "
                                      f"{_fmt(modules[slug].hours + change)}) or balance the change")
        self._within_band(variant, delta)

    def _keep_instrument(self, common: Any, ref: Ref) -> None:
        if common is not None and common.type == "evaluation":
            self.add(ref.loc, f"activity '{common.slug}' is an evaluation instrument, part of the common frame: "
                              f"a variant cannot replace or remove it")

    def _within_band(self, variant: VariantNode, delta: dict[str, Decimal]) -> None:
        national = component_hours(self.tree)[0] + sum(delta.values(), Decimal(0))
        band = self.tree.programme.national_band if self.tree.programme else None
        if band is None:
            if national != component_hours(self.tree)[0]:
                self.add(variant.loc, f"with this variant, {variant.country}'s national hours are {_fmt(national)}; "
                                      f"without a 'national_hours_band' in programme.yaml they must stay "
                                      f"{_fmt(component_hours(self.tree)[0])}")
            return
        low, high, where = band
        if not low <= national <= high:
            self.add(variant.loc, f"with this variant, {variant.country}'s national hours are {_fmt(national)}, "
                                  f"outside the band {_fmt(low)}-{_fmt(high)} declared at {where}")
