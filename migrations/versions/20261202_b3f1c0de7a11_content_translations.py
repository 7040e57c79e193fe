"""Content translations: a `translations` JSON column on the rows the content files fill
(programme, competency, ECVET unit, module, meeting plan, activity, resource)

Revision ID: b3f1c0de7a11
Revises: 78ae0d5aecb8
Create Date: 2026-11-24 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3f1c0de7a11'
down_revision = '78ae0d5aecb8'
branch_labels = None
depends_on = None

TABLES = ('programme', 'competency', 'ecvet_unit', 'module', 'meeting_plan', 'activity', 'resource')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
