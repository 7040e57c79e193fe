"""Verifiable credentials: EQF levels declared in content and the credentials issued.

Revision ID: 7b3e9d2c4a61
Revises: 5b8d2e6f1a93
Create Date: 2026-12-03 07:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7b3e9d2c4a61'
down_revision = '5b8d2e6f1a93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eqf_level', sa.Integer(), nullable=True))
    with op.batch_alter_table('ecvet_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eqf_level', sa.Integer(), nullable=True))
    op.create_table('issued_credential',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_issued_credential_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['ecvet_unit.id'], name=op.f('fk_issued_credential_unit_id_ecvet_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_issued_credential_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_credential')),
    sa.UniqueConstraint('status_index', name='uq_issued_credential_status_index')
    )
    with op.batch_alter_table('issued_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credential_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credential_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credential_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credential_user_id'))
        batch_op.drop_index(batch_op.f('ix_issued_credential_unit_id'))
        batch_op.drop_index(batch_op.f('ix_issued_credential_programme_id'))
    op.drop_table('issued_credential')
    # A plain DROP COLUMN (SQLite 3.35+ too): a batch copy would drop the tables modules and
    # credentials point at, which SQLite refuses once there are rows.
    op.execute("ALTER TABLE ecvet_unit DROP COLUMN eqf_level")
    op.execute("ALTER TABLE programme DROP COLUMN eqf_level")
