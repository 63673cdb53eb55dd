"""PostgreSQL keeps each search document's tsvector in its row, not in the TOAST table.

A lesson's tsvector (about 3.5 kB) went out of line uncompressed, so every match the search
walked, and every candidate it ranked, cost a TOAST index lookup and two chunk reads, three
times per candidate (the match, ts_rank_cd, the tiers). STORAGE MAIN keeps it in the row (the
body, which compresses, still goes out of line first); at 100,000 lessons the walk and the
ranking took a third of the time (docs/performance.md, search round 4). Existing rows are
written again so that they move in. SQLite: nothing to do (FTS5 keeps its own index).
"""
from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_document ALTER COLUMN document SET STORAGE MAIN")
        # The generated column is computed and stored again, under the new storage.
        db.execute_sql("UPDATE search_document SET title = title")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_document ALTER COLUMN document SET STORAGE EXTENDED")
