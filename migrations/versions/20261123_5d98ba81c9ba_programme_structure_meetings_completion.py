"""Programme structure from content, meetings and attendance, completion

Programme, competency, ecvet_unit, module, activity, meeting_plan, resource (imported from
content/ by `flask content import`), meeting and attendance (per cohort), completion (per trainee
and activity), and programme_run.programme_id.

Revision ID: 5d98ba81c9ba
Revises: ebe9c5761842
Create Date: 2026-11-23 11:07:39.951367

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d98ba81c9ba'
down_revision = 'ebe9c5761842'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('total_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('summary_md', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('slug', name=op.f('uq_programme_slug'))
    )
    op.create_table('competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_competency_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency')),
    sa.UniqueConstraint('programme_id', 'code', name='uq_competency_programme_code')
    )
    with op.batch_alter_table('competency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_programme_id'), ['programme_id'], unique=False)

    op.create_table('ecvet_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('credit_points', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('learning_outcomes', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_ecvet_unit_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ecvet_unit')),
    sa.UniqueConstraint('programme_id', 'code', name='uq_ecvet_unit_programme_code')
    )
    with op.batch_alter_table('ecvet_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ecvet_unit_programme_id'), ['programme_id'], unique=False)

    op.create_table('module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('ecvet_unit_id', sa.Integer(), nullable=True),
    sa.Column('credit_points', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('competencies', sa.JSON(), nullable=False),
    sa.Column('summary_md', sa.Text(), nullable=False),
    sa.Column('learning_outcomes', sa.JSON(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.CheckConstraint("component IN ('national', 'transnational')", name=op.f('ck_module_component')),
    sa.ForeignKeyConstraint(['ecvet_unit_id'], ['ecvet_unit.id'], name=op.f('fk_module_ecvet_unit_id_ecvet_unit')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_module_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module')),
    sa.UniqueConstraint('slug', name=op.f('uq_module_slug'))
    )
    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_ecvet_unit_id'), ['ecvet_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_programme_id'), ['programme_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('due_rule', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('competencies', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('omitted_in', sa.JSON(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_activity_country_id_country')),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_activity_module_id_module')),
    sa.ForeignKeyConstraint(['replaces_id'], ['activity.id'], name=op.f('fk_activity_replaces_id_activity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('slug', name=op.f('uq_activity_slug'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_country_id'), ['country_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_replaces_id'), ['replaces_id'], unique=False)

    op.create_table('meeting_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('after_start_days', sa.Integer(), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.Column('agenda_md', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('national', 'transnational')", name=op.f('ck_meeting_plan_kind')),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_meeting_plan_module_id_module')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_plan')),
    sa.UniqueConstraint('slug', name=op.f('uq_meeting_plan_slug'))
    )
    with op.batch_alter_table('meeting_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_plan_module_id'), ['module_id'], unique=False)

    op.create_table('resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('competencies', sa.JSON(), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('practice-based', 'training-education', 'research-based')", name=op.f('ck_resource_kind')),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_resource_country_id_country')),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_resource_module_id_module')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_resource_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource')),
    sa.UniqueConstraint('slug', name=op.f('uq_resource_slug'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_country_id'), ['country_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_programme_id'), ['programme_id'], unique=False)

    op.create_table('completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('started', 'done')", name=op.f('ck_completion_state')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_completion_activity_id_activity')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_completion_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completion')),
    sa.UniqueConstraint('user_id', 'activity_id', name='uq_completion_user_activity')
    )
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completion_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_completion_user_id'), ['user_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('agenda_md', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_meeting_dates')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_meeting_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['meeting_plan.id'], name=op.f('fk_meeting_plan_id_meeting_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_plan_id'), ['plan_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_attendance_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attendance_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name='uq_attendance_meeting_user')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('programme_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_programme_run_programme_id'), ['programme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_programme_run_programme_id_programme'), 'programme', ['programme_id'], ['id'])



def downgrade():
    with op.batch_alter_table('programme_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programme_run_programme_id_programme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_programme_run_programme_id'))
        batch_op.drop_column('programme_id')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_meeting_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_plan_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_cohort_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completion_user_id'))
        batch_op.drop_index(batch_op.f('ix_completion_activity_id'))

    op.drop_table('completion')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_programme_id'))
        batch_op.drop_index(batch_op.f('ix_resource_country_id'))
        batch_op.drop_index(batch_op.f('ix_resource_module_id'))

    op.drop_table('resource')
    with op.batch_alter_table('meeting_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_plan_module_id'))

    op.drop_table('meeting_plan')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_replaces_id'))
        batch_op.drop_index(batch_op.f('ix_activity_module_id'))
        batch_op.drop_index(batch_op.f('ix_activity_country_id'))

    op.drop_table('activity')
    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_programme_id'))
        batch_op.drop_index(batch_op.f('ix_module_ecvet_unit_id'))

    op.drop_table('module')
    with op.batch_alter_table('ecvet_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ecvet_unit_programme_id'))

    op.drop_table('ecvet_unit')
    with op.batch_alter_table('competency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_programme_id'))

    op.drop_table('competency')
    op.drop_table('programme')
