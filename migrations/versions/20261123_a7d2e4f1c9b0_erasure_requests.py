"""User.erasure_requested_at and User.erased_at: the right to erasure, asked for and carried out

Revision ID: a7d2e4f1c9b0
Revises: 9abc3a283bef
Create Date: 2026-11-23 13:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d2e4f1c9b0'
down_revision = '9abc3a283bef'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erasure_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('erasure_requested_at')
