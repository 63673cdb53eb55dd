"""Digests for N members, planned, composed, rendered and sent to a loopback SMTP server.

    .venv/bin/python -m benchmarks.digests [--members 10000] [--database sqlite|postgresql]
                                           [--smtp-in-process]

In the same run, the same number of pre-built messages goes out through plain smtplib twice:
one connection per message, and one connection per 100 messages as the digest sender's
`mail.Connection` does. The ratios say what planning, composing and rendering cost on top of
SMTP itself. The SMTP server (aiosmtpd) runs in its own process, as a mail server would;
`--smtp-in-process` runs it in a thread of this one, as before, where it competes with the
sender for the interpreter lock. Peak memory is the process's maximum resident set size after
the digest phase (members and content loaded, every digest sent), and at the end (with the
baselines' pre-built messages in memory too). Results are printed as markdown table rows.
"""
import argparse
import multiprocessing
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
from r2pnet.mail import Connection

REGIONS = ("africa", "americas", "asia_pacific", "europe", "mena")
ZONES = ("Africa/Nairobi", "America/New_York", "Asia/Jakarta", "Europe/Berlin", "Africa/Cairo")


class Counter:
    """An SMTP handler that counts messages and keeps nothing."""

    def __init__(self, count=None):
        self._count = count  # a multiprocessing.Value when the server runs in its own process
        self.local = 0

    @property
    def count(self):
        return self._count.value if self._count is not None else self.local

    async def handle_DATA(self, server, session, envelope):
        if self._count is not None:
            with self._count.get_lock():
                self._count.value += 1
        else:
            self.local += 1
        return "250 OK"


def _serve(port, count, ready, stop):
    """The SMTP server of a separate process, as a real mail server is."""
    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class SMTPServer:
    """aiosmtpd on loopback: in its own process (the default), or in a thread of this one,
    where it shares the interpreter lock with the sender it measures."""

    def __init__(self, in_process=False):
        self.port = free_port()
        if in_process:
            self.handler = Counter()
            self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self._controller.start()
            self._process = None
            return
        context = multiprocessing.get_context("fork")  # before any thread or connection
        self.handler = Counter(context.Value("q", 0))
        ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(target=_serve, daemon=True, args=(
            self.port, self.handler._count, ready, self._stop))
        self._process.start()
        if not ready.wait(30):
            raise RuntimeError("the SMTP server process did not start")

    def stop(self):
        if self._process is None:
            self._controller.stop()
        else:
            self._stop.set()
            self._process.join(10)


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


def run(members, database, smtp_in_process=False):
    folder = Path(tempfile.mkdtemp(prefix="r2pnet-bench-"))
    server = SMTPServer(smtp_in_process)
    handler, port = server.handler, server.port
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
    # connection each (as account mail goes out).
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
    # And as the digest sender does: a connection for up to REUSE_FOR messages.
    started = time.perf_counter()
    for start in range(0, len(messages), Connection.REUSE_FOR):
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for to, data in messages[start:start + Connection.REUSE_FOR]:
                smtp.sendmail("digest@r2pnet.example.org", [to], data)
    reused_seconds = time.perf_counter() - started
    received = handler.count
    server.stop()
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
            "reused_seconds": reused_seconds,
            "received": received, "peak_mb": peak_mb, "digest_peak_mb": digest_peak_mb}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--smtp-in-process", action="store_true",
                        help="run the SMTP server in a thread of this process (as before)")
    args = parser.parse_args(argv)
    result = run(args.members, args.database, args.smtp_in_process)
    sent = result["counts"].get("sent", 0)
    digest_rate = sent / result["digest_seconds"] if result["digest_seconds"] else 0
    plain_rate = sent / result["plain_seconds"] if result["plain_seconds"] else 0
    reused_rate = sent / result["reused_seconds"] if result["reused_seconds"] else 0
    print("| engine | members | planned | outcome | digests/s | plain smtplib/s (a connection "
          "each) | ratio | plain smtplib/s (a connection per 100) | ratio | peak after digests "
          "| peak at end |")
    print(f"| {result['database']} | {result['members']} | {result['planned']} | "
          f"{dict(sorted(result['counts'].items()))} | {digest_rate:.0f}/s | "
          f"{plain_rate:.0f}/s | {plain_rate / digest_rate if digest_rate else 0:.1f}x | "
          f"{reused_rate:.0f}/s | {reused_rate / digest_rate if digest_rate else 0:.1f}x | "
          f"{result['digest_peak_mb']:.0f} MB | {result['peak_mb']:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
