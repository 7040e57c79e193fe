"""The trainee's micro-innovation (modules/innovation): the record, its stage changes, factors
and comments.

Revision ID: 9c4e1a7b3f20
Revises: 5a9e3c71b2d4
Create Date: 2026-12-03 07:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4e1a7b3f20'
down_revision = '5a9e3c71b2d4'
branch_labels = None
depends_on = None

STAGE_CHECK = "stage IN ('emergence', 'stabilisation', 'scaling_up')"


def upgrade():
    op.create_table('innovation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('situation_html', sa.Text(), nullable=False),
    sa.Column('families_part_html', sa.Text(), nullable=False),
    sa.Column('knowledge', sa.JSON(), nullable=False),
    sa.Column('resource_slugs', sa.JSON(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(STAGE_CHECK, name=op.f('ck_innovation_stage')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_innovation_owner_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['programme_run.id'], name=op.f('fk_innovation_run_id_programme_run'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation')),
    sa.UniqueConstraint('owner_id', 'run_id', name='uq_innovation_owner_run')
    )
    with op.batch_alter_table('innovation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_run_id'), ['run_id'], unique=False)
    op.create_table('innovation_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('innovation_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.Column('why_html', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(STAGE_CHECK, name=op.f('ck_innovation_stage_stage')),
    sa.ForeignKeyConstraint(['innovation_id'], ['innovation.id'], name=op.f('fk_innovation_stage_innovation_id_innovation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_stage'))
    )
    with op.batch_alter_table('innovation_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_stage_innovation_id'), ['innovation_id'], unique=False)
    op.create_table('innovation_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('innovation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('promoting', 'impeding')", name=op.f('ck_innovation_factor_kind')),
    sa.CheckConstraint("level IN ('professional', 'organisational', 'programme')", name=op.f('ck_innovation_factor_level')),
    sa.ForeignKeyConstraint(['innovation_id'], ['innovation.id'], name=op.f('fk_innovation_factor_innovation_id_innovation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_factor'))
    )
    with op.batch_alter_table('innovation_factor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_factor_innovation_id'), ['innovation_id'], unique=False)
    op.create_table('innovation_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('innovation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_innovation_comment_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['innovation_id'], ['innovation.id'], name=op.f('fk_innovation_comment_innovation_id_innovation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_innovation_comment'))
    )
    with op.batch_alter_table('innovation_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_innovation_comment_innovation_id'), ['innovation_id'], unique=False)


def downgrade():
    for table in ('innovation_comment', 'innovation_factor', 'innovation_stage'):
        op.drop_table(table)
    with op.batch_alter_table('innovation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_run_id'))
        batch_op.drop_index(batch_op.f('ix_innovation_owner_id'))
    op.drop_table('innovation')
