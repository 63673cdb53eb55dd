"""Pages under load: gunicorn (2 workers) on a full-size network, against a bare Flask route.

    .venv/bin/python -m benchmarks.load --database sqlite|postgresql [--seconds 10]

Generates the network (benchmarks/dataset.py: 5,000 members, 20,000 lessons, 2,000 threads of
50 posts), starts the app under gunicorn with the deployment's settings, signs a member in,
and drives each page with wrk from a separate process on loopback (32 connections). In the
same run, a bare Flask route that returns a short string is served by gunicorn with the same
settings and driven the same way. Prints a markdown table: requests per second, p50/p95/p99
latency, errors, and throughput as a share of the bare route's; then each worker's peak memory.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks.dataset import generate
from benchmarks.server import (USER_AGENT, Gunicorn, bench_environment, fresh_database,
                               migrated_app)

LUA = Path(__file__).with_name("wrk_report.lua")


def pages(network):
    """(name, path, needs) for every page measured: needs is "session" or "token"."""
    return [
        ("home", "/", "session"),
        ("directory, region and language", f"/members?region={network.region_key}&language=fr",
         "session"),
        ("lessons, two facets", "/lessons?pillar=pillar_1&crime=genocide", "session"),
        ("a lesson", f"/lessons/{network.lesson_id}", "session"),
        ("a thread page of 50 posts", f"/threads/{network.thread_id}", "session"),
        ("search", "/search?q=early+warning", "session"),
        ("API: lessons", "/api/v1/lessons?pillar=pillar_1", "token"),
        ("API: members", f"/api/v1/members?region={network.region_key}", "token"),
    ]


def drive(url, seconds, connections, headers=()):
    """wrk's JSON report for one URL."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(LUA)]
    for header in (f"User-Agent: {USER_AGENT}", *headers):
        command += ["-H", header]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def settle(server):
    """Wait until requests left queued by the last run are served (slow pages leave many)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.perf_counter()
        requests.get(server.base + "/healthz", timeout=120)
        if time.perf_counter() - started < 0.05:
            return


def measure(server, path, headers, seconds, connections):
    """Warm up, then one measured run, each starting with no request queued."""
    settle(server)
    drive(server.base + path, 2, connections, headers)
    settle(server)
    return drive(server.base + path, seconds, connections, headers)


def run(database, seconds, connections, members, lessons, threads):
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    instance = Path(tempfile.mkdtemp(prefix="r2pnet-load-"))
    url, drop = fresh_database(database, instance)
    app = migrated_app(url, instance)
    from r2pnet.api.tokens import create_token
    from r2pnet.database import refresh_statistics
    from r2pnet.extensions import db
    from r2pnet.members.models import Member
    with app.app_context(), db.connection_context():
        network = generate(members=members, lessons=lessons, threads=threads,
                           log=lambda line: print(f"  generated {line}", file=sys.stderr))
        _, token = create_token(Member.get_by_id(network.member_id), "load", "read", 7)
        refresh_statistics()  # as the daily job has done on a network of this size
        if database == "postgresql":
            # A network of this size was vacuumed long ago; a just-loaded one is vacuumed by
            # autovacuum during the first pages' runs, which then measure the vacuum.
            db.execute_sql("VACUUM (ANALYZE)")
    env = bench_environment(url, instance)
    rows = []
    bare = Gunicorn("benchmarks.bare:app", env)
    try:
        baseline = measure(bare, "/", (), seconds, connections)
    finally:
        bare.stop()
    rows.append(("bare Flask route", baseline))
    server = Gunicorn("app:app", env)
    try:
        cookie = server.sign_in(network.bench_email, network.password)
        for name, path, needs in pages(network):
            header = (f"Cookie: {cookie}" if needs == "session"
                      else f"Authorization: Bearer {token}")
            rows.append((name, measure(server, path, (header,), seconds, connections)))
        memory = server.peak_memory_mb()
    finally:
        server.stop()
        drop()
    return network, rows, memory


def report(database, network, rows, memory, connections):
    bare_rate = rows[0][1]["requests"] / rows[0][1]["seconds"]
    print(f"\n{database}, {connections} connections, gunicorn 2 workers; network "
          f"{network.counts}\n")
    print("| page | req/s | p50 ms | p95 ms | p99 ms | errors (non-2xx, timeouts) "
          "| share of bare |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        rate = r["requests"] / r["seconds"]
        print(f"| {name} | {rate:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
              f"{r['errors']} ({r['status_errors']}, {r['timeouts']}) | {rate / bare_rate:.0%} |")
    print("\npeak memory per worker (VmHWM): " + ", ".join(f"{mb:.0f} MB" for mb in memory))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--lessons", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=2000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    network, rows, memory = run(args.database, args.seconds, args.connections, args.members,
                                args.lessons, args.threads)
    report(args.database, network, rows, memory, args.connections)
    print(f"\n(run took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
