"""The deployment files in deploy/ and docs/deploy.md agree with the code they deploy."""
import os
import re
import shutil
import subprocess

import psycopg
import pytest

from r2pnet.config import PROJECT_ROOT, load_config
from tests.conftest import BACKEND, POSTGRES_ADMIN_URL

DEPLOY = PROJECT_ROOT / "deploy"
GUIDE = (PROJECT_ROOT / "docs" / "deploy.md").read_text()


class RecordingEnvironment(dict):
    """An environment that remembers every variable the settings loader asks for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def _example_environment():
    pairs = {}
    for line in (DEPLOY / "r2pnet.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_the_example_environment_is_accepted_as_it_stands(tmp_path):
    example = _example_environment()
    settings = load_config(RecordingEnvironment(example, INSTANCE_PATH=str(tmp_path)))

    assert settings["DATABASE"]["engine"] == "postgresql"
    assert settings["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_every_setting_the_app_reads_is_in_the_configuration_reference(tmp_path):
    environment = RecordingEnvironment(INSTANCE_PATH=str(tmp_path))
    load_config(environment)
    reference = GUIDE[GUIDE.index("## Configuration reference"):]

    missing = sorted(key for key in environment.asked if f"`{key}`" not in reference)
    example_unknown = sorted(set(_example_environment()) - environment.asked)

    assert not missing, f"settings read by load_config but not in docs/deploy.md: {missing}"
    assert not example_unknown, f"settings in the example the app never reads: {example_unknown}"


def test_the_units_run_commands_that_exist(app):
    web = (DEPLOY / "r2pnet-web.service").read_text()
    scheduler = (DEPLOY / "r2pnet-scheduler.service").read_text()
    commands = set(app.cli.list_commands(None))

    assert re.search(r"gunicorn .*\bapp:app\b", web.replace("\\\n", " "))
    assert "scheduler" in commands and "flask --app app scheduler" in scheduler
    assert "init-db" in commands and "flask --app app init-db" in GUIDE
    for unit in (web, scheduler):
        assert "EnvironmentFile=/etc/r2pnet/r2pnet.env" in unit
    assert os.access(DEPLOY / "r2pnet-backup.sh", os.X_OK)


@pytest.mark.skipif(BACKEND != "postgresql", reason="the backup script dumps PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump and pg_restore are not installed")
def test_a_nightly_backup_restores_into_an_empty_database(app, make_member, tmp_path,
                                                          database_url):
    make_member(email="kept@example.org", name="Kept Across Backups")
    instance = tmp_path / "instance"
    (instance / "attachments").mkdir(parents=True)
    (instance / "attachments" / "a1.pdf").write_bytes(b"%PDF-1.4 a file")
    backups = tmp_path / "backups"
    env = dict(os.environ, DATABASE_URL=database_url + "?max_connections=5",
               INSTANCE_PATH=str(instance), BACKUP_DIR=str(backups))

    subprocess.run([str(DEPLOY / "r2pnet-backup.sh")], env=env, check=True,
                   capture_output=True, timeout=120)
    dump = next(backups.glob("r2pnet-*.dump"))
    archive = next(backups.glob("attachments-*.tar.gz"))

    restored = f"{database_url.rsplit('/', 1)[1]}_restored"
    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{restored}"')
        target = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{restored}"
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)],
                       check=True, capture_output=True, timeout=120)
        with psycopg.connect(target) as copy:
            names = [row[0] for row in copy.execute("SELECT email FROM member")]
        listing = subprocess.run(["tar", "-tzf", str(archive)], check=True,
                                 capture_output=True, text=True).stdout
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()

    assert "kept@example.org" in names
    assert "attachments/a1.pdf" in listing.split()
