"""LTI grade scores leave through the outbox's delivery (app/delivery.py): one lti_score row per
score to send, with the retry columns (claimed by one sender, back-off, failed for an admin),
instead of the grade link's own score_pending / score_attempts / last_error. Scores still waiting
are carried over.

Revision ID: 4e2d8c1a9b73
Revises: b8e1f4a6c302
Create Date: 2026-12-06 22:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4e2d8c1a9b73'
down_revision = 'b8e1f4a6c302'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lti_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['link_id'], ['lti_grade_link.id'], name=op.f('fk_lti_score_link_id_lti_grade_link'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_score')),
    )
    op.create_index(op.f('ix_lti_score_link_id'), 'lti_score', ['link_id'], unique=False)
    op.create_index('ix_lti_score_status_due', 'lti_score', ['status', 'next_attempt_at'], unique=False)
    # A score waiting, or given up after the last try, keeps its tries and error.
    op.execute("INSERT INTO lti_score (link_id, created_at, status, attempts, next_attempt_at, last_error) "
               "SELECT id, CURRENT_TIMESTAMP, CASE WHEN score_pending THEN 'pending' ELSE 'failed' END, "
               "score_attempts, CURRENT_TIMESTAMP, last_error FROM lti_grade_link "
               "WHERE score_pending OR (score_sent_at IS NULL AND score_attempts > 0)")
    with op.batch_alter_table('lti_grade_link') as batch:
        batch.drop_index('ix_lti_grade_link_score_pending')
        batch.drop_column('score_pending')
        batch.drop_column('score_attempts')
        batch.drop_column('last_error')


def downgrade():
    with op.batch_alter_table('lti_grade_link') as batch:
        batch.add_column(sa.Column('score_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('score_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_error', sa.String(length=300), nullable=True))
        batch.create_index('ix_lti_grade_link_score_pending', ['score_pending'], unique=False)
    op.execute("UPDATE lti_grade_link SET score_pending = EXISTS (SELECT 1 FROM lti_score s WHERE "
               "s.link_id = lti_grade_link.id AND s.status IN ('pending', 'sending'))")
    op.drop_index('ix_lti_score_status_due', table_name='lti_score')
    op.drop_index(op.f('ix_lti_score_link_id'), table_name='lti_score')
    op.drop_table('lti_score')
