"""Journal sharing reaches the cohort the entry's module belongs to, and only the facilitators the
trainee chose: journal_entry.cohort_id and journal_audience (issue 12, item 5)

Existing entries are placed in the owner's cohort of the module's kind (national for an entry
with no module) whose run was under way when the entry was written (a shared one written outside
any run: the latest such cohort); shared entries keep no audience rows, which means "all of that
cohort's facilitators".

Revision ID: e6a1c2d3b4f5
Revises: c7e2a91d4f10
Create Date: 2026-12-02 21:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e6a1c2d3b4f5'
down_revision = 'c7e2a91d4f10'
branch_labels = None
depends_on = None

_COHORT_OF_KIND = """
  SELECT c.id FROM cohort c
  JOIN membership m ON m.cohort_id = c.id
  JOIN programme_run r ON r.id = c.run_id
  WHERE m.user_id = journal_entry.owner_id AND m.role = 'trainee'
    AND c.kind = CASE WHEN EXISTS (SELECT 1 FROM module mo WHERE mo.id = journal_entry.module_id
                                   AND mo.component = 'transnational')
                      THEN 'transnational' ELSE 'national' END
    {started}
  ORDER BY r.starts_on DESC, c.id DESC LIMIT 1"""
# The run under way when the entry was written; a shared entry written outside any run goes to the
# owner's latest cohort of its kind (where its readers are), a private one stays unplaced.
def _place_entries(day: str) -> str:
    running = f"AND r.starts_on <= {day} AND {day} <= r.ends_on"
    return ("UPDATE journal_entry SET cohort_id = COALESCE((" + _COHORT_OF_KIND.format(started=running)
            + "), CASE WHEN journal_entry.shared THEN (" + _COHORT_OF_KIND.format(started="") + ") END)")


AUDIENCE_OF_SHARED = """
INSERT INTO journal_audience (entry_id, user_id)
SELECT DISTINCT e.id, m.user_id FROM journal_entry e
JOIN membership m ON m.cohort_id = e.cohort_id AND m.role = 'facilitator'
WHERE e.shared
"""


def upgrade():
    op.create_table('journal_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_journal_audience_entry_id_journal_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_journal_audience_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_audience')),
    sa.UniqueConstraint('entry_id', 'user_id', name='uq_journal_audience_entry_user')
    )
    with op.batch_alter_table('journal_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_audience_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_audience_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cohort_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_journal_entry_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_journal_entry_cohort_id_cohort'), 'cohort', ['cohort_id'], ['id'],
                                    ondelete='SET NULL')
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(_place_entries("date(journal_entry.created_at)" if sqlite
                              else "CAST(journal_entry.created_at AS DATE)"))
    op.execute(AUDIENCE_OF_SHARED)


def downgrade():
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_journal_entry_cohort_id_cohort'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_journal_entry_cohort_id'))
        batch_op.drop_column('cohort_id')
    with op.batch_alter_table('journal_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_audience_user_id'))
        batch_op.drop_index(batch_op.f('ix_journal_audience_entry_id'))
    op.drop_table('journal_audience')
