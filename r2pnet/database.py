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


def refresh_statistics():
    """ANALYZE: the planner's row counts per index, so a filter starts from its narrowest index.

    SQLite keeps none unless asked (PostgreSQL's autovacuum also does this). Empty tables get
    no statistics, so a new network plans as if there were none.
    """
    db.execute_sql("ANALYZE")


def pending_migrations():
    """Names of migrations not yet applied."""
    with db.connection_context():
        return [m.name for m in runner().status() if not m.applied]
