"""Random calendar feed tokens, stored hashed (and sealed for display) instead of an HMAC of the
user id and a version number that anyone holding SECRET_KEY could compute. Existing feed links stop
working: each user gets a new address the next time they open the calendar.

Revision ID: d4a7f3b9e210
Revises: e6a1c2d3b4f5
Create Date: 2026-12-03 22:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4a7f3b9e210'
down_revision = 'e6a1c2d3b4f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_feed_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_feed_sealed', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint('uq_user_calendar_feed_hash', ['calendar_feed_hash'])
        batch_op.drop_column('calendar_feed_version')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_feed_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_user_calendar_feed_hash', type_='unique')
        batch_op.drop_column('calendar_feed_sealed')
        batch_op.drop_column('calendar_feed_hash')
