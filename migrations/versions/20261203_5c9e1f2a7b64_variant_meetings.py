"""National variants: their own meeting plans and their texts on the programme

Revision ID: 5c9e1f2a7b64
Revises: b81e4c2a7d95
"""
import sqlalchemy as sa
from alembic import op

revision = '5c9e1f2a7b64'
down_revision = 'b81e4c2a7d95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_plan") as batch:
        batch.add_column(sa.Column("country_code", sa.String(2), nullable=True))
        batch.add_column(sa.Column("omitted_in", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("place", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("variants", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ too): a batch copy would drop the tables modules and
    # meetings point at, which SQLite refuses once there are rows.
    for table, column in (("programme", "variants"), ("meeting_plan", "place"), ("meeting_plan", "omitted_in"),
                          ("meeting_plan", "country_code")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
