"""Rubrics on the competency elements: a facilitator's ratings of a feedback's rubric criteria, and
a trainee's own reflection per competency element (the competency profile).

Revision ID: b81e4c2a7d95
Revises: 7b3e9d2f1a64
Create Date: 2026-12-03 07:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b81e4c2a7d95'
down_revision = '7b3e9d2f1a64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_rubric_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=40), nullable=False),
    sa.Column('competency', sa.String(length=10), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level >= 1', name=op.f('ck_assignment_rubric_rating_level')),
    sa.ForeignKeyConstraint(['feedback_id'], ['assignment_feedback.id'],
                            name=op.f('fk_assignment_rubric_rating_feedback_id_assignment_feedback'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rubric_rating')),
    sa.UniqueConstraint('feedback_id', 'criterion', name='uq_assignment_rubric_rating_feedback_criterion')
    )
    with op.batch_alter_table('assignment_rubric_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_rubric_rating_competency'), ['competency'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_rubric_rating_feedback_id'), ['feedback_id'], unique=False)

    op.create_table('competency_reflection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_competency_reflection_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_reflection')),
    sa.UniqueConstraint('user_id', 'code', name='uq_competency_reflection_user_code')
    )
    with op.batch_alter_table('competency_reflection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_reflection_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('competency_reflection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_reflection_user_id'))
    op.drop_table('competency_reflection')
    with op.batch_alter_table('assignment_rubric_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_rubric_rating_feedback_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_rubric_rating_competency'))
    op.drop_table('assignment_rubric_rating')
