"""Personal data is declared (issue 12, item 8): every column that ties a row to a user (a foreign
key to `user`) and every column of free text (String, Text, JSON) of every table is declared by
the core (app/services/privacy.py) or by the plugin that owns the table, as personal data with
how it is exported and erased, or as not personal with a reason."""
from __future__ import annotations

from sqlalchemy import JSON, String, Text

from app.extensions import db
from app.plugins import NotPersonal, PersonalData
from app.services.privacy import declarations


def user_columns(table) -> set[str]:
    return {c.name for c in table.columns if any(fk.column.table.name == "user" for fk in c.foreign_keys)}


def text_columns(table) -> set[str]:
    return {c.name for c in table.columns if isinstance(c.type, (String, Text, JSON))}


def covered(table_name: str) -> set[str]:
    names: set[str] = set()
    for d in declarations():
        if d.table != table_name:
            continue
        if isinstance(d, PersonalData):
            names |= set(d.user_columns) | set(d.text_columns)
        elif "*" in d.columns:
            names |= {c.name for c in db.metadata.tables[table_name].columns}
        else:
            names |= set(d.columns)
    return names


def test_every_user_column_and_text_column_is_declared(app):
    missing = []
    for table in db.metadata.sorted_tables:
        if table.name.startswith("throwaway_"):
            continue  # a test plugin's table (tests/plugins/throwaway), not part of the app
        undeclared = (user_columns(table) | text_columns(table)) - covered(table.name)
        missing += [f"{table.name}.{column}" for column in sorted(undeclared)]
    assert not missing, f"declare these columns (PersonalData or NotPersonal): {missing}"


def test_declarations_name_real_columns_and_say_how(app):
    for d in declarations():
        assert d.table in db.metadata.tables, f"{d.table} is not a table"
        real = {c.name for c in db.metadata.tables[d.table].columns}
        if isinstance(d, PersonalData):
            named = set(d.user_columns) | set(d.text_columns)
            assert d.export and d.erase and d.retention, f"{d.table}: say how it is exported, erased and kept"
            assert set(d.user_columns) <= user_columns(db.metadata.tables[d.table]), d.table
        else:
            named = set(d.columns) - {"*"}
            assert d.reason, f"{d.table}: say why it is not personal"
        assert named <= real, f"{d.table}: no such columns {named - real}"


def test_a_personal_column_is_never_also_declared_not_personal(app):
    personal = {(d.table, c) for d in declarations() if isinstance(d, PersonalData)
                for c in (*d.user_columns, *d.text_columns)}
    not_personal = {(d.table, c) for d in declarations() if isinstance(d, NotPersonal) for c in d.columns}
    assert not personal & not_personal
