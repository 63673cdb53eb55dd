"""The knowledge base: lessons, their classification, revisions, attachments and uptake."""
from peewee import *


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class Region(Model):
        class Meta:
            database = db
            table_name = 'region'

    class Lesson(Model):
        title = CharField(max_length=200)
        summary = CharField(max_length=500)
        context_md = TextField(default='')
        context_html = TextField(default='')
        practice_md = TextField(default='')
        practice_html = TextField(default='')
        outcome_md = TextField(default='')
        outcome_html = TextField(default='')
        lesson_md = TextField(default='')
        lesson_html = TextField(default='')
        recommendation_md = TextField(default='')
        recommendation_html = TextField(default='')
        author = ForeignKeyField(Member, on_delete='RESTRICT')
        country = CharField(null=True, max_length=2)
        region = ForeignKeyField(Region, null=True, on_delete='SET NULL')
        attribution = CharField(max_length=12, default='office')
        visibility = CharField(max_length=12, default='network')
        is_published = BooleanField(default=False)
        published_at = DateTimeField(null=True)
        published_year = IntegerField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        applied_count = IntegerField(default=0)
        useful_count = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'lesson'
            indexes = ((('is_published', 'visibility', 'region', 'published_at'), False), (('author', 'updated_at'), False), (('country',), False), (('published_year',), False), (('applied_count',), False), (('useful_count',), False))
    db.create_tables([Lesson])

    class LessonApplication(Model):
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        member = ForeignKeyField(Member, on_delete='CASCADE')
        note = CharField(max_length=500, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lesson_application'
            indexes = ((('lesson', 'member'), True),)
    db.create_tables([LessonApplication])

    class LessonAttachment(Model):
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        uploaded_by = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        display_name = CharField(max_length=200)
        stored_name = CharField(unique=True, max_length=80)
        content_type = CharField(max_length=100)
        size = IntegerField()
        created_at = DateTimeField()
        removed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lesson_attachment'
    db.create_tables([LessonAttachment])

    class LessonRevision(Model):
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        number = IntegerField()
        editor = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        note = CharField(max_length=200, default='')
        snapshot = TextField()
        class Meta:
            database = db
            table_name = 'lesson_revision'
            indexes = ((('lesson', 'number'), True),)
    db.create_tables([LessonRevision])

    class LessonTerm(Model):
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        kind = CharField(max_length=12)
        key = CharField(max_length=60)
        class Meta:
            database = db
            table_name = 'lesson_term'
            indexes = ((('lesson', 'kind', 'key'), True), (('kind', 'key', 'lesson'), False))
    db.create_tables([LessonTerm])

    class LessonUseful(Model):
        lesson = ForeignKeyField(Lesson, on_delete='CASCADE')
        member = ForeignKeyField(Member, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lesson_useful'
            indexes = ((('lesson', 'member'), True),)
    db.create_tables([LessonUseful])

    migrator.migrate(migrator.add_column('member', 'feed_version', IntegerField(default=1)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('member', 'feed_version'))
    migrator.migrate(migrator.drop_table('lesson_useful'))
    migrator.migrate(migrator.drop_table('lesson_term'))
    migrator.migrate(migrator.drop_table('lesson_revision'))
    migrator.migrate(migrator.drop_table('lesson_attachment'))
    migrator.migrate(migrator.drop_table('lesson_application'))
    migrator.migrate(migrator.drop_table('lesson'))
