"""Catalogue versions: a counter per catalogue (lessons, members, discussions) that every write
changing what a filter or a search finds there, or how it counts, moves on in the writer's own
transaction (triggers).

Not a peewee model: r2pnet/catalogue.py reads it. `generation` is drawn when the row is made,
so two databases (or a database made again) never share a version.
"""
from peewee import PostgresqlDatabase

# catalogue -> {table: (the columns whose updates count, or None for all; which rows count)}
WATCHED = {
    "lessons": {
        # What browse filters, facets, search and the newest-first order read of a lesson.
        "lesson": (("is_published", "visibility", "region_id", "author_id", "country",
                    "attribution", "published_at", "published_year"), None),
        "lesson_term": (None, None),
        "region": (("key",), None),
        "search_document": (None, "{row}.kind = 'lesson'"),  # a lesson's words
    },
    "members": {
        # What the directory filters, counts and sorts on (what a card shows is read again),
        # and the home page's region cards (names and active members).
        "member": (("name", "title", "organization", "country", "region_id", "is_focal_point",
                    "role", "disabled_at", "search_text"), None),
        "member_language": (None, None),
        "member_expertise": (None, None),
        "region": (("key", "name"), None),
    },
    "discussions": {
        # What thread and reply search read: spaces, hiding, titles, and the words.
        "thread": (("region_id", "is_hidden", "title"), None),
        "post": (("thread_id", "is_hidden"), None),
        "search_document": (None, "{row}.kind IN ('thread', 'post')"),
    },
}
EVENTS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("NEW", "OLD")}
TABLE = """CREATE TABLE catalogue_version (
    name VARCHAR(40) NOT NULL PRIMARY KEY,
    generation VARCHAR(32) NOT NULL,
    counter BIGINT NOT NULL DEFAULT 0)"""


def _bump(name):
    return f"UPDATE catalogue_version SET counter = counter + 1 WHERE name = '{name}'"


def _watched():
    """(catalogue, table, event (with UPDATE OF columns), trigger name, row condition)."""
    for name, tables in WATCHED.items():
        for table, (columns, rows) in tables.items():
            for event, row_names in EVENTS.items():
                of = f" OF {', '.join(columns)}" if columns and event == "UPDATE" else ""
                when = (" OR ".join(rows.format(row=row) for row in row_names)
                        if rows else None)
                yield name, table, f"{event}{of}", f"{table}_{name}_{event.lower()}", when


def _postgres_up():
    yield TABLE
    for name in WATCHED:
        yield ("INSERT INTO catalogue_version (name, generation) VALUES "
               f"('{name}', md5(random()::text || clock_timestamp()::text))")
    yield """CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE catalogue_version SET counter = counter + 1 WHERE name = TG_ARGV[0];
            RETURN NULL;
        END $$"""
    for name, table, event, trigger, when in _watched():
        # Once per statement (a bulk write moves the version once), per row when only
        # some rows count.
        each = f"ROW WHEN ({when})" if when else "STATEMENT"
        yield (f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH {each} "
               f"EXECUTE FUNCTION catalogue_changed('{name}')")
    for name, tables in WATCHED.items():
        for table in tables:
            yield (f"CREATE TRIGGER {table}_{name}_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed('{name}')")


def _sqlite_up():
    yield TABLE
    for name in WATCHED:
        yield ("INSERT INTO catalogue_version (name, generation) "
               f"VALUES ('{name}', lower(hex(randomblob(16))))")
    for name, table, event, trigger, when in _watched():
        condition = f" WHEN {when}" if when else ""
        yield (f"CREATE TRIGGER {trigger} AFTER {event} ON {table}{condition} "
               f"BEGIN {_bump(name)}; END")


def _down(postgres):
    for _, table, _, trigger, _ in _watched():
        yield f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgres else "")
    if postgres:
        for name, tables in WATCHED.items():
            for table in tables:
                yield f"DROP TRIGGER IF EXISTS {table}_{name}_truncate ON {table}"
        yield "DROP FUNCTION IF EXISTS catalogue_changed()"
    yield "DROP TABLE IF EXISTS catalogue_version"


def up(migrator, db):
    for sql in _postgres_up() if isinstance(db, PostgresqlDatabase) else _sqlite_up():
        db.execute_sql(sql)


def down(migrator, db):
    for sql in _down(isinstance(db, PostgresqlDatabase)):
        db.execute_sql(sql)
