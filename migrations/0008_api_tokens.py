"""Personal access tokens for the JSON API (only their SHA-256 is stored)."""
from peewee import *


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class ApiToken(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        name = CharField(max_length=80)
        scope = CharField(max_length=10)
        prefix = CharField(max_length=16)
        token_hash = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        last_used_ip = CharField(max_length=64, default='')
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
            indexes = ((('member', 'created_at'), False),)
    db.create_tables([ApiToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('api_token'))
