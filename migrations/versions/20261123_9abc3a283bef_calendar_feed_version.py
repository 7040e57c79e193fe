"""User.calendar_feed_version: resetting the calendar feed link (iCal) invalidates the old one

Revision ID: 9abc3a283bef
Revises: c4c6d75a461f
Create Date: 2026-11-23 11:47:21.311371

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9abc3a283bef'
down_revision = 'c4c6d75a461f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_feed_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('calendar_feed_version')
