"""Covering indexes for search: a match is checked against its document's kind and its lesson's
visibility without reading either row (both rows hold whole texts; reading them for tens of
thousands of matches was most of a search's time)."""
from peewee import PostgresqlDatabase


def up(migrator, db):
    migrator.migrate(migrator.add_index(
        'lesson', ('id', 'is_published', 'visibility', 'region_id', 'author_id')))
    if not isinstance(db, PostgresqlDatabase):  # PostgreSQL's documents have no id column
        db.execute_sql("CREATE INDEX search_document_lookup "
                       "ON search_document (id, kind, object_id)")


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP INDEX IF EXISTS search_document_lookup")
    migrator.migrate(migrator.drop_index(
        'lesson', 'lesson_id_is_published_visibility_region_id_author_id'))
