"""help at every door: authorisations, assisted consent, pickup hall, competent region, cross-region items

Revision ID: 340faa3d7a3c
Revises: 868b4ab645d0
Create Date: 2026-11-24 09:49:34.800007

Help at every door (issue 13): 委托代办, 帮办 consent, chosen pickup hall, 异地可办 routing.

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '340faa3d7a3c'
down_revision = '868b4ab645d0'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys(on: bool) -> None:
    """SQLite rebuilds a table to alter it: with rows referencing it, the copy must not check keys."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    op.create_table('authorizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False, comment='委托人'),
    sa.Column('agent_phone', sa.String(length=20), nullable=False, comment='受托人 (代办人) mobile number'),
    sa.Column('scope_kind', sa.String(length=8), nullable=False, comment='any, items or bundles'),
    sa.Column('scope_codes', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False, comment='last day the agent may act'),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', models.base.UTCDateTime(timezone=True), nullable=True, comment='revocation takes effect at once'),
    sa.ForeignKeyConstraint(['principal_id'], ['citizens.id'], name=op.f('fk_authorizations_principal_id_citizens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorizations'))
    )
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.create_index('ix_authorizations_agent_phone', ['agent_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorizations_principal_id'), ['principal_id'], unique=False)

    op.create_table('assist_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('consumed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_assist_consents_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_consents'))
    )
    with op.batch_alter_table('assist_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assist_consents_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True, comment='the agent (代办人) who applies for the applicant'))
        batch_op.add_column(sa.Column('authorization_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assisted_by', sa.Integer(), nullable=True, comment='帮办: the clerk'))
        batch_op.add_column(sa.Column('assisted_hall_id', sa.Integer(), nullable=True, comment='帮办: where'))
        batch_op.add_column(sa.Column('consented_at', models.base.UTCDateTime(timezone=True), nullable=True, comment="帮办: the citizen's SMS code entered"))
        batch_op.add_column(sa.Column('competent_region_code', sa.String(length=6), nullable=True, comment='异地可办: whose departments decide (household or social insurance registration)'))
        batch_op.create_index(batch_op.f('ix_applications_authorization_id'), ['authorization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_submitted_by_id'), ['submitted_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_applications_submitted_by_id_citizens'), 'citizens', ['submitted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_assisted_by_staff'), 'staff', ['assisted_by'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_assisted_hall_id_halls'), 'halls', ['assisted_hall_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_authorization_id_authorizations'), 'authorizations', ['authorization_id'], ['id'])

    comment = '部门职能: shared by the departments doing the same job in every region (异地可办 routing)'
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=True, comment=comment))
    # Every existing department does its own job: its code is its category until an admin says otherwise.
    op.execute("UPDATE departments SET category = code")
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.alter_column('category', existing_type=sa.String(length=32), nullable=False, existing_comment=comment)
        batch_op.create_index(batch_op.f('ix_departments_category'), ['category'], unique=False)

    # Channels are now mobile, agent or assisted: a case made at the window was assisted there.
    op.execute("UPDATE applications SET channel = 'assisted' WHERE channel = 'window'")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('channel', existing_type=sa.String(length=16), existing_nullable=False,
                              comment="mobile (the applicant's phone), agent (代办) or assisted (帮办)",
                              existing_comment='mobile or window')

    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cross_region', sa.Boolean(), server_default='0', nullable=False, comment='异地可办: accepted by a hall of another region'))

    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    op.execute("UPDATE applications SET channel = 'window' WHERE channel = 'assisted'")
    op.execute("UPDATE applications SET channel = 'mobile' WHERE channel = 'agent'")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('channel', existing_type=sa.String(length=16), existing_nullable=False,
                              comment='mobile or window',
                              existing_comment="mobile (the applicant's phone), agent (代办) or assisted (帮办)")
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('cross_region')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_category'))
        batch_op.drop_column('category')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_authorization_id_authorizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_assisted_hall_id_halls'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_assisted_by_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_submitted_by_id_citizens'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_submitted_by_id'))
        batch_op.drop_index(batch_op.f('ix_applications_authorization_id'))
        batch_op.drop_column('competent_region_code')
        batch_op.drop_column('consented_at')
        batch_op.drop_column('assisted_hall_id')
        batch_op.drop_column('assisted_by')
        batch_op.drop_column('authorization_id')
        batch_op.drop_column('submitted_by_id')

    with op.batch_alter_table('assist_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assist_consents_application_id'))

    op.drop_table('assist_consents')
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorizations_principal_id'))
        batch_op.drop_index('ix_authorizations_agent_phone')

    op.drop_table('authorizations')
    _sqlite_foreign_keys(True)
