"""Two-factor login: the sealed TOTP secret and its last accepted step on the user, recovery codes
(salted hashes) and WebAuthn passkeys.

Revision ID: 5f2b8c1e9a07
Revises: 9c4e1a7b3f20
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5f2b8c1e9a07'
down_revision = '9c4e1a7b3f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_sealed', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_recovery_code_user_id_user', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_recovery_code'),
    )
    op.create_index('ix_recovery_code_user_id', 'recovery_code', ['user_id'])
    op.create_table(
        'passkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=512), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_passkey_user_id_user', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_passkey'),
        sa.UniqueConstraint('credential_id', name='uq_passkey_credential_id'),
    )
    op.create_index('ix_passkey_user_id', 'passkey', ['user_id'])


def downgrade():
    op.drop_index('ix_passkey_user_id', table_name='passkey')
    op.drop_table('passkey')
    op.drop_index('ix_recovery_code_user_id', table_name='recovery_code')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret_sealed')
