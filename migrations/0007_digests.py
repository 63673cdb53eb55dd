"""Digests: per-member settings and one delivery row per member and period."""
from peewee import *


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class DigestDelivery(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        period = CharField(max_length=20)
        frequency = CharField(max_length=10)
        due_at = DateTimeField()
        since = DateTimeField()
        status = CharField(max_length=10, default='pending')
        reason = CharField(max_length=300, default='')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        message_id = CharField(max_length=250, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'digest_delivery'
            indexes = ((('member', 'period'), True), (('status', 'next_attempt_at'), False), (('period', 'status'), False), (('member', 'due_at'), False))
    db.create_tables([DigestDelivery])

    class DigestSettings(Model):
        member = ForeignKeyField(Member, unique=True, on_delete='CASCADE')
        frequency = CharField(max_length=10, default='weekly')
        weekday = IntegerField(default=0)
        hour = IntegerField(default=8)
        bounces = IntegerField(default=0)
        stopped_at = DateTimeField(null=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'digest_settings'
    db.create_tables([DigestSettings])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('digest_settings'))
    migrator.migrate(migrator.drop_table('digest_delivery'))
