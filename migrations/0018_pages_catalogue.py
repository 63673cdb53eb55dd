"""A "pages" catalogue version: moved on by every write to any table a page shows.

r2pnet/pages.py keeps a signed-in reader's whole page (or API list) under this version, so it
must move with every change of anything a kept page could show: every table is watched except
those in UNWATCHED, which no kept page reads and which are written without any change a page
shows (sign-in attempts, the mail queue, the sender's log, a token's last use, the audit log).
tests/test_kept_pages.py checks that every table of the database is one or the other.

SQLite: a trigger per row, as for the other catalogues. PostgreSQL: once per statement, BEFORE
it, so a transaction's first write takes this row's lock before any row of its own: every
writer of watched tables then takes its catalogue locks in the same order (this one first).
"""
from peewee import PostgresqlDatabase

NAME = "pages"
WATCHED = (
    "region", "member", "member_language", "member_expertise", "moderator_region",
    "invitation", "password_reset", "lesson", "lesson_term", "lesson_revision",
    "lesson_attachment", "lesson_application", "lesson_useful", "thread", "post",
    "post_revision", "thread_term", "thread_lesson", "thread_follow", "space_follow",
    "thread_read", "mention", "flag", "deliberation", "deliberation_action",
    "deliberation_thread", "deliberation_lesson", "attendance", "cadence", "weekly_question",
    "digest_settings", "search_document",
)
UNWATCHED = (
    "catalogue_version", "schema_migration", "throttle_event", "outbound_mail",
    "digest_delivery", "api_token", "audit_event",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _trigger(table, event):
    return f"{table}_{NAME}_{event.lower()}"


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("INSERT INTO catalogue_version (name, generation) VALUES "
                       f"('{NAME}', md5(random()::text || clock_timestamp()::text))")
        for table in WATCHED:  # the function of migration 0014
            db.execute_sql(f"CREATE TRIGGER {_trigger(table, 'write')} BEFORE "
                           f"{' OR '.join(EVENTS)} ON {table} FOR EACH STATEMENT "
                           f"EXECUTE FUNCTION catalogue_changed('{NAME}')")
            db.execute_sql(f"CREATE TRIGGER {_trigger(table, 'truncate')} BEFORE TRUNCATE "
                           f"ON {table} FOR EACH STATEMENT "
                           f"EXECUTE FUNCTION catalogue_changed('{NAME}')")
        return
    db.execute_sql("INSERT INTO catalogue_version (name, generation) "
                   f"VALUES ('{NAME}', lower(hex(randomblob(16))))")
    for table in WATCHED:
        for event in EVENTS:
            db.execute_sql(f"CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON {table} "
                           "BEGIN UPDATE catalogue_version SET counter = counter + 1 "
                           f"WHERE name = '{NAME}'; END")


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for table in WATCHED:
        if postgres:
            for kind in ("write", "truncate"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger(table, kind)} ON {table}")
        else:
            for event in EVENTS:
                db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger(table, event)}")
    db.execute_sql(f"DELETE FROM catalogue_version WHERE name = '{NAME}'")
