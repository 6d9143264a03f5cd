"""list indexes: every page of every list is an index range (bench/list_pages.py)

Revision ID: 37800812921b
Revises: b7c41e9a2f10
Create Date: 2026-11-24 13:20:00

Each list's filter columns, then its sort columns: the first page reads page_size index entries, a
deep page walks the index to its offset, and the bounded total (app/services/paging.py) is an
index-only count. Indexes that became a prefix of a new one are dropped.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '37800812921b'
down_revision = 'b7c41e9a2f10'
branch_labels = None
depends_on = None

# (table, new indexes {name: columns}, replaced indexes {name: columns})
CHANGES = [
    ("applications",
     {"ix_applications_region_status_submitted": ["region_code", "status", "submitted_at", "id"]},
     {"ix_applications_region_status": ["region_code", "status"]}),
    ("subcases",
     {"ix_subcases_department_id": ["department_id", "id"],
      "ix_subcases_department_status_id": ["department_id", "status", "id"],
      "ix_subcases_light_status": ["light", "status"]},
     {"ix_subcases_department_status": ["department_id", "status"]}),
    ("shipments",
     {"ix_shipments_hall_id_id": ["hall_id", "id"],
      "ix_shipments_hall_status_id": ["hall_id", "status", "id"],
      "ix_shipments_carrier_id_id": ["carrier_id", "id"],
      "ix_shipments_carrier_status_id": ["carrier_id", "status", "id"]},
     {"ix_shipments_hall_id": ["hall_id"], "ix_shipments_carrier_id": ["carrier_id"]}),
    ("alerts",
     {"ix_alerts_hall_id": ["hall_id", "id"], "ix_alerts_department_id": ["department_id", "id"]},
     {"ix_alerts_targets": ["hall_id", "department_id"]}),
    ("rectifications",
     {"ix_rectifications_hall_due": ["hall_id", "fix_due", "id"],
      "ix_rectifications_department_due": ["department_id", "fix_due", "id"],
      "ix_rectifications_region_due": ["region_code", "fix_due", "id"]},
     {}),
    ("complaints", {"ix_complaints_region_due": ["region_code", "due_on", "id"]}, {}),
]


def upgrade():
    for table, new, old in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in new.items():
                batch_op.create_index(name, columns, unique=False)
            for name in old:
                batch_op.drop_index(name)


def downgrade():
    for table, new, old in reversed(CHANGES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in old.items():
                batch_op.create_index(name, columns, unique=False)
            for name in new:
                batch_op.drop_index(name)
