"""The content generation: a token that changes with any change to the programme's content rows,
so each worker knows when the content rows it caches are out of date (app/content_cache.py).

Revision ID: 9a4c7e2b5d10
Revises: 3f7a2c9e1d58
Create Date: 2026-12-04 19:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a4c7e2b5d10'
down_revision = '3f7a2c9e1d58'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('content_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_generation'))
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])


def downgrade():
    op.drop_table('content_generation')
