"""Hand-ins keep their template: assignment_version.template holds the field definitions the
version was written against. Data: every version already handed in for a template activity gets
the activity's current template, the best record there is of what the trainee saw.

Revision ID: 8b2d6f4e1a37
Revises: 5e1c0a7b9d42
Create Date: 2026-12-03 07:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8b2d6f4e1a37'
down_revision = '5e1c0a7b9d42'
branch_labels = None
depends_on = None

activity_t = sa.table('activity', sa.column('id', sa.Integer), sa.column('settings', sa.JSON))
submission_t = sa.table('assignment_submission', sa.column('id', sa.Integer), sa.column('activity_id', sa.Integer))
version_t = sa.table('assignment_version', sa.column('id', sa.Integer), sa.column('submission_id', sa.Integer),
                     sa.column('template', sa.JSON))


def upgrade():
    with op.batch_alter_table('assignment_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.JSON(), nullable=True))
    connection = op.get_bind()
    templates = {row.id: row.settings["template"] for row in connection.execute(sa.select(activity_t))
                 if isinstance(row.settings, dict) and row.settings.get("submission") == "template"
                 and isinstance(row.settings.get("template"), dict)}
    for activity_id, template in templates.items():
        submissions = sa.select(submission_t.c.id).where(submission_t.c.activity_id == activity_id)
        connection.execute(version_t.update().where(version_t.c.submission_id.in_(submissions))
                           .values(template=template))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the table files point at.
    op.execute("ALTER TABLE assignment_version DROP COLUMN template")
