"""A send key per announcement form: the same form sent twice (a double click, a resent page, two
tabs) stores and mails one announcement, the unique index refusing the second.

Revision ID: b8e1f4a6c302
Revises: 9a4c7e2b5d10
Create Date: 2026-12-04 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8e1f4a6c302'
down_revision = '9a4c7e2b5d10'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('announcement', sa.Column('send_key', sa.String(length=32), nullable=True))
    op.create_index(op.f('ix_announcement_send_key'), 'announcement', ['send_key'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_announcement_send_key'), table_name='announcement')
    with op.batch_alter_table('announcement') as batch:
        batch.drop_column('send_key')
