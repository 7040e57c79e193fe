"""The micro-innovation keeps the family's pseudonym, which the plan and the report start from.

Revision ID: 7d3b9e2c4a18
Revises: 5c9e1f2a7b64
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d3b9e2c4a18'
down_revision = '5c9e1f2a7b64'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('innovation', sa.Column('family_pseudonym', sa.String(length=100), nullable=False,
                                          server_default=''))


def downgrade():
    # Plain DROP COLUMN: batch mode would rebuild a table that other tables reference.
    op.execute("ALTER TABLE innovation DROP COLUMN family_pseudonym")
