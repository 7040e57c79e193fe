"""`flask backup create` / `flask backup restore`: data made through the app (accounts, cohorts,
a hand-in with files, a journal entry, questionnaire answers) comes back, every row and every
byte, in an empty database and a new upload folder; a damaged, changed or foreign archive is
refused with a message and changes nothing. On SQLite by default, on PostgreSQL with
TEST_DATABASE_URL (the restores then go to databases of their own, dropped afterwards)."""
from __future__ import annotations

import io
import json
import secrets
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.backup import BackupError, postgres_db
from app.extensions import db
from app.models import User
from modules.assignment.models import File
from modules.assignment.tests.helpers import build_assignments, odt_bytes, pdf_bytes
from modules.evaluation.tests.helpers import add_evaluation, complete_answers, instrument
from modules.journal.tests.helpers import entry_form, journal_activity

from .conftest import IsolatedClient, make_config


@pytest.fixture
def new_database(db_url, tmp_path):
    """Makes brand-new, empty databases (no tables) of the kind under test; drops them afterwards."""
    made: list[str] = []

    def make() -> str:
        if not db_url.startswith("postgresql"):
            return f"sqlite:///{tmp_path / f'restored-{len(made)}.sqlite'}"
        name = f"test_restore_{secrets.token_hex(4)}"
        with _server(db_url) as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(db_url).set(database=name).render_as_string(hide_password=False)

    yield make
    if made:
        with _server(db_url) as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class _server:
    def __init__(self, db_url: str):
        self.engine = create_engine(db_url, isolation_level="AUTOCOMMIT")

    def __enter__(self):
        self.conn = self.engine.connect()
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
        self.engine.dispose()


_apps = []


@pytest.fixture
def other_app(tmp_path):
    """An app of its own on another database and upload folder (the machine restored to)."""
    def make(url: str, name: str = "other"):
        application = create_app(make_config(url, tmp_path / name))
        application.test_client_class = IsolatedClient
        _apps.append(application)
        return application
    yield make
    while _apps:
        application = _apps.pop()
        with application.app_context():
            db.engine.dispose()


def cli(application, *args: str):
    """Run `flask backup ...` on `application` (the CLI uses the app of the current context)."""
    db.session.commit()
    with application.app_context():
        return application.test_cli_runner().invoke(args=["backup", *args])


def everything(application) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with application.app_context(), db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {name: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in names}


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).parts[0].startswith(".life-")}


def make_data_through_the_app(client, login, world) -> None:
    assignments = build_assignments(world)
    journal_activity(world)
    add_evaluation(assignments.national, "eval-backup", instrument(world.run))
    db.session.commit()
    login(world.trainee)
    response = client.post("/a/assignment/asg-files", content_type="multipart/form-data", data={
        "action": "submit", "draft_version": 0, "base_version": 0,
        "files": [(io.BytesIO(pdf_bytes("Relatório")), "Relatório.pdf"), (io.BytesIO(odt_bytes()), "plan.odt")]})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/a/journal/new", data=entry_form(title="Visit to Family A",
                                                             body="We walked; they talked more."))
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/a/evaluation/eval-backup", data=complete_answers(comment="More time, please"))
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


def test_a_backup_restored_into_an_empty_database_has_every_record_and_file(
        app, client, login, world, new_database, other_app, tmp_path):
    make_data_through_the_app(client, login, world)
    archive = tmp_path / "backup.tar.gz"
    created = cli(app, "create", "--output", str(archive))
    assert created.exit_code == 0, created.output
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    before, files_before = everything(app), files_under(Path(app.config["UPLOAD_DIR"]))
    assert any(name.startswith("assignment/") for name in files_before)

    restored = other_app(new_database())
    result = cli(restored, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "every count and checksum matches" in result.output

    after = everything(restored)
    assert set(after) == set(before) and {"user", "cohort", "journal_entry", "assignment_file"} <= set(after)
    for table in before:
        assert after[table] == before[table], table
    assert files_under(Path(restored.config["UPLOAD_DIR"])) == files_before
    # And the app itself serves the restored hand-in to its owner.
    with restored.app_context():
        row = db.session.scalar(select(File).where(File.original_name == "Relatório.pdf"))
        db.session.remove()
    restored_client = restored.test_client()
    assert restored_client.post("/login", data={"email": world.trainee.email,
                                                "password": "correct horse battery"}).status_code == 302
    assert restored_client.get(f"/a/assignment/file/{row.id}").data == pdf_bytes("Relatório")


def test_the_manifest_lists_counts_revision_and_checksums(app, world, tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert cli(app, "create", "-o", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json" and names[1] == manifest["members"][0]["name"]
    assert manifest["database"]["kind"] == db.engine.dialect.name
    assert manifest["database"]["revisions"] == [db.session.scalar(text("SELECT version_num FROM alembic_version"))]
    assert manifest["tables"]["user"] == db.session.scalar(select(db.func.count()).select_from(User)) == 7
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])


def test_restore_refuses_a_database_that_holds_data_unless_told(app, world, factory, new_database, other_app,
                                                                 tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert cli(app, "create", "-o", str(archive)).exit_code == 0
    restored = other_app(new_database())
    assert cli(restored, "restore", str(archive)).exit_code == 0
    with restored.app_context():
        factory.user("Someone Later")
        db.session.commit()
    upload = Path(restored.config["UPLOAD_DIR"]) / "assignment" / "later"
    upload.parent.mkdir(exist_ok=True)
    upload.write_bytes(b"made after the restore")

    refused = cli(restored, "restore", str(archive))
    assert refused.exit_code != 0 and "already holds data" in refused.output and "--yes" in refused.output
    assert len(everything(restored)["user"]) == 8

    replaced = cli(restored, "restore", "--yes", str(archive))
    assert replaced.exit_code == 0, replaced.output
    assert everything(restored)["user"] == everything(app)["user"]
    assert not upload.exists()
    kept = list(Path(restored.config["UPLOAD_DIR"]).glob(".life-before-restore-*/assignment/later"))
    assert [p.read_bytes() for p in kept] == [b"made after the restore"]  # moved aside, not deleted
    assert "kept in" in replaced.output


# --- archives that must be refused -------------------------------------------------------------

def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive) as tar:
        return [(info, tar.extractfile(info).read()) for info in tar.getmembers()]


def _write(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _with_manifest(members, change) -> list:
    manifest = json.loads(members[0][1])
    change(manifest)
    return [(members[0][0], json.dumps(manifest).encode()), *members[1:]]


@pytest.fixture
def backup_with_a_file(app, client, login, world, tmp_path) -> Path:
    make_data_through_the_app(client, login, world)
    archive = tmp_path / "good.tar.gz"
    result = cli(app, "create", "-o", str(archive))
    assert result.exit_code == 0, result.output
    return archive


def _refused(restored, archive: Path, message: str) -> None:
    result = cli(restored, "restore", str(archive))
    assert result.exit_code != 0
    assert message in result.output, result.output
    with restored.app_context(), db.engine.connect() as conn:
        assert inspect(conn).get_table_names() == []  # the empty database is still empty
    assert files_under(Path(restored.config["UPLOAD_DIR"])) == {}
    assert list(Path(restored.config["UPLOAD_DIR"]).iterdir()) == []  # no staging folder left behind


def test_a_truncated_archive_is_refused_and_changes_nothing(backup_with_a_file, new_database, other_app, tmp_path):
    data = backup_with_a_file.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    _refused(other_app(new_database()), truncated, "damaged or truncated")
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    _refused(other_app(new_database(), "g"), garbage, "damaged or truncated")


def test_a_changed_file_is_refused(backup_with_a_file, new_database, other_app, tmp_path):
    members = _members(backup_with_a_file)
    index = next(i for i, (info, _) in enumerate(members) if info.name.startswith("uploads/assignment/"))
    info, data = members[index]
    members[index] = (info, bytes([data[0] ^ 1]) + data[1:])
    _refused(other_app(new_database()), _write(tmp_path / "changed.tar.gz", members), "does not match its checksum")


def test_members_that_would_escape_or_that_the_manifest_does_not_list_are_refused(
        backup_with_a_file, new_database, other_app, tmp_path):
    members = _members(backup_with_a_file)
    escape = tarfile.TarInfo("uploads/../../escaped")
    evil = _with_manifest([*members, (escape, b"x")], lambda m: m["members"].append(
        {"name": escape.name, "size": 1, "sha256": "0" * 64}))
    _refused(other_app(new_database()), _write(tmp_path / "evil.tar.gz", evil), "unsafe path")
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
    extra = [*members, (tarfile.TarInfo("uploads/extra"), b"x")]
    _refused(other_app(new_database(), "x"), _write(tmp_path / "extra.tar.gz", extra), "does not list")
    link = tarfile.TarInfo(members[-1][0].name)
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    _refused(other_app(new_database(), "l"), _write(tmp_path / "link.tar.gz", [*members[:-1], (link, b"")]),
             "not a plain file")
    missing = _with_manifest(members[:-1], lambda m: None)
    _refused(other_app(new_database(), "m"), _write(tmp_path / "missing.tar.gz", missing), "incomplete")


def test_more_data_than_declared_is_never_inflated(backup_with_a_file, new_database, other_app, tmp_path,
                                                   monkeypatch):
    from app.backup import archive as archive_module
    monkeypatch.setattr(archive_module, "MANIFEST_MAX_BYTES", 64 * 1024)
    monkeypatch.setattr(archive_module, "END_ALLOWANCE", 0)
    members = _members(backup_with_a_file)
    members[0][0].pax_headers = {"comment": "x" * (256 * 1024)}  # a giant header before the manifest
    with tarfile.open(tmp_path / "bomb.tar.gz", "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data))
    assert (tmp_path / "bomb.tar.gz").stat().st_size < 64 * 1024  # it compresses to almost nothing
    _refused(other_app(new_database()), tmp_path / "bomb.tar.gz", "more data than its manifest declares")


def test_a_backup_of_the_other_database_kind_is_refused(backup_with_a_file, new_database, other_app, tmp_path):
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[db.engine.dialect.name]

    def switch(manifest):
        old = manifest["members"][0]["name"]
        manifest["database"]["kind"] = other
        manifest["members"][0]["name"] = {"sqlite": "database/life.sqlite", "postgresql": "database/life.pgdump"}[other]
        return old

    members = _with_manifest(_members(backup_with_a_file), switch)
    members[1][0].name = json.loads(members[0][1])["members"][0]["name"]
    _refused(other_app(new_database()), _write(tmp_path / "kind.tar.gz", members), "configured for")


def test_a_backup_from_newer_code_is_refused(backup_with_a_file, new_database, other_app, tmp_path):
    members = _with_manifest(_members(backup_with_a_file),
                             lambda m: m["database"].update(revisions=["ffffffffffff"]))
    _refused(other_app(new_database()), _write(tmp_path / "newer.tar.gz", members), "newer version")


def test_an_older_backup_is_restored_and_upgraded(new_database, other_app, tmp_path, monkeypatch):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade
    old = other_app(new_database(), "old")
    with old.app_context():
        script = ScriptDirectory.from_config(old.extensions["migrate"].migrate.get_config())
        revisions = [rev.revision for rev in script.walk_revisions()]
        upgrade(revision=revisions[2])  # two migrations behind the code
    archive = tmp_path / "old.tar.gz"
    with old.app_context():
        assert cli(old, "create", "-o", str(archive)).exit_code == 0
    restored = other_app(new_database(), "new")
    with restored.app_context():
        result = cli(restored, "restore", str(archive))
        assert result.exit_code == 0, result.output
        assert "was upgraded" in result.output
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == revisions[0]

    def failing_upgrade(*args, **kwargs):
        raise RuntimeError("a migration failed")

    import flask_migrate
    monkeypatch.setattr(flask_migrate, "upgrade", failing_upgrade)
    stuck = other_app(new_database(), "stuck")
    with stuck.app_context():
        result = cli(stuck, "restore", str(archive))
        assert result.exit_code != 0 and "run `flask db upgrade`" in result.output, result.output
        # Restored whole at the backup's revision, ready for the upgrade once its cause is fixed.
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == revisions[2]


def test_missing_postgresql_tools_are_named_with_the_package_to_install(tmp_path, monkeypatch, app):
    with pytest.raises(BackupError, match="postgresql-client-15"):
        postgres_db.find_tool("pg_dump", 15, search=[str(tmp_path / "pg_dump")])
    if db.engine.dialect.name != "postgresql":
        return
    monkeypatch.setattr(postgres_db, "candidates", lambda name: [])
    result = cli(app, "create", "-o", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0 and "pg_dump for PostgreSQL" in result.output and "apt-get install" in result.output
    assert not (tmp_path / "b.tar.gz").exists() and not (tmp_path / "b.tar.gz.part").exists()


def test_a_database_that_is_not_there_is_named_and_nothing_is_written(db_url, other_app, tmp_path):
    if db_url.startswith("postgresql"):
        url, message = make_url(db_url).set(database="no_such_database_here").render_as_string(
            hide_password=False), "cannot be used"
    else:
        url, message = f"sqlite:///{tmp_path / 'missing' / 'none.sqlite'}", "does not exist"
    result = cli(other_app(url), "create", "-o", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0 and message in result.output, result.output
    assert not list(tmp_path.glob("b.tar.gz*"))
