"""Applying every migration yields exactly the schema the models declare."""
from playhouse.schema_diff import diff_models

from r2pnet.database import pending_migrations, runner
from r2pnet.extensions import db
from r2pnet.members.models import Region
from r2pnet.models import MODELS


def test_migrations_yield_the_schema_the_models_declare(app):
    diff = diff_models(db.obj, MODELS)
    assert not diff, f"schema drift between migrations and models:\n{diff}"


def test_no_migration_is_pending_after_init(app):
    assert pending_migrations() == []
    assert [m.name for m in runner().status()][:2] == ["0001_initial", "0002_seed_regions"]


def test_default_regions_are_seeded_with_organizations_and_countries(app):
    regions = {r.key: r for r in Region.select()}
    assert set(regions) == {"africa", "americas", "asia_pacific", "europe", "mena"}
    assert "African Union" in regions["africa"].organizations
    assert {"EU", "OSCE"} <= {"EU" if o == "European Union" else o
                               for o in regions["europe"].organizations}
    assert "Council of Europe" in regions["europe"].organizations
    assert "League of Arab States" in regions["mena"].organizations
    assert "SN" in regions["africa"].countries and "EG" in regions["mena"].countries
    assert "BR" in regions["americas"].countries and "VN" in regions["asia_pacific"].countries
