"""Run-wide figures (the programme dashboard, the report) kept a short while and shared by every
worker (app/figures_cache.py): a worker that has none reads the set another made instead of
summing every trainee's work again. Sealed values; rows only live FIGURES_MAX_AGE seconds.

Revision ID: d2f7a1c9e4b6
Revises: c4d2a9e7f1b3
Create Date: 2026-12-07 23:59:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd2f7a1c9e4b6'
down_revision = 'c4d2a9e7f1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_figures',
        sa.Column('slot', sa.String(length=64), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('slot', name=op.f('pk_kept_figures')),
    )


def downgrade():
    op.drop_table('kept_figures')
