"""Digests for N members, planned, composed, rendered and sent to a loopback SMTP server.

    .venv/bin/python -m benchmarks.digests [--members 10000] [--database sqlite|postgresql]

In the same run, the same number of pre-built messages goes out through plain smtplib (one
connection per message, as the app's transport does), so the ratio says what planning,
composing and rendering cost on top of SMTP itself. Peak memory is the process's maximum
resident set size after the digest phase (members and content loaded, every digest sent), and
at the end (with the baseline's pre-built messages in memory too). Results are printed as a
markdown table row for docs/performance.md.
"""
import argparse
import datetime as dt
import random
import resource
import smtplib
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from benchmarks.server import free_port

REGIONS = ("africa", "americas", "asia_pacific", "europe", "mena")
ZONES = ("Africa/Nairobi", "America/New_York", "Asia/Jakarta", "Europe/Berlin", "Africa/Cairo")


class Counter:
    """An SMTP handler that counts messages and keeps nothing."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _database_url(kind, folder):
    if kind == "postgresql":
        import psycopg
        name = f"r2pnet_bench_{int(time.time())}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:5432/{name}"
    return f"sqlite:///{folder}/bench.db"


def populate(members, rng, now):
    """Members in five regions and a realistic week of threads, replies and lessons."""
    from r2pnet.discussions.models import Post, Thread
    from r2pnet.extensions import db
    from r2pnet.knowledge.models import Lesson, LessonTerm
    from r2pnet.members.models import Member, MemberExpertise, Region

    regions = {r.key: r.id for r in Region.select()}
    rows = [{"email": f"m{n}@bench.example", "name": f"Member {n}", "role": "member",
             "region": regions[REGIONS[n % 5]], "timezone": ZONES[n % 5], "country": "GH",
             "session_version": "x", "created_at": now - dt.timedelta(days=60)}
            for n in range(members)]
    with db.atomic():
        for start in range(0, len(rows), 500):
            Member.insert_many(rows[start:start + 500]).execute()
    ids = [m.id for m in Member.select(Member.id).order_by(Member.id)]
    expertise = [{"member": i, "key": key} for i in ids for key in
                 rng.sample(["pillar_1", "pillar_2", "prevention_investment", "1", "8"], 2)]
    with db.atomic():
        for start in range(0, len(expertise), 500):
            MemberExpertise.insert_many(expertise[start:start + 500]).execute()
    week = now - dt.timedelta(days=3)
    threads = [{"region": regions[REGIONS[n % 5]] if n % 6 else None,
                "author": rng.choice(ids), "title": f"How do you handle early warning {n}?",
                "created_at": week, "last_activity_at": week + dt.timedelta(hours=n % 48),
                "reply_count": n % 5, "last_number": n % 5 + 1} for n in range(600)]
    with db.atomic():
        Thread.insert_many(threads).execute()
    thread_rows = list(Thread.select(Thread.id, Thread.last_number, Thread.author))
    posts = [{"thread": t.id, "author": t.author_id, "number": k + 1,
              "body_md": "A frank account of what worked, what did not, and why. " * 4,
              "body_html": "<p>" + "A frank account of what worked. " * 4 + "</p>",
              "created_at": week + dt.timedelta(hours=k)}
             for t in thread_rows for k in range(t.last_number)]
    with db.atomic():
        for start in range(0, len(posts), 500):
            Post.insert_many(posts[start:start + 500]).execute()
    lessons = [{"title": f"Lesson learned {n}: national early-warning desk",
                "summary": "Two analysts read the Framework of Analysis every month.",
                "author": rng.choice(ids), "region": regions[REGIONS[n % 5]],
                "visibility": ("network", "region", "public")[n % 3], "is_published": True,
                "published_at": week, "published_year": week.year, "created_at": week,
                "updated_at": week} for n in range(300)]
    with db.atomic():
        Lesson.insert_many(lessons).execute()
    terms = [{"lesson": lesson.id, "kind": "pillar", "key": "pillar_1"}
             for lesson in Lesson.select(Lesson.id)]
    with db.atomic():
        LessonTerm.insert_many(terms).execute()


def run(members, database):
    folder = Path(tempfile.mkdtemp(prefix="r2pnet-bench-"))
    handler = Counter()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    import os
    os.environ.update(DATABASE_URL=_database_url(database, folder),
                      SMTP_URL=f"smtp://127.0.0.1:{port}", INSTANCE_PATH=str(folder),
                      BASE_URL="https://r2pnet.example.org")
    from r2pnet import create_app
    from r2pnet.database import apply_migrations
    from r2pnet.digests import planner, sender
    from r2pnet.extensions import db
    from r2pnet.members.models import utcnow

    app = create_app()
    with app.app_context():
        apply_migrations()
        with db.connection_context():
            now = utcnow()
            populate(members, random.Random(7), now)
            started = time.perf_counter()
            planned = planner.plan_now(now=now)
            counts = sender.send_due(now=now)
            digest_seconds = time.perf_counter() - started
    digest_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sent = counts.get("sent", 0)

    # The same number of pre-built messages (kept as bytes) through plain smtplib, one
    # connection each, as the app's transport does.
    messages = []
    for n in range(sent):
        msg = EmailMessage()
        msg["From"], msg["To"] = "digest@r2pnet.example.org", f"m{n}@bench.example"
        msg["Subject"] = "Your r2pnet digest"
        msg.set_content("A week of regional activity. " * 60)
        msg.add_alternative("<p>" + "A week of regional activity. " * 60 + "</p>",
                            subtype="html")
        messages.append((msg["To"], msg.as_bytes(policy=policy.SMTP)))
    started = time.perf_counter()
    for to, data in messages:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("digest@r2pnet.example.org", [to], data)
    plain_seconds = time.perf_counter() - started
    controller.stop()
    if database == "postgresql":
        db.close_all()  # the pool's connections, so the database can be dropped
        import psycopg
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"members": members, "database": database, "planned": planned, "counts": counts,
            "digest_seconds": digest_seconds, "plain_seconds": plain_seconds,
            "received": handler.count, "peak_mb": peak_mb, "digest_peak_mb": digest_peak_mb}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    result = run(args.members, args.database)
    sent = result["counts"].get("sent", 0)
    digest_rate = sent / result["digest_seconds"] if result["digest_seconds"] else 0
    plain_rate = sent / result["plain_seconds"] if result["plain_seconds"] else 0
    print(f"| {result['database']} | {result['members']} | {result['planned']} | "
          f"{dict(sorted(result['counts'].items()))} | {digest_rate:.0f}/s | "
          f"{plain_rate:.0f}/s | {plain_rate / digest_rate if digest_rate else 0:.1f}x | "
          f"{result['digest_peak_mb']:.0f} MB | {result['peak_mb']:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
