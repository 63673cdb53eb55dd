"""Digest deliveries are picked in a fixed order (`next_attempt_at`, then `id`) from an index,
without sorting the pending rows of one time on every pick; it replaces (status,
next_attempt_at), which it covers."""
from playhouse.migrate import make_index_name

PICK = ('status', 'next_attempt_at', 'id')
OLD = 'digestdelivery_status_next_attempt_at'  # as 0007 named it


def up(migrator, db):
    migrator.migrate(migrator.add_index('digest_delivery', PICK))
    migrator.migrate(migrator.drop_index('digest_delivery', OLD))


def down(migrator, db):
    db.execute_sql(f'CREATE INDEX "{OLD}" ON "digest_delivery" ("status", "next_attempt_at")')
    migrator.migrate(migrator.drop_index('digest_delivery', make_index_name('digest_delivery',
                                                                            PICK)))
