"""LTI 1.3 tool: platform registrations, platform identities, server-side launch state, and the
line items completions are sent back to (AGS).

Revision ID: 7b3e9d2f1a64
Revises: 7b3e9d2c4a61
Create Date: 2026-12-03 07:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b3e9d2f1a64'
down_revision = '7b3e9d2c4a61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_platform',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False),
    sa.Column('auth_token_url', sa.String(length=500), nullable=False),
    sa.Column('key_set_url', sa.String(length=500), nullable=True),
    sa.Column('key_set', sa.JSON(), nullable=True),
    sa.Column('deployment_ids', sa.JSON(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_lti_platform_cohort_id_cohort'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platform')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_platform_issuer_client')
    )
    with op.batch_alter_table('lti_platform', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_platform_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lti_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platform.id'],
                            name=op.f('fk_lti_identity_platform_id_lti_platform'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lti_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identity')),
    sa.UniqueConstraint('platform_id', 'subject', name='uq_lti_identity_platform_subject')
    )
    with op.batch_alter_table('lti_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identity_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_identity_user_id'), ['user_id'], unique=False)

    op.create_table('lti_grade_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('lineitem', sa.String(length=1000), nullable=False),
    sa.Column('score_pending', sa.Boolean(), nullable=False),
    sa.Column('score_attempts', sa.Integer(), nullable=False),
    sa.Column('score_sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_lti_grade_link_activity_id_activity'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platform.id'],
                            name=op.f('fk_lti_grade_link_platform_id_lti_platform'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lti_grade_link_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_grade_link')),
    sa.UniqueConstraint('platform_id', 'user_id', 'activity_id', name='uq_lti_grade_link_target')
    )
    with op.batch_alter_table('lti_grade_link', schema=None) as batch_op:
        for column in ('activity_id', 'platform_id', 'score_pending', 'user_id'):
            batch_op.create_index(batch_op.f(f'ix_lti_grade_link_{column}'), [column], unique=False)

    op.create_table('lti_launch_value',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_launch_value'))
    )
    with op.batch_alter_table('lti_launch_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_value_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('lti_launch_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_value_expires_at'))
    op.drop_table('lti_launch_value')
    with op.batch_alter_table('lti_grade_link', schema=None) as batch_op:
        for column in ('activity_id', 'platform_id', 'score_pending', 'user_id'):
            batch_op.drop_index(batch_op.f(f'ix_lti_grade_link_{column}'))
    op.drop_table('lti_grade_link')
    with op.batch_alter_table('lti_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identity_user_id'))
        batch_op.drop_index(batch_op.f('ix_lti_identity_platform_id'))
    op.drop_table('lti_identity')
    with op.batch_alter_table('lti_platform', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_platform_cohort_id'))
    op.drop_table('lti_platform')
