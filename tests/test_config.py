"""Configuration from the environment, validated at start-up with a clear message per bad value."""
import os
import stat
import subprocess
import sys

import pytest

from r2pnet.config import PROJECT_ROOT, ConfigError, ensure_secret_key, load_config


def test_defaults_need_nothing_installed(tmp_path):
    config = load_config({}, instance_path=tmp_path)
    assert config["DATABASE"] == {"engine": "sqlite", "path": str(tmp_path / "r2pnet.db")}
    assert config["SMTP"] == {"transport": "file", "path": str(tmp_path / "outbox")}
    assert config["BASE_URL"] == "http://127.0.0.1:5000"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_postgresql_smtp_and_https_settings_are_read(tmp_path):
    config = load_config({
        "DATABASE_URL": "postgresql://app:s%40cret@db.internal:5433/r2pnet?max_connections=8",
        "SMTP_URL": "smtp+starttls://mailer:pw@relay.internal",
        "BASE_URL": "https://r2pnet.example.org/",
        "MAIL_FROM": "r2pnet <no-reply@r2pnet.example.org>",
    }, instance_path=tmp_path)
    assert config["DATABASE"]["password"] == "s@cret"
    assert config["DATABASE"]["port"] == 5433 and config["DATABASE"]["max_connections"] == 8
    assert config["SMTP"]["starttls"] is True and config["SMTP"]["port"] == 587
    assert config["BASE_URL"] == "https://r2pnet.example.org"
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("name, value, words", [
    ("DATABASE_URL", "mysql://localhost/r2pnet", "unsupported scheme"),
    ("DATABASE_URL", "sqlite://app.db", "three or four slashes"),
    ("DATABASE_URL", "sqlite:///:memory:", "vanish"),
    ("DATABASE_URL", "postgresql://localhost", "name the PostgreSQL database"),
    ("DATABASE_URL", "postgresql://localhost:notaport/db", "must be numbers"),
    ("SMTP_URL", "http://mail", "unsupported scheme"),
    ("SMTP_URL", "smtp://", "name the mail server"),
    ("BASE_URL", "r2pnet.example.org", "absolute http(s) address"),
    ("BASE_URL", "https://x.org/?a=1", "query string"),
    ("MAIL_FROM", "not an address", "MAIL_FROM"),
    ("MAIL_FROM", "a@b.org\r\nBcc: x@y.org", "MAIL_FROM"),
    ("PORT", "http", "between 1 and 65535"),
    ("PORT", "70000", "between 1 and 65535"),
    ("SECRET_KEY", "short", "at least 32 characters"),
])
def test_each_bad_value_is_named_with_a_clear_message(tmp_path, name, value, words):
    with pytest.raises(ConfigError) as caught:
        load_config({name: value}, instance_path=tmp_path)
    assert any(name in p and words in p for p in caught.value.problems), caught.value.problems


def test_every_bad_value_is_reported_at_once(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config({"DATABASE_URL": "mysql://x/y", "PORT": "x", "BASE_URL": "nope"},
                    instance_path=tmp_path)
    assert len(caught.value.problems) == 3


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_config({}, instance_path=tmp_path)
    key = ensure_secret_key(first)
    assert len(key) >= 48
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    assert ensure_secret_key(load_config({}, instance_path=tmp_path)) == key


def test_the_command_line_refuses_to_start_with_a_clear_message(tmp_path):
    env = dict(os.environ, DATABASE_URL="mysql://localhost/r2pnet", INSTANCE_PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "DATABASE_URL: unsupported scheme 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr
