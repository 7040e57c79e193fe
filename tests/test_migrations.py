"""The migration chain builds exactly the schema the models describe: every core table and every
table of the plugins the app loads. Tables of an in-tree plugin left off the allow-list (say,
LIFE_PLUGINS=modules.reading in a quick local run) exist in the database but not in the loaded
models; only those are ignored."""
from __future__ import annotations

import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import modules
from app.extensions import db
from app.plugins import registry


def _unloaded_plugin_prefixes() -> tuple[str, ...]:
    in_tree = {info.name for info in pkgutil.iter_modules(modules.__path__) if info.ispkg}
    return tuple(f"{name}_" for name in in_tree - set(registry().names()))


def _table_of(change) -> str | None:
    kind, obj = change[0], change[1]
    if kind in ("remove_table", "add_table"):
        return obj.name
    if kind in ("remove_index", "add_index"):
        return obj.table.name
    return None


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    unloaded = _unloaded_plugin_prefixes()
    diff = [change for change in diff
            if not (isinstance(change, tuple) and change[0].startswith("remove_")
                    and (_table_of(change) or "").startswith(unloaded or ("\0",)))]
    assert diff == [], "models and migrations differ; run `flask db migrate`:\n" + "\n".join(map(str, diff))


def test_the_comparison_sees_core_and_plugin_tables(app):
    # Guards the test above against comparing an empty metadata (which differs from nothing).
    names = set(db.metadata.tables)
    assert {"user", "programme", "module", "activity", "meeting", "attendance", "completion", "resource"} <= names
    for plugin in registry():
        assert all(model.__table__.name in names for model in plugin.models), plugin.name
