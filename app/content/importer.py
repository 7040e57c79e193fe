"""Apply a validated content tree to the database.

Everything is matched by slug (competencies and ECVET units by code) and updated in place, so a
trainee's completions keep pointing at the same rows. Modules, activities, meeting plans and
resources that left the files are marked `retired`, never deleted. Running the import twice
changes nothing the second time. The caller commits (or rolls back for a dry run)."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..models import Activity, Competency, Country, EcvetUnit, MeetingPlan, Module, Programme, Resource
from ..timeutil import utcnow
from .loader import ActivityNode, ContentTree
from .variant_rules import module_deltas
from .versions import VersionReport, record_version


@dataclass
class Changes:
    """What happened to one kind of row."""
    created: list[str] = field(default_factory=list)
    #: (name, changed fields)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    #: Deleted: only rows nothing can point to (competencies).
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.removed)

    def describe(self) -> str:
        parts = []
        if self.created:
            parts.append(f"{len(self.created)} created ({', '.join(self.created)})")
        if self.updated:
            names = ", ".join(f"{name}: {', '.join(fields)}" for name, fields in self.updated)
            parts.append(f"{len(self.updated)} updated ({names})")
        if self.retired:
            parts.append(f"{len(self.retired)} retired ({', '.join(self.retired)})")
        if self.removed:
            parts.append(f"{len(self.removed)} removed ({', '.join(self.removed)})")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        return "; ".join(parts) or "none"


SECTIONS = ("programme", "competencies", "ECVET units", "modules", "meeting plans", "resources", "activities")


@dataclass
class ImportReport:
    programme: str
    sections: dict[str, Changes] = field(default_factory=lambda: {name: Changes() for name in SECTIONS})
    #: Resource files copied into the upload folder.
    files: list[str] = field(default_factory=list)
    #: The content version the import made (or found unchanged) and the runs it moved.
    versions: VersionReport = field(default_factory=VersionReport)

    @property
    def changed(self) -> bool:
        return any(c.any for c in self.sections.values()) or bool(self.files)

    def lines(self) -> list[str]:
        return [f"{name.capitalize() if name[0].islower() else name}: {changes.describe()}"
                for name, changes in self.sections.items()]

    def summary(self) -> dict[str, Any]:
        return {name: {"created": len(c.created), "updated": len(c.updated), "retired": len(c.retired),
                       "removed": len(c.removed)} for name, c in self.sections.items()}


def _sync(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the attributes that differ; return their names."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


class _Importer:
    def __init__(self, tree: ContentTree, dry_run: bool):
        self.tree = tree
        self.dry_run = dry_run
        self.report = ImportReport(tree.programme.slug)

    def translated(self, kind: str, ident: str) -> dict[str, Any]:
        """{lang: overlay} of one item, as its row's `translations` column holds it."""
        return self.tree.translations.for_item(kind, ident) if self.tree.translations is not None else {}

    def note(self, section: str, name: str, obj_is_new: bool, changed: list[str]) -> None:
        changes = self.report.sections[section]
        if obj_is_new:
            changes.created.append(name)
        elif changed:
            changes.updated.append((name, changed))
        else:
            changes.unchanged += 1

    def by(self, model, column, values) -> dict:
        if not values:
            return {}
        return {getattr(row, column): row for row in db.session.scalars(
            select(model).where(getattr(model, column).in_(list(values))))}

    def run(self) -> ImportReport:
        with db.session.no_autoflush:
            programme = self.programme()
            units = self.codes(programme)
            modules = self.modules(programme, units)
            self.meeting_plans(programme, modules)
            self.resources(programme, modules)
            self.activities(programme, modules)
        if self.report.changed and not self.dry_run:
            programme.imported_at = utcnow()
        db.session.flush()
        if self.report.changed and not self.dry_run:
            record("content.import", programme, version=programme.version, changes=self.report.summary())
        # Also on a dry run: it must say whether the import would be refused (the caller rolls back).
        self.report.versions = record_version(programme, self.tree)
        return self.report

    def programme(self) -> Programme:
        node = self.tree.programme
        programme = db.session.scalar(select(Programme).where(Programme.slug == node.slug))
        is_new = programme is None
        if is_new:
            programme = Programme(slug=node.slug)
            db.session.add(programme)
        changed = _sync(programme, {"title": node.title, "version": node.version, "total_hours": node.total_hours,
                                    "duration_months": node.duration_months, "summary_md": node.summary_md,
                                    "eqf_level": node.eqf_level,
                                    "translations": self.translated("programme", node.slug),
                                    "variants": self.variant_texts()})
        self.note("programme", node.slug, is_new, changed)
        return programme

    def variant_texts(self) -> dict[str, Any]:
        """What the pages say about each country's variant (Programme.variants)."""
        modules = {m.slug: m for m in self.tree.modules}
        out = {}
        for variant in self.tree.variants:
            delta = module_deltas(variant, modules)
            out[variant.country] = {
                "notes_md": variant.summary_md,
                "module_notes": {slug: text for slug, (text, _at) in variant.extras.module_notes.items()},
                "module_hours": {slug: format((modules[slug].hours + change).normalize(), "f")
                                 for slug, change in delta.items() if change},
                "translations": self.translated("variant", variant.country)}
        return out

    def codes(self, programme: Programme) -> dict[str, EcvetUnit]:
        node = self.tree.programme
        existing = {c.code: c for c in programme.competencies} if programme.id else {}
        for position, c in enumerate(node.competencies):
            row = existing.pop(c.code, None)
            if row is None:
                row = Competency(code=c.code)
                programme.competencies.append(row)
            changed = _sync(row, {"title": c.title, "description": c.description, "position": position,
                                  "translations": self.translated("competency", c.code)})
            self.note("competencies", c.code, row.id is None, changed)
        for row in existing.values():
            # Nothing points at a competency row (modules and activities keep codes), so it can go.
            programme.competencies.remove(row)
            self.report.sections["competencies"].removed.append(row.code)
        units = {u.code: u for u in programme.ecvet_units} if programme.id else {}
        for position, u in enumerate(node.ecvet_units):
            row = units.get(u.code)
            if row is None:
                row = units[u.code] = EcvetUnit(code=u.code, programme=programme)
                db.session.add(row)
            changed = _sync(row, {"title": u.title, "credit_points": u.credit_points, "eqf_level": u.eqf_level,
                                  "learning_outcomes": u.learning_outcomes, "position": position,
                                  "translations": self.translated("ECVET unit", u.code)})
            self.note("ECVET units", u.code, row.id is None, changed)
        # A unit that left the files is kept: retired modules and transcripts may still name it.
        return units

    def modules(self, programme: Programme, units: dict[str, EcvetUnit]) -> dict[str, Module]:
        nodes = self.tree.modules
        rows = self.by(Module, "slug", [m.slug for m in nodes])
        for node in nodes:
            row = rows.get(node.slug)
            is_new = row is None
            if is_new:
                row = rows[node.slug] = Module(slug=node.slug)
                db.session.add(row)
            changed = _sync(row, {
                "programme": programme, "order": node.order, "title": node.title, "component": node.component,
                "hours": node.hours, "ecvet_unit": units.get(node.ecvet_unit.value) if node.ecvet_unit else None,
                "credit_points": node.credit_points, "competencies": [r.value for r in node.competencies],
                "summary_md": node.summary_md,
                "learning_outcomes": [{"text": o.text, "competencies": [r.value for r in o.competencies]}
                                      for o in node.learning_outcomes],
                "translations": self.translated("module", node.slug), "retired": False})
            self.note("modules", node.slug, is_new, changed)
        if programme.id:
            for row in db.session.scalars(select(Module).where(Module.programme_id == programme.id,
                                                               Module.slug.not_in(sorted(rows)),
                                                               Module.retired.is_(False))):
                row.retired = True
                self.report.sections["modules"].retired.append(row.slug)
        return rows

    def meeting_plans(self, programme: Programme, modules: dict[str, Module]) -> None:
        nodes = [(module.slug, m) for module in self.tree.modules for m in module.meetings]
        nodes += [(change.module.value, s) for v in self.tree.variants for change in v.extras.meetings
                  for s in change.sessions]
        omitted: dict[str, list[str]] = {}
        for variant in self.tree.variants:
            for change in variant.extras.meetings:
                module = next(m for m in self.tree.modules if m.slug == change.module.value)
                for plan in module.meetings:
                    omitted.setdefault(plan.slug, []).append(variant.country)
        rows = self.by(MeetingPlan, "slug", [m.slug for _module, m in nodes])
        for position, (module_slug, node) in enumerate(nodes):
            row = rows.get(node.slug)
            is_new = row is None
            if is_new:
                row = rows[node.slug] = MeetingPlan(slug=node.slug)
                db.session.add(row)
            changed = _sync(row, {
                "module": modules[module_slug], "kind": node.kind, "title": node.title, "hours": node.hours,
                "after_start_days": node.after_start_days, "duration_days": node.duration_days,
                "starts_at": node.starts_at, "ends_at": node.ends_at,
                "agenda_md": node.agenda_md, "position": position, "place": node.place,
                "country_code": node.country, "omitted_in": sorted(omitted.get(node.slug, [])),
                "translations": self.translated("meeting", node.slug), "retired": False})
            self.note("meeting plans", node.slug, is_new, changed)
        self.retire(MeetingPlan, "meeting plans", set(rows), programme)

    def retire(self, model, section: str, keep: set[str], programme: Programme) -> None:
        """Mark the programme's rows that are no longer in the files as retired."""
        if programme.id is None:
            return
        if model is Resource:
            mine = Resource.programme_id == programme.id
        else:
            mine = model.module_id.in_(select(Module.id).where(Module.programme_id == programme.id))
        for row in db.session.scalars(select(model).where(mine, model.retired.is_(False),
                                                          model.slug.not_in(sorted(keep)))):
            row.retired = True
            self.report.sections[section].retired.append(row.slug)

    def resources(self, programme: Programme, modules: dict[str, Module]) -> None:
        owners: dict[Path, str] = {}
        for module in self.tree.modules:
            for resource in module.resources:
                owners.setdefault(resource.path, module.slug)
        nodes = self.tree.resources()
        rows = self.by(Resource, "slug", [r.slug for r in nodes])
        countries = self.by(Country, "code", {r.country for r in nodes if r.country})
        for position, node in enumerate(nodes):
            row = rows.get(node.slug)
            is_new = row is None
            if is_new:
                row = rows[node.slug] = Resource(slug=node.slug)
                db.session.add(row)
            owner = owners.get(node.path)
            changed = _sync(row, {
                "programme": programme, "module": modules[owner] if owner else None,
                "country": countries.get(node.country) if node.country else None, "kind": node.kind,
                "title": node.title, "body_md": node.body_md, "source": node.source,
                "competencies": [r.value for r in node.competencies], "file_path": node.file,
                "position": position, "translations": self.translated("resource", node.slug), "retired": False})
            self.note("resources", node.slug, is_new, changed)
            if node.file:
                self.copy_file(node.file)
        self.retire(Resource, "resources", set(rows), programme)

    def copy_file(self, relative: str) -> None:
        """Resource files are served from the upload folder, so the running site does not
        depend on where the content folder was when it was imported."""
        source = self.tree.root.resolve() / relative
        target = Path(current_app.config["UPLOAD_DIR"]) / "content" / relative
        if target.is_file() and target.read_bytes() == source.read_bytes():
            return
        self.report.files.append(relative)
        if not self.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def activities(self, programme: Programme, modules: dict[str, Module]) -> None:
        nodes = self.tree.activities()
        rows = self.by(Activity, "slug", [a.slug for a in nodes])
        countries = self.by(Country, "code", {a.country for a in nodes if a.country})
        omitted: dict[str, list[str]] = {}
        for variant in self.tree.variants:
            for removal in variant.remove:
                omitted.setdefault(removal.activity.value, []).append(variant.country)
        common_positions = {}
        for module in self.tree.modules:
            for position, node in enumerate(module.activities):
                common_positions[node.slug] = position
                self.activity(rows, node, modules[module.slug], position, None, None,
                              sorted(omitted.get(node.slug, [])))
        for variant in self.tree.variants:
            if variant.country not in countries:
                continue  # a variant of meetings and hours only: no activities of its own
            country = countries[variant.country]
            for index, node in enumerate(variant.add):
                module = modules[node.module.value]
                position = len(next(m for m in self.tree.modules if m.slug == module.slug).activities) + index
                self.activity(rows, node, module, position, country, None, [])
            for node in variant.replace:
                self.activity(rows, node, modules[node.module.value], common_positions[node.replaces.value],
                              country, rows[node.replaces.value], [])
        self.retire(Activity, "activities", set(rows), programme)

    def activity(self, rows: dict[str, Activity], node: ActivityNode, module: Module, position: int,
                 country: Country | None, replaces: Activity | None, omitted_in: list[str]) -> None:
        row = rows.get(node.slug)
        is_new = row is None
        if is_new:
            row = rows[node.slug] = Activity(slug=node.slug)
            db.session.add(row)
        changed = _sync(row, {
            "module": module, "type": node.type, "title": node.title, "hours": node.hours,
            "required": node.required, "due_rule": node.due.as_json() if node.due else {},
            "settings": node.normalised or {}, "competencies": [r.value for r in node.competencies],
            "position": position, "country": country, "replaces": replaces, "omitted_in": omitted_in,
            "translations": self.translated("activity", node.slug), "retired": False})
        self.note("activities", node.slug, is_new, changed)


def import_content(tree: ContentTree, dry_run: bool = False) -> ImportReport:
    """Apply a tree that `validate()` found free of problems."""
    return _Importer(tree, dry_run).run()
