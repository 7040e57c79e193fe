"""xAPI statements for completions and hand-ins, queued for the configured LRS.

Revision ID: 3f7a2c9e1d58
Revises: 7d3b9e2c4a18
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f7a2c9e1d58'
down_revision = '7d3b9e2c4a18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_statement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verb', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_xapi_statement_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statement'))
    )
    op.create_index('ix_xapi_statement_status_due', 'xapi_statement', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_xapi_statement_user_id'), 'xapi_statement', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_xapi_statement_user_id'), table_name='xapi_statement')
    op.drop_index('ix_xapi_statement_status_due', table_name='xapi_statement')
    op.drop_table('xapi_statement')
