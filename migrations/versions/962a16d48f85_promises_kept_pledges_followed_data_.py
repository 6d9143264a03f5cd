"""promises kept: pledges followed, data checks, prefill, complaint routing, escalation

Revision ID: 962a16d48f85
Revises: d94166d9cbb3
Create Date: 2026-11-24 09:48:56.943390

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '962a16d48f85'
down_revision = 'd94166d9cbb3'
branch_labels = None
depends_on = None

COVERED = ["status", "channel", "accepted_at", "completed_at", "on_time", "working_days_taken", "promised_days",
           "statutory_days", "promised_date", "delivery_method", "visit_count", "item_count", "exempted_count",
           "rating_score", "rectification_state"]
COVERED_NOW = COVERED + ["rating_invited", "evaluation_invited_at", "commitment_overdue", "escalated_at"]


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rectification_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='deadline', nullable=False, comment='deadline, commitment, complaint, rectification, urge'))
        batch_op.alter_column('application_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_alerts_rectification_id_rectifications'), 'rectifications', ['rectification_id'], ['id'])

    with op.batch_alter_table('application_materials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitment_state', sa.String(length=16), nullable=True, comment='容缺: pending, supplied, checked, overdue'))
        batch_op.add_column(sa.Column('check_note', sa.Text(), nullable=True, comment="the clerk's reason when a supplied material failed"))
        batch_op.add_column(sa.Column('data_check', sa.String(length=32), nullable=True, comment='无证明: data source kind that proves it'))
        batch_op.add_column(sa.Column('data_note', sa.Text(), nullable=True, comment='why the data check did not prove it'))
        batch_op.create_index('ix_application_materials_commitment_state', ['commitment_state'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitment_reminded', sa.String(length=8), nullable=True, comment='容缺 reminder sent: before or due'))
        batch_op.add_column(sa.Column('commitment_overdue', sa.Boolean(), server_default='0', nullable=False, comment='a pledge went past its due date (stays true)'))
        batch_op.add_column(sa.Column('form_sources', sa.JSON(), server_default=sa.text("'{}'"), nullable=False, comment='一次录入: where prefilled fields came from'))
        batch_op.add_column(sa.Column('profile_flags', sa.JSON(), server_default=sa.text("'{}'"), nullable=False, comment='form fields that differ from the verified profile'))
        batch_op.add_column(sa.Column('red_on', sa.Date(), nullable=True, comment='the day the deadline turned red'))
        batch_op.add_column(sa.Column('escalated_to', sa.String(length=6), nullable=True, comment='督办: parent region that watches it'))
        batch_op.add_column(sa.Column('escalated_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rating_invited', sa.Boolean(), nullable=True, comment='its counted rating followed an invitation'))

    op.execute("UPDATE applications SET rating_invited = (SELECT e.invited FROM evaluations e "
               "WHERE e.application_id = applications.id AND e.dismissed_at IS NULL)")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_region_submitted')
        batch_op.create_index('ix_applications_region_submitted', ['region_code', 'submitted_at'], unique=False,
                              postgresql_include=COVERED_NOW)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True, comment='转办: the department that answers it'))
        batch_op.add_column(sa.Column('assigned_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_on', sa.Date(), nullable=True, comment='Asia/Shanghai date of the answer (late if after due_on)'))
        batch_op.create_index(batch_op.f('ix_complaints_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_complaints_department_id_departments'), 'departments', ['department_id'], ['id'])

    with op.batch_alter_table('elicenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=True, comment='why the issuing department revoked it'))
        batch_op.create_foreign_key(batch_op.f('fk_elicenses_revoked_by_staff'), 'staff', ['revoked_by'], ['id'])

    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_check', sa.String(length=32), nullable=True, comment='无证明: data source kind that proves it'))

    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('light', sa.String(length=8), nullable=True, comment='red once a due date passed unmet'))



def downgrade():
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_column('light')

    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_column('data_check')

    with op.batch_alter_table('elicenses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_elicenses_revoked_by_staff'), type_='foreignkey')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by')

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_department_id_departments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_complaints_department_id'))
        batch_op.drop_column('answered_on')
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('department_id')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_region_submitted')
        batch_op.create_index('ix_applications_region_submitted', ['region_code', 'submitted_at'], unique=False,
                              postgresql_include=COVERED)
        batch_op.drop_column('rating_invited')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('escalated_to')
        batch_op.drop_column('red_on')
        batch_op.drop_column('profile_flags')
        batch_op.drop_column('form_sources')
        batch_op.drop_column('commitment_overdue')
        batch_op.drop_column('commitment_reminded')

    with op.batch_alter_table('application_materials', schema=None) as batch_op:
        batch_op.drop_index('ix_application_materials_commitment_state')
        batch_op.drop_column('data_note')
        batch_op.drop_column('data_check')
        batch_op.drop_column('check_note')
        batch_op.drop_column('commitment_state')

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alerts_rectification_id_rectifications'), type_='foreignkey')
        batch_op.alter_column('application_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('kind')
        batch_op.drop_column('rectification_id')

