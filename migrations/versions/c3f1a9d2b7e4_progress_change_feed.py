"""progress change feed: triggers NOTIFY onetrip_progress when a case's tag may change (PostgreSQL)

Revision ID: c3f1a9d2b7e4
Revises: 37800812921b
Create Date: 2026-11-24 16:40:00

A worker answers an unchanged case's progress from memory (app/services/progress_cache.py) only
while it hears every change (app/gateways/changes.py). The tag is read from applications (version,
applicant, agent, authorisation), events (the last one), authorizations (revoked, last day) and
citizens (the account exists): a statement that writes any of them (deletes, for accounts) notifies, once per statement, with the
ids of the applications it touched ("a:1,2"), or "*" when it cannot say which (an authorisation, an
account, a truncation, or more than MANY cases at once: a bulk load must not queue a million
notifications). The names the document shows (items, departments, halls, carriers) notify "*" when
written: a body kept under its tag would keep an old name. NOTIFY is delivered at commit, never for
a rolled-back change. Every trigger is ENABLE ALWAYS: a change applied with session_replication_role
= replica (a logical-replication subscriber, a load run the way pg_restore runs) is heard too (found
by the adversary tests; a restore with --disable-triggers still says nothing: restart the workers
after one). SQLite has no such feed: there the stamps are not cached (the bodies still are, and a
change made by this process forgets them).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3f1a9d2b7e4'
down_revision = '37800812921b'
branch_labels = None
depends_on = None

MANY = 200  # ids in one notification (8,000 bytes at most: ~10 characters an id)

FUNCTIONS = {
    # The applications a statement on `events` or `applications` touched, named in one notification.
    "onetrip_cases_changed": f"""
        DECLARE ids bigint[];
        BEGIN
          EXECUTE format('SELECT array_agg(DISTINCT %I) FROM changed', TG_ARGV[0]) INTO ids;
          IF ids IS NULL THEN
            RETURN NULL;
          ELSIF cardinality(ids) > {MANY} THEN
            PERFORM pg_notify('onetrip_progress', '*');
          ELSE
            PERFORM pg_notify('onetrip_progress', 'a:' || array_to_string(ids, ','));
          END IF;
          RETURN NULL;
        END""",
    "onetrip_anything_changed": """
        BEGIN
          PERFORM pg_notify('onetrip_progress', '*');
          RETURN NULL;
        END""",
}

# (trigger, table, when, transition table, function, argument)
TRIGGERS = [
    ("onetrip_events_inserted", "events", "INSERT", "NEW", "onetrip_cases_changed", "application_id"),
    ("onetrip_events_updated", "events", "UPDATE", "NEW", "onetrip_cases_changed", "application_id"),
    ("onetrip_events_deleted", "events", "DELETE", "OLD", "onetrip_cases_changed", "application_id"),
    ("onetrip_applications_updated", "applications", "UPDATE", "NEW", "onetrip_cases_changed", "id"),
    ("onetrip_applications_deleted", "applications", "DELETE", "OLD", "onetrip_cases_changed", "id"),
    ("onetrip_authorizations_changed", "authorizations", "UPDATE OR DELETE", None, "onetrip_anything_changed", None),
    ("onetrip_citizens_deleted", "citizens", "DELETE", None, "onetrip_anything_changed", None),
    # Names the document shows (a kept body would keep an old one).
    *[(f"onetrip_{table}_changed", table, "UPDATE OR DELETE", None, "onetrip_anything_changed", None)
      for table in ("items", "departments", "halls", "carriers")],
]
TRUNCATED = ["events", "applications", "authorizations", "citizens", "items", "departments", "halls", "carriers"]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body${body}$body$")
    for trigger, table, when, transition, function, argument in TRIGGERS:
        referencing = f"REFERENCING {transition} TABLE AS changed " if transition else ""
        op.execute(f"CREATE TRIGGER {trigger} AFTER {when} ON {table} {referencing}"
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {function}({argument or ''})")
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
    for table in TRUNCATED:
        op.execute(f"CREATE TRIGGER onetrip_{table}_truncated AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION onetrip_anything_changed()")
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER onetrip_{table}_truncated")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger, table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for table in TRUNCATED:
        op.execute(f"DROP TRIGGER IF EXISTS onetrip_{table}_truncated ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
