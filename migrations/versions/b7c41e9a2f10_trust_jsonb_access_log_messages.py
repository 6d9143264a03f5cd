"""trust: jsonb documents on PostgreSQL, staff access log, message read marks

Revision ID: b7c41e9a2f10
Revises: 340faa3d7a3c
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import models.base


revision = 'b7c41e9a2f10'
down_revision = '340faa3d7a3c'
branch_labels = None
depends_on = None

# Every JSON document column; jsonb on PostgreSQL only (SQLite keeps its JSON text).
JSON_COLUMNS = [
    ("idempotency_records", "response"), ("items", "delivery_options"), ("items", "steps"),
    ("items", "internal_steps"), ("items", "form"), ("materials", "formats"), ("applications", "form"),
    ("applications", "form_spec"), ("applications", "delivery_address"), ("bundle_items", "depends_on"),
    ("application_materials", "formats"), ("application_materials", "items"),
    ("application_materials", "upload_ids"), ("evaluations", "tags"), ("notifications", "params"),
    ("shipments", "address"), ("subcases", "depends_on"), ("elicenses", "upload_ids"), ("events", "details"),
    ("applications", "form_sources"), ("applications", "profile_flags"), ("authorizations", "scope_codes"),
]


def _retype(to, using: str) -> None:
    for table, column in JSON_COLUMNS:
        op.alter_column(table, column, type_=to, postgresql_using=f"{column}::{using}")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _retype(postgresql.JSONB(), "jsonb")
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False, comment='whose data was read'),
    sa.Column('staff_id', sa.Integer(), nullable=False, comment='who read it'),
    sa.Column('staff_role', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=16), nullable=False, comment='application, upload, elicense or profile'),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=True, comment='e.g. the application number'),
    sa.Column('purpose', sa.String(length=200), nullable=False, comment="X-Purpose header or the endpoint's default"),
    sa.Column('region_code', sa.String(length=6), nullable=False, comment='whose supervisors see this entry'),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_access_log_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_access_log_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_citizen_at', ['citizen_id', 'at'], unique=False)
        batch_op.create_index('ix_access_log_region_at', ['region_code', 'at'], unique=False)
        batch_op.create_index('ix_access_log_staff_at', ['staff_id', 'at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', models.base.UTCDateTime(timezone=True), nullable=True,
                                      comment='the citizen opened it in the app'))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('read_at')

    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_staff_at')
        batch_op.drop_index('ix_access_log_region_at')
        batch_op.drop_index('ix_access_log_citizen_at')

    op.drop_table('access_log')
    if op.get_bind().dialect.name == "postgresql":
        _retype(sa.JSON(), "json")
