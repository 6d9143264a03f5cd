"""trust: jsonb documents on PostgreSQL

Revision ID: b7c41e9a2f10
Revises: 794ebc3233a0
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = 'b7c41e9a2f10'
down_revision = '794ebc3233a0'
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
]


def _retype(to, using: str) -> None:
    for table, column in JSON_COLUMNS:
        op.alter_column(table, column, type_=to, postgresql_using=f"{column}::{using}")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _retype(postgresql.JSONB(), "jsonb")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _retype(sa.JSON(), "json")
