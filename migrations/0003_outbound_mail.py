"""The mail outbox: queued messages, retried until delivered."""
from peewee import *  # noqa: F403 - frozen model definitions


def up(migrator, db):
    class OutboundMail(Model):
        created_at = DateTimeField()
        recipient = CharField(max_length=320)
        subject = CharField(max_length=300)
        message = BlobField()
        status = CharField(max_length=10, default='pending')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        last_error = TextField(default='')
        class Meta:
            database = db
            table_name = 'outbound_mail'
            indexes = ((('status', 'next_attempt_at'), False),)
    db.create_tables([OutboundMail])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('outbound_mail'))
