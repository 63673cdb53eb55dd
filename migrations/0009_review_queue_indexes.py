"""Indexes for the moderation queue: open flags, and items hidden pending review."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('thread', ('flag_count',)))
    migrator.migrate(migrator.add_index('post', ('flag_count',)))
    migrator.migrate(migrator.add_index('post', ('is_hidden', 'hidden_reason')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('post', 'post_is_hidden_hidden_reason'))
    migrator.migrate(migrator.drop_index('post', 'post_flag_count'))
    migrator.migrate(migrator.drop_index('thread', 'thread_flag_count'))
