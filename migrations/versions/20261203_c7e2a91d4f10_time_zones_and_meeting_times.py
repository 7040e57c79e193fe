"""Time zones and meeting times: a country's time zone (seeded for the five partners), each
meeting plan's and meeting's daily start and end, and the zone a meeting's times are in

Revision ID: c7e2a91d4f10
Revises: b3f1c0de7a11
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e2a91d4f10'
down_revision = 'b3f1c0de7a11'
branch_labels = None
depends_on = None

PARTNER_ZONES = {"SE": "Europe/Stockholm", "NO": "Europe/Oslo", "SI": "Europe/Ljubljana", "PT": "Europe/Lisbon",
                 "IT": "Europe/Rome"}


def upgrade():
    with op.batch_alter_table('country', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/Stockholm',
                                      nullable=False))
    for table in ('meeting_plan', 'meeting'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('starts_at', sa.Time(), server_default='09:00:00', nullable=False))
            batch_op.add_column(sa.Column('ends_at', sa.Time(), server_default='13:00:00', nullable=False))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/Stockholm',
                                      nullable=False))

    country = sa.table("country", sa.column("code", sa.String), sa.column("time_zone", sa.String))
    for code, zone in PARTNER_ZONES.items():
        op.execute(country.update().where(country.c.code == code).values(time_zone=zone))
    # A national cohort's meetings are held in its country's zone.
    op.execute(
        "UPDATE meeting SET time_zone = (SELECT country.time_zone FROM cohort JOIN country "
        "ON country.id = cohort.country_id WHERE cohort.id = meeting.cohort_id) "
        "WHERE EXISTS (SELECT 1 FROM cohort WHERE cohort.id = meeting.cohort_id AND cohort.country_id IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
    for table in ('meeting', 'meeting_plan'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('ends_at')
            batch_op.drop_column('starts_at')
    with op.batch_alter_table('country', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
