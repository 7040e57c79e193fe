"""Content versions: each import freezes the programme as a version (content_version), every run
names the version it teaches (programme_run.content_version_id), the programme names its latest
(programme.content_version_id). Data: each programme already imported gets one version made from
its current rows, and every existing run is pinned to it, so nothing a run shows changes.

The snapshot is built here with the fields of app/content/snapshot.py as they are today (format 1);
a later import compares hashes and makes a new version only if the content differs.

Revision ID: 5e1c0a7b9d42
Revises: 5e1d7c0a9b3f
Create Date: 2026-12-03 07:00:00

"""
import hashlib
import json
from datetime import UTC, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1c0a7b9d42'
down_revision = '5e1d7c0a9b3f'
branch_labels = None
depends_on = None

PROGRAMME = ("title", "version", "total_hours", "duration_months", "summary_md", "translations")
MODULE = ("order", "title", "component", "hours", "credit_points", "competencies", "summary_md",
          "learning_outcomes", "translations")
ACTIVITY = ("type", "title", "hours", "required", "due_rule", "settings", "competencies", "position",
            "omitted_in", "translations")
PLAN = ("kind", "title", "hours", "after_start_days", "duration_days", "starts_at", "ends_at", "agenda_md",
        "position", "translations")
NUMBERS = {"hours", "total_hours", "credit_points"}
TIMES = {"starts_at", "ends_at"}

programme_t = sa.table('programme', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                       sa.column('title', sa.String), sa.column('version', sa.String),
                       sa.column('total_hours', sa.Numeric(6, 2)), sa.column('duration_months', sa.Integer),
                       sa.column('summary_md', sa.Text), sa.column('translations', sa.JSON),
                       sa.column('content_version_id', sa.Integer))
module_t = sa.table('module', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
                    sa.column('slug', sa.String), sa.column('order', sa.Integer), sa.column('title', sa.String),
                    sa.column('component', sa.String), sa.column('hours', sa.Numeric(6, 2)),
                    sa.column('credit_points', sa.Numeric(5, 2)), sa.column('competencies', sa.JSON),
                    sa.column('summary_md', sa.Text), sa.column('learning_outcomes', sa.JSON),
                    sa.column('translations', sa.JSON), sa.column('retired', sa.Boolean))
activity_t = sa.table('activity', sa.column('id', sa.Integer), sa.column('module_id', sa.Integer),
                      sa.column('slug', sa.String), sa.column('type', sa.String), sa.column('title', sa.String),
                      sa.column('hours', sa.Numeric(6, 2)), sa.column('required', sa.Boolean),
                      sa.column('due_rule', sa.JSON), sa.column('settings', sa.JSON),
                      sa.column('competencies', sa.JSON), sa.column('position', sa.Integer),
                      sa.column('country_id', sa.Integer), sa.column('replaces_id', sa.Integer),
                      sa.column('omitted_in', sa.JSON), sa.column('translations', sa.JSON),
                      sa.column('retired', sa.Boolean))
plan_t = sa.table('meeting_plan', sa.column('id', sa.Integer), sa.column('module_id', sa.Integer),
                  sa.column('slug', sa.String), sa.column('kind', sa.String), sa.column('title', sa.String),
                  sa.column('hours', sa.Numeric(6, 2)), sa.column('after_start_days', sa.Integer),
                  sa.column('duration_days', sa.Integer), sa.column('starts_at', sa.Time),
                  sa.column('ends_at', sa.Time), sa.column('agenda_md', sa.Text), sa.column('position', sa.Integer),
                  sa.column('translations', sa.JSON), sa.column('retired', sa.Boolean))
version_t = sa.table('content_version', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
                     sa.column('label', sa.String), sa.column('content_hash', sa.String),
                     sa.column('snapshot', sa.JSON), sa.column('created_at', sa.DateTime))
run_t = sa.table('programme_run', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
                 sa.column('content_version_id', sa.Integer))


def _encode(name, value):
    if name in NUMBERS:
        return format(Decimal(value).normalize(), "f")
    if name in TIMES:
        return value.isoformat() if isinstance(value, time) else str(value)
    return value


def _fields(row, names):
    return {name: _encode(name, getattr(row, name)) for name in names}


def _snapshot(connection, programme):
    modules = connection.execute(sa.select(module_t).where(module_t.c.programme_id == programme.id,
                                                           module_t.c.retired.is_(False))).all()
    ids = [m.id for m in modules] or [-1]
    activities = connection.execute(sa.select(activity_t).where(activity_t.c.module_id.in_(ids),
                                                                activity_t.c.retired.is_(False))).all()
    plans = connection.execute(sa.select(plan_t).where(plan_t.c.module_id.in_(ids),
                                                       plan_t.c.retired.is_(False))).all()
    module_slugs = {m.id: m.slug for m in modules}
    activity_slugs = {a.id: a.slug for a in activities}
    return {
        "programme": {"slug": programme.slug, **_fields(programme, PROGRAMME)},
        "modules": {m.slug: {**_fields(m, MODULE), "at": ""} for m in modules},
        "activities": {a.slug: {**_fields(a, ACTIVITY), "module": module_slugs.get(a.module_id),
                                "replaces": activity_slugs.get(a.replaces_id), "country_id": a.country_id, "at": ""}
                       for a in activities},
        "meeting_plans": {p.slug: {**_fields(p, PLAN), "module": module_slugs.get(p.module_id), "at": ""}
                          for p in plans},
    }


def _hash(snapshot):
    bare = {key: ({slug: {k: v for k, v in item.items() if k != "at"} for slug, item in value.items()}
                  if key != "programme" else value) for key, value in snapshot.items()}
    return hashlib.sha256(json.dumps(bare, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def upgrade():
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_content_version_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_version_programme_id'), ['programme_id'], unique=False)
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_version_id', sa.Integer(), nullable=True))
    # A plain ADD COLUMN with its REFERENCES (no batch copy): on SQLite a copy of programme_run
    # would have to drop the table the cohorts point at, which foreign keys refuse. (A downgrade
    # on SQLite leaves the column in place, empty: see there.)
    bind = op.get_bind()
    if 'content_version_id' not in {c['name'] for c in sa.inspect(bind).get_columns('programme_run')}:
        if bind.dialect.name == 'sqlite':
            op.execute("ALTER TABLE programme_run ADD COLUMN content_version_id INTEGER "
                       "CONSTRAINT fk_programme_run_content_version_id_content_version "
                       "REFERENCES content_version (id)")
        else:
            op.add_column('programme_run', sa.Column('content_version_id', sa.Integer(), nullable=True))
            op.create_foreign_key('fk_programme_run_content_version_id_content_version', 'programme_run',
                                  'content_version', ['content_version_id'], ['id'])
    op.create_index('ix_programme_run_content_version_id', 'programme_run', ['content_version_id'], unique=False)

    connection = op.get_bind()
    programmes = connection.execute(sa.select(programme_t)).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    for programme in programmes:
        snapshot = _snapshot(connection, programme)
        version_id = connection.execute(version_t.insert().values(
            programme_id=programme.id, label=programme.version or "", content_hash=_hash(snapshot),
            snapshot=snapshot, created_at=now).returning(version_t.c.id)).scalar_one()
        connection.execute(programme_t.update().where(programme_t.c.id == programme.id)
                           .values(content_version_id=version_id))
        mine = run_t.c.programme_id == programme.id
        if len(programmes) == 1:
            mine = sa.or_(mine, run_t.c.programme_id.is_(None))
        connection.execute(run_t.update().where(mine).values(content_version_id=version_id))


def downgrade():
    op.drop_index('ix_programme_run_content_version_id', table_name='programme_run')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot drop a column that references another table, and copying programme_run
        # would drop the table cohorts point at: the column stays, unused and NULL.
        op.execute("UPDATE programme_run SET content_version_id = NULL")
    else:
        op.drop_constraint('fk_programme_run_content_version_id_content_version', 'programme_run',
                           type_='foreignkey')
        op.drop_column('programme_run', 'content_version_id')
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the table modules point at.
    op.execute("ALTER TABLE programme DROP COLUMN content_version_id")
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_version_programme_id'))
    op.drop_table('content_version')
