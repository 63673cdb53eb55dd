"""Applying the migrations in migrations/ with peewee's own runner."""
from playhouse.migrations import Runner

from r2pnet.config import PROJECT_ROOT
from r2pnet.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"


def runner():
    """A migration runner on the process's database."""
    return Runner(db.obj, directory=str(MIGRATIONS))


def apply_migrations():
    """Apply every pending migration; returns their names."""
    with db.connection_context():
        return runner().up()


def pending_migrations():
    """Names of migrations not yet applied."""
    with db.connection_context():
        return [m.name for m in runner().status() if not m.applied]
