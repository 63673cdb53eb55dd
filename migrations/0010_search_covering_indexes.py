"""Covering indexes for lists and search: a lesson is checked for visibility, counted in the
facets and placed in its order, and a search match is checked against its document's kind,
without reading the lesson or document row (both hold whole texts; reading them for thousands
of lessons was most of a browse page's or a search's time)."""
from peewee import PostgresqlDatabase
from playhouse.migrate import make_index_name

LISTING = ('id', 'is_published', 'visibility', 'region_id', 'author_id', 'country', 'attribution',
           'published_year', 'published_at', 'applied_count', 'useful_count')


def up(migrator, db):
    migrator.migrate(migrator.add_index('lesson', LISTING))
    if not isinstance(db, PostgresqlDatabase):  # PostgreSQL's documents have no id column
        db.execute_sql("CREATE INDEX search_document_lookup "
                       "ON search_document (id, kind, object_id)")


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP INDEX IF EXISTS search_document_lookup")
    migrator.migrate(migrator.drop_index('lesson', make_index_name('lesson', LISTING)))
