"""Seed the default regions (Africa, Americas, Asia-Pacific, Europe, MENA); admins edit them later."""
import json

from peewee import CharField, DateTimeField, IntegerField, Model, TextField


def up(migrator, db):
    from r2pnet.members.seed import DEFAULT_REGIONS
    import datetime as dt

    class Region(Model):
        key = CharField(unique=True, max_length=40)
        name = CharField(max_length=120)
        organizations = TextField(default="[]")
        countries = TextField(default="[]")
        created_at = DateTimeField()
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "region"

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    existing = {r.key for r in Region.select(Region.key)}
    for region in DEFAULT_REGIONS:
        if region["key"] not in existing:
            Region.create(key=region["key"], name=region["name"],
                          organizations=json.dumps(region["organizations"]),
                          countries=json.dumps(region["countries"]), created_at=now)


def down(migrator, db):
    pass
