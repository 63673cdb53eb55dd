"""A "deliberations" catalogue version: moved on by every write that changes who may see a
deliberation (its region), whether it is still upcoming (cancelled), or adds or removes one.

The digest sender reads it with the "lessons" and "discussions" versions in its claiming
statement (PostgreSQL): a digest built only from lists read at the same three versions needs
no visibility check again (r2pnet/digests/compose.py).
"""
from peewee import PostgresqlDatabase

NAME = "deliberations"
COLUMNS = ("region_id", "cancelled_at")
EVENTS = ("INSERT", "DELETE", "UPDATE")


def _trigger(event):
    return f"deliberation_{NAME}_{event.lower()}"


def _event(event):
    return f"UPDATE OF {', '.join(COLUMNS)}" if event == "UPDATE" else event


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("INSERT INTO catalogue_version (name, generation) VALUES "
                       f"('{NAME}', md5(random()::text || clock_timestamp()::text))")
        for event in EVENTS:  # the function of migration 0014, once per statement
            db.execute_sql(f"CREATE TRIGGER {_trigger(event)} AFTER {_event(event)} "
                           "ON deliberation FOR EACH STATEMENT "
                           f"EXECUTE FUNCTION catalogue_changed('{NAME}')")
        db.execute_sql(f"CREATE TRIGGER deliberation_{NAME}_truncate AFTER TRUNCATE "
                       "ON deliberation FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION catalogue_changed('{NAME}')")
        return
    db.execute_sql("INSERT INTO catalogue_version (name, generation) "
                   f"VALUES ('{NAME}', lower(hex(randomblob(16))))")
    for event in EVENTS:
        db.execute_sql(f"CREATE TRIGGER {_trigger(event)} AFTER {_event(event)} ON deliberation "
                       "BEGIN UPDATE catalogue_version SET counter = counter + 1 "
                       f"WHERE name = '{NAME}'; END")


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    on = " ON deliberation" if postgres else ""
    for event in EVENTS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger(event)}{on}")
    if postgres:
        db.execute_sql(f"DROP TRIGGER IF EXISTS deliberation_{NAME}_truncate ON deliberation")
    db.execute_sql(f"DELETE FROM catalogue_version WHERE name = '{NAME}'")
