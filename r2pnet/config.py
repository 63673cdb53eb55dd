"""Settings from the environment, validated at start-up with one clear message per bad value."""
import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from email.headerregistry import Address
from email.errors import HeaderParseError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """Raised with every problem found in the environment, one per line."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("Bad configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def load_config(environ=None, instance_path=None):
    """Read, check and return the settings as a dict for `app.config`."""
    env = os.environ if environ is None else environ
    instance = Path(env.get("INSTANCE_PATH") or instance_path or PROJECT_ROOT / "instance")
    problems = []
    config = {"INSTANCE_PATH": str(instance)}

    config["DATABASE_URL"] = env.get("DATABASE_URL") or f"sqlite:///{instance / 'r2pnet.db'}"
    config["DATABASE"] = _check(problems, parse_database_url, config["DATABASE_URL"])

    config["SMTP_URL"] = env.get("SMTP_URL") or f"file://{instance / 'outbox'}"
    config["SMTP"] = _check(problems, parse_smtp_url, config["SMTP_URL"])

    config["BASE_URL"] = _check(problems, parse_base_url, env.get("BASE_URL") or
                                f"http://{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '5000')}")
    config["MAIL_FROM"] = _check(problems, parse_address, "MAIL_FROM",
                                 env.get("MAIL_FROM") or "r2pnet <no-reply@r2pnet.localhost>")
    # Digests come from their own address, so replies and filters tell them from account mail.
    config["DIGEST_FROM"] = _check(problems, parse_address, "DIGEST_FROM",
                                   env.get("DIGEST_FROM") or
                                   "r2pnet digest <digest@r2pnet.localhost>")
    config["HOST"] = env.get("HOST", "127.0.0.1")
    config["PORT"] = _check(problems, parse_port, env.get("PORT", "5000"))
    config["PROXY_COUNT"] = _check(problems, parse_proxy_count, env.get("PROXY_COUNT", "0"))
    config["SECRET_KEY"] = env.get("SECRET_KEY") or None
    # Open flags that hide a thread or post pending review; days after which a thread
    # with no reply counts as unanswered on the region dashboard.
    config["FLAG_THRESHOLD"] = _check(problems, parse_count, "FLAG_THRESHOLD",
                                      env.get("FLAG_THRESHOLD", "3"), 1, 100)
    config["UNANSWERED_AFTER_DAYS"] = _check(problems, parse_count, "UNANSWERED_AFTER_DAYS",
                                             env.get("UNANSWERED_AFTER_DAYS", "7"), 1, 365)
    # API rate limits (per token, and per address) and where their counters live: memory://
    # for one process; redis://host:6379 so several workers and hosts share one budget.
    config["API_RATE_LIMIT"] = _check(problems, parse_rate_limit, "API_RATE_LIMIT",
                                      env.get("API_RATE_LIMIT", "300 per minute"))
    config["API_ADDRESS_RATE_LIMIT"] = _check(problems, parse_rate_limit,
                                              "API_ADDRESS_RATE_LIMIT",
                                              env.get("API_ADDRESS_RATE_LIMIT",
                                                      "600 per minute"))
    # How many of the newest matches a search ranks and counts (r2pnet.search.SEARCH_CANDIDATES).
    config["SEARCH_CANDIDATES"] = _check(problems, parse_count, "SEARCH_CANDIDATES",
                                         env.get("SEARCH_CANDIDATES", "1000"), 1, 100_000)
    # Megabytes of whole pages each worker keeps for their sessions (r2pnet/pages.py); 0: none.
    config["KEPT_PAGES_MB"] = _check(problems, parse_count, "KEPT_PAGES_MB",
                                     env.get("KEPT_PAGES_MB", "32"), 0, 4096)
    config["RATELIMIT_STORAGE_URI"] = _check(problems, parse_limit_storage,
                                             env.get("RATELIMIT_STORAGE_URI", "memory://"))
    if config["SECRET_KEY"] is not None and len(config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY must be at least 32 characters long "
                        "(or unset, to have one generated in the instance folder).")
    if problems:
        raise ConfigError(problems)

    base = config["BASE_URL"]
    https = base.startswith("https://")
    config.update(
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        PREFERRED_URL_SCHEME="https" if https else "http",
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        # A session idle for 12 hours ends (the signed cookie carries its age);
        # "remember me" keeps a member signed in on their own device for 30 days.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=30),
        BOOTSTRAP_SERVE_LOCAL=True,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
    )
    return config


def ensure_secret_key(config):
    """Keep a generated SECRET_KEY in the instance folder when none is configured."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    path = Path(config["INSTANCE_PATH"]) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside, then linked into place: several workers starting at once agree on one.
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    config["SECRET_KEY"] = path.read_text().strip()
    return config["SECRET_KEY"]


def _check(problems, parser, *args):
    try:
        return parser(*args)
    except ValueError as exc:
        problems.append(str(exc))
        return None


def parse_rate_limit(name, value):
    """A limit such as "300 per minute" or "10/second; 1000/day"."""
    from limits import parse_many
    try:
        if parse_many(value):
            return value
    except ValueError:
        pass
    raise ValueError(f'{name} must be a rate limit such as "300 per minute", got {value!r}.')


def parse_limit_storage(url):
    """memory:// or redis://host:port[/db] for the API rate-limit counters."""
    if url == "memory://" or url.startswith(("redis://", "rediss://")):
        return url
    raise ValueError("RATELIMIT_STORAGE_URI must be memory:// or redis://host:port, "
                     f"got {url!r}.")


def parse_database_url(url):
    """Turn DATABASE_URL into connection settings for SQLite or PostgreSQL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ValueError("DATABASE_URL: use sqlite:///relative/path or "
                             f"sqlite:////absolute/path (three or four slashes), not {url!r}.")
        path = unquote(url[len("sqlite:///"):])
        if not path or path == ":memory:":
            raise ValueError("DATABASE_URL: an SQLite database needs a file path; "
                             "in-memory databases vanish between requests.")
        return {"engine": "sqlite", "path": path}
    if parts.scheme in ("postgresql", "postgres"):
        name = parts.path.lstrip("/")
        if not name:
            raise ValueError("DATABASE_URL: name the PostgreSQL database, as in "
                             "postgresql://user@host:5432/r2pnet.")
        query = parse_qs(parts.query)
        try:
            port = parts.port or 5432
            max_connections = int(query.get("max_connections", ["20"])[0])
            pool_timeout = float(query.get("pool_timeout", ["10"])[0])
        except ValueError:
            raise ValueError("DATABASE_URL: port, max_connections and pool_timeout "
                             "must be numbers.") from None
        return {"engine": "postgresql", "database": unquote(name),
                "host": parts.hostname or "127.0.0.1", "port": port,
                "user": unquote(parts.username or "") or None,
                "password": unquote(parts.password or "") or None,
                "max_connections": max_connections, "pool_timeout": pool_timeout}
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}; "
                     "use sqlite:///path or postgresql://user@host/dbname.")


def parse_smtp_url(url):
    """Turn SMTP_URL into a mail transport: file outbox, smtp, smtp+starttls or smtps."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path:
            raise ValueError("SMTP_URL: a file outbox needs a folder, as in file:///var/r2pnet/outbox.")
        return {"transport": "file", "path": unquote(parts.path)}
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError(f"SMTP_URL: unsupported scheme {parts.scheme!r}; use smtp://, "
                         "smtp+starttls://, smtps:// or file://.")
    if not parts.hostname:
        raise ValueError("SMTP_URL: name the mail server, as in smtp://mail.example.org:25.")
    query = parse_qs(parts.query)
    starttls = parts.scheme == "smtp+starttls" or query.get("starttls", ["0"])[0] in ("1", "true")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if starttls else 25)
    except ValueError:
        raise ValueError("SMTP_URL: the port must be a number.") from None
    return {"transport": "smtp", "host": parts.hostname, "port": port,
            "ssl": parts.scheme == "smtps", "starttls": starttls,
            "username": unquote(parts.username or "") or None,
            "password": unquote(parts.password or "") or None, "timeout": 20}


def parse_base_url(url):
    """Check BASE_URL: the absolute address that links in email point to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"BASE_URL: expected an absolute http(s) address such as "
                         f"https://r2pnet.example.org, not {url!r}.")
    if parts.query or parts.fragment:
        raise ValueError("BASE_URL: must not carry a query string or fragment.")
    return url.rstrip("/")


def parse_address(name, value):
    """Check an email From value such as 'r2pnet <no-reply@example.org>'."""
    from email.utils import parseaddr
    display, addr = parseaddr(value)
    if "\n" in value or "\r" in value or "@" not in addr:
        raise ValueError(f"{name}: expected an address such as 'r2pnet <no-reply@example.org>', "
                         f"not {value!r}.")
    try:
        user, domain = addr.rsplit("@", 1)
        Address(display_name=display, username=user, domain=domain)
    except (HeaderParseError, ValueError, IndexError):
        raise ValueError(f"{name}: {value!r} is not a valid email address.") from None
    return value


def parse_port(value):
    """Check PORT: a TCP port number."""
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"PORT: expected a number between 1 and 65535, not {value!r}.") from None
    if not 0 < port < 65536:
        raise ValueError(f"PORT: expected a number between 1 and 65535, not {value!r}.")
    return port


def parse_count(name, value, low, high):
    """A whole number from `low` to `high` (a setting's name given for the message)."""
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name}: expected a whole number from {low} to {high}, not {value!r}.")
    return int(value)


def parse_proxy_count(value):
    """Check PROXY_COUNT: how many reverse proxies stand in front of the app."""
    if not value.isdigit() or int(value) > 5:
        raise ValueError(f"PROXY_COUNT: expected a number from 0 to 5, not {value!r}.")
    return int(value)
