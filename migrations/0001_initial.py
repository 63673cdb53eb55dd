"""The initial schema: regions, members, audit log, invitations, resets, throttling."""
from peewee import *  # noqa: F403 - frozen model definitions


def up(migrator, db):
    class Region(Model):
        key = CharField(unique=True, max_length=40)
        name = CharField(max_length=120)
        organizations = TextField(default="[]")
        countries = TextField(default="[]")
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'region'
    db.create_tables([Region])

    class Member(Model):
        email = CharField(unique=True, max_length=254)
        name = CharField(max_length=120)
        title = CharField(max_length=160, default='')
        organization = CharField(max_length=200, default='')
        country = CharField(index=True, null=True, max_length=2)
        region = ForeignKeyField(Region, null=True, on_delete='SET NULL')
        is_focal_point = BooleanField(default=False)
        focal_point_since = DateField(null=True)
        bio = TextField(default='')
        timezone = CharField(max_length=64, default='UTC')
        email_visibility = CharField(max_length=20, default='network')
        role = CharField(index=True, max_length=20, default='member')
        password_hash = CharField(null=True)
        session_version = CharField(max_length=64)
        disabled_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        last_login_at = DateTimeField(null=True)
        search_text = CharField(max_length=600, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'member'
            indexes = ((('region', 'name'), False), (('disabled_at', 'name'), False))
    db.create_tables([Member])

    class AuditEvent(Model):
        created_at = DateTimeField(index=True)
        action = CharField(max_length=40)
        actor = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        target = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        email = CharField(max_length=254, default='')
        ip = CharField(max_length=64, default='')
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('action', 'created_at'), False), (('actor', 'created_at'), False), (('target', 'created_at'), False))
    db.create_tables([AuditEvent])

    class Invitation(Model):
        email = CharField(index=True, null=True, max_length=254)
        role = CharField(max_length=20, default='member')
        region = ForeignKeyField(Region, null=True, on_delete='SET NULL')
        invited_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        token_hash = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        accepted_at = DateTimeField(null=True)
        accepted_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'invitation'
    db.create_tables([Invitation])

    class MemberExpertise(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        key = CharField(max_length=40)
        class Meta:
            database = db
            table_name = 'member_expertise'
            indexes = ((('member', 'key'), True), (('key', 'member'), False))
    db.create_tables([MemberExpertise])

    class MemberLanguage(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        code = CharField(max_length=3)
        class Meta:
            database = db
            table_name = 'member_language'
            indexes = ((('member', 'code'), True), (('code', 'member'), False))
    db.create_tables([MemberLanguage])

    class ModeratorRegion(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        region = ForeignKeyField(Region, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'moderator_region'
            indexes = ((('member', 'region'), True),)
    db.create_tables([ModeratorRegion])

    class PasswordReset(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        token_hash = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'password_reset'
    db.create_tables([PasswordReset])

    class ThrottleEvent(Model):
        key = CharField(max_length=300)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'throttle_event'
            indexes = ((('key', 'created_at'), False),)
    db.create_tables([ThrottleEvent])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('throttle_event'))
    migrator.migrate(migrator.drop_table('password_reset'))
    migrator.migrate(migrator.drop_table('moderator_region'))
    migrator.migrate(migrator.drop_table('member_language'))
    migrator.migrate(migrator.drop_table('member_expertise'))
    migrator.migrate(migrator.drop_table('invitation'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('member'))
    migrator.migrate(migrator.drop_table('region'))
