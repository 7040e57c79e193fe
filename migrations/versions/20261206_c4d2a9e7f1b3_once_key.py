"""One-time keys of create forms (app/once.py): a form sent twice creates one thing, the unique
(user, key) constraint refusing the second send in the same transaction as the insert.

Revision ID: c4d2a9e7f1b3
Revises: 4e2d8c1a9b73
Create Date: 2026-12-06 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2a9e7f1b3'
down_revision = '4e2d8c1a9b73'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'once_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_once_key_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_once_key')),
        sa.UniqueConstraint('user_id', 'key', name='uq_once_key_user_key'),
    )
    op.create_index(op.f('ix_once_key_user_id'), 'once_key', ['user_id'], unique=False)
    op.create_index(op.f('ix_once_key_created_at'), 'once_key', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_once_key_created_at'), table_name='once_key')
    op.drop_index(op.f('ix_once_key_user_id'), table_name='once_key')
    op.drop_table('once_key')
