"""Database triggers that make the audit table append-only at the storage level.

UPDATE is always refused; DELETE only of entries older than the retention minimum (180 days),
so a purge job can never remove younger entries even if its code is wrong.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
RETENTION_DAYS = 180  # the Cybersecurity Law's six months; never lower


def _sqlite_statements() -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS audit_entry_retention BEFORE DELETE ON {TABLE}
        WHEN OLD.at > datetime('now', '-{RETENTION_DAYS} days')
        BEGIN
            SELECT RAISE(ABORT, 'audit entries younger than {RETENTION_DAYS} days are kept');
        END""",
    ]


def _postgres_statements() -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION audit_entry_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION 'audit entries are append-only';
            END IF;
            IF OLD.at > now() - interval '{RETENTION_DAYS} days' THEN
                RAISE EXCEPTION 'audit entries younger than {RETENTION_DAYS} days are kept';
            END IF;
            RETURN OLD;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE TRIGGER audit_entry_guard BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_entry_guard()""",
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    statements = (
        _postgres_statements() if connection.vendor == "postgresql" else _sqlite_statements()
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Only for test teardown, which must empty every table between transactional tests."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_entry_guard ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_retention")
