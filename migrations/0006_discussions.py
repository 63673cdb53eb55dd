"""Discussions, moderation and deliberations; moderation columns on the audit log."""
from peewee import *


def up(migrator, db):
    class Lesson(Model):
        class Meta:
            database = db
            table_name = 'lesson'

    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class Region(Model):
        class Meta:
            database = db
            table_name = 'region'

    class Deliberation(Model):
        region = ForeignKeyField(Region, on_delete='RESTRICT')
        title = CharField(max_length=200)
        agenda_md = TextField(default='')
        agenda_html = TextField(default='')
        starts_at = DateTimeField()
        timezone = CharField(max_length=64)
        duration_minutes = IntegerField(default=90)
        join_url = CharField(max_length=500, default='')
        location = CharField(max_length=300, default='')
        created_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        uid = CharField(unique=True, max_length=120)
        sequence = IntegerField(default=0)
        cancelled_at = DateTimeField(null=True)
        outcome_md = TextField(default='')
        outcome_html = TextField(default='')
        outcome_recorded_at = DateTimeField(null=True)
        outcome_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'deliberation'
            indexes = ((('region', 'starts_at'), False), (('starts_at',), False))
    db.create_tables([Deliberation])

    class Attendance(Model):
        deliberation = ForeignKeyField(Deliberation, on_delete='CASCADE')
        member = ForeignKeyField(Member, on_delete='CASCADE')
        answer = CharField(max_length=8)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'attendance'
            indexes = ((('deliberation', 'member'), True),)
    db.create_tables([Attendance])

    class Cadence(Model):
        region = ForeignKeyField(Region, unique=True, on_delete='CASCADE')
        every_days = IntegerField(default=28)
        updated_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'cadence'
    db.create_tables([Cadence])

    class DeliberationAction(Model):
        deliberation = ForeignKeyField(Deliberation, on_delete='CASCADE')
        description = CharField(max_length=500)
        owner = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        owner_name = CharField(max_length=120, default='')
        due_on = DateField(null=True)
        done_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'deliberation_action'
            indexes = ((('deliberation',), False), (('owner', 'due_on'), False))
    db.create_tables([DeliberationAction])

    class DeliberationLesson(Model):
        deliberation = ForeignKeyField(Deliberation, on_delete='CASCADE')
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'deliberation_lesson'
            indexes = ((('deliberation', 'lesson'), True),)
    db.create_tables([DeliberationLesson])

    class Thread(Model):
        region = ForeignKeyField(Region, null=True, on_delete='RESTRICT')
        author = ForeignKeyField(Member, on_delete='RESTRICT')
        title = CharField(max_length=200)
        created_at = DateTimeField()
        last_activity_at = DateTimeField()
        last_author = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        reply_count = IntegerField(default=0)
        last_number = IntegerField(default=1)
        is_pinned = BooleanField(default=False)
        is_locked = BooleanField(default=False)
        is_hidden = BooleanField(default=False)
        hidden_reason = CharField(max_length=500, default='')
        hidden_at = DateTimeField(null=True)
        flag_count = IntegerField(default=0)
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        conclusion_md = TextField(default='')
        conclusion_html = TextField(default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'thread'
            indexes = ((('region', 'is_hidden', 'is_pinned', 'last_activity_at'), False), (('is_hidden', 'last_activity_at'), False), (('region', 'created_at'), False), (('author', 'created_at'), False))
    db.create_tables([Thread])

    class DeliberationThread(Model):
        deliberation = ForeignKeyField(Deliberation, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'deliberation_thread'
            indexes = ((('deliberation', 'thread'), True),)
    db.create_tables([DeliberationThread])

    class Post(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        author = ForeignKeyField(Member, on_delete='RESTRICT')
        number = IntegerField()
        body_md = TextField()
        body_html = TextField()
        quoted_post = ForeignKeyField('self', null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        edited_at = DateTimeField(null=True)
        edit_count = IntegerField(default=0)
        is_hidden = BooleanField(default=False)
        hidden_reason = CharField(max_length=500, default='')
        hidden_at = DateTimeField(null=True)
        flag_count = IntegerField(default=0)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'post'
            indexes = ((('thread', 'number'), True), (('thread', 'is_hidden', 'number'), False), (('author', 'created_at'), False), (('created_at',), False))
    db.create_tables([Post])

    class Flag(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        post = ForeignKeyField(Post, null=True, on_delete='CASCADE')
        item = CharField(max_length=40)
        reason = CharField(max_length=20)
        note = CharField(max_length=500, default='')
        created_at = DateTimeField()
        resolved_at = DateTimeField(null=True)
        resolved_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        resolution = CharField(max_length=20, default='')
        class Meta:
            database = db
            table_name = 'flag'
            indexes = ((('item', 'member'), True), (('resolved_at', 'thread'), False), (('thread', 'resolved_at'), False))
    db.create_tables([Flag])

    class Mention(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        member = ForeignKeyField(Member, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'mention'
            indexes = ((('post', 'member'), True), (('member', 'created_at'), False))
    db.create_tables([Mention])

    class PostRevision(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        number = IntegerField()
        editor = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        body_md = TextField()
        title = CharField(max_length=200, default='')
        reason = CharField(max_length=500, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'post_revision'
            indexes = ((('post', 'number'), True),)
    db.create_tables([PostRevision])

    class SpaceFollow(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        region = ForeignKeyField(Region, null=True, on_delete='CASCADE')
        space = CharField(max_length=20)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'space_follow'
            indexes = ((('member', 'space'), True),)
    db.create_tables([SpaceFollow])

    class ThreadFollow(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'thread_follow'
            indexes = ((('member', 'thread'), True), (('thread', 'member'), False))
    db.create_tables([ThreadFollow])

    class ThreadLesson(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'thread_lesson'
            indexes = ((('thread', 'lesson'), True), (('lesson', 'thread'), False))
    db.create_tables([ThreadLesson])

    class ThreadRead(Model):
        member = ForeignKeyField(Member, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        last_read_number = IntegerField(default=0)
        read_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'thread_read'
            indexes = ((('member', 'thread'), True),)
    db.create_tables([ThreadRead])

    class ThreadTerm(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        kind = CharField(max_length=12)
        key = CharField(max_length=60)
        class Meta:
            database = db
            table_name = 'thread_term'
            indexes = ((('thread', 'kind', 'key'), True), (('kind', 'key', 'thread'), False))
    db.create_tables([ThreadTerm])

    class WeeklyQuestion(Model):
        region = ForeignKeyField(Region, on_delete='CASCADE')
        text = CharField(max_length=500)
        thread = ForeignKeyField(Thread, null=True, on_delete='SET NULL')
        asked_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'weekly_question'
            indexes = ((('region', 'created_at'), False),)
    db.create_tables([WeeklyQuestion])

    migrator.migrate(migrator.add_column('audit_event', 'region_id', ForeignKeyField(Region, field=Region.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('audit_event', 'item', CharField(max_length=40, default='')))
    migrator.migrate(migrator.add_column('audit_event', 'reason', TextField(default='')))
    migrator.migrate(migrator.add_index('audit_event', ('region_id', 'created_at')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('audit_event', 'audit_event_region_id_created_at'))
    migrator.migrate(migrator.drop_index('audit_event', 'audit_event_region_id'))
    migrator.migrate(migrator.drop_column('audit_event', 'reason'))
    migrator.migrate(migrator.drop_column('audit_event', 'item'))
    migrator.migrate(migrator.drop_column('audit_event', 'region_id'))
    migrator.migrate(migrator.drop_table('weekly_question'))
    migrator.migrate(migrator.drop_table('thread_term'))
    migrator.migrate(migrator.drop_table('thread_read'))
    migrator.migrate(migrator.drop_table('thread_lesson'))
    migrator.migrate(migrator.drop_table('thread_follow'))
    migrator.migrate(migrator.drop_table('space_follow'))
    migrator.migrate(migrator.drop_table('post_revision'))
    migrator.migrate(migrator.drop_table('mention'))
    migrator.migrate(migrator.drop_table('flag'))
    migrator.migrate(migrator.drop_table('post'))
    migrator.migrate(migrator.drop_table('deliberation_thread'))
    migrator.migrate(migrator.drop_table('thread'))
    migrator.migrate(migrator.drop_table('deliberation_lesson'))
    migrator.migrate(migrator.drop_table('deliberation_action'))
    migrator.migrate(migrator.drop_table('cadence'))
    migrator.migrate(migrator.drop_table('attendance'))
    migrator.migrate(migrator.drop_table('deliberation'))
