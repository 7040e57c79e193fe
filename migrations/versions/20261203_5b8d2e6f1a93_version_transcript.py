"""A hand-in's transcript of its audio or video recordings: assignment_version.transcript
(issue 14, item 5). Existing versions have no recordings, so an empty transcript.

Revision ID: 5b8d2e6f1a93
Revises: 8b2d6f4e1a37
Create Date: 2026-12-03 07:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5b8d2e6f1a93'
down_revision = '8b2d6f4e1a37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transcript', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('assignment_version', schema=None) as batch_op:
        batch_op.drop_column('transcript')
