"""Each page's own cost, in process: CPU milliseconds per request, first visit to kept.

    .venv/bin/python -m benchmarks.pages --database sqlite|postgresql [--requests 50]

Generates the network (benchmarks/dataset.py), signs a member in through the login form with
Flask's test client, and requests each page of the load run (benchmarks/load.py) many times,
measuring the process's CPU time per request three times: with nothing kept between requests
(`catalogue.forget()`, `fragments.forget()` and `pages.forget()` before each, as on the first
visit after a change), with the page written anew but the catalogue's data and the fragments
kept (as for another reader), and as the load run sees them (the session's page kept). No HTTP
server, no wrk: this isolates what a page costs the worker from what the server, the network
and the database server cost.
"""
import argparse
import re
import sys
import time

from benchmarks.dataset import generate
from benchmarks.load import pages
from benchmarks.server import fresh_database, migrated_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cpu_ms(call, requests):
    """CPU milliseconds per call, after three calls of warm-up."""
    for _ in range(3):
        call()
    started = time.process_time()
    for _ in range(requests):
        call()
    return (time.process_time() - started) / requests * 1000


def signed_in(app, network):
    """(a test client signed in through the login form as the network's member, another for
    the API, a read token for it)."""
    from r2pnet.api.tokens import create_token
    from r2pnet.extensions import db
    from r2pnet.members.models import Member
    with app.app_context(), db.connection_context():
        _, token = create_token(Member.get_by_id(network.member_id), "pages", "read", 7)
    browser, api = app.test_client(), app.test_client()
    answer = browser.post("/login", data={
        "email": network.bench_email, "password": network.password,
        "csrf_token": CSRF.search(browser.get("/login").get_data(as_text=True)).group(1)})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return browser, api, token


def run(database, requests):
    url, drop = fresh_database(database)
    app = migrated_app(url)
    from r2pnet import catalogue, fragments
    from r2pnet import pages as kept_pages
    from r2pnet.database import refresh_statistics
    from r2pnet.extensions import db
    try:
        with app.app_context(), db.connection_context():
            network = generate(log=lambda line: print(f"  generated {line}", file=sys.stderr))
            refresh_statistics()
        browser, api, token = signed_in(app, network)
        health = cpu_ms(lambda: browser.get("/healthz"), requests)
        rows = [("signed-in health check", health, None, None)]
        for name, path, needs in pages(network):
            client, headers = ((browser, {}) if needs == "session"
                               else (api, {"Authorization": f"Bearer {token}"}))

            def visit(client=client, path=path, headers=headers):
                answer = client.get(path, headers=headers)
                assert answer.status_code == 200, (path, answer.status_code)

            def first_visit(visit=visit):
                catalogue.forget()
                fragments.forget()
                kept_pages.forget()
                visit()

            def written(visit=visit):
                kept_pages.forget()
                visit()

            rows.append((name, cpu_ms(first_visit, requests), cpu_ms(written, requests),
                         cpu_ms(visit, requests)))
        return rows
    finally:
        drop()


def report(database, rows):
    print(f"\n{database}: CPU ms per request in process\n")
    print("| page | first visit | page written (data kept) | page kept |")
    print("|---|---|---|---|")
    for name, *costs in rows:
        print(f"| {name} | " + " | ".join("" if cost is None else f"{cost:.2f}" for cost in costs)
              + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    report(args.database, run(args.database, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
