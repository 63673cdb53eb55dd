"""Lesson search at 100,000 lessons: p50 and p95 of the time one search takes.

    .venv/bin/python -m benchmarks.search --database sqlite|postgresql [--lessons 100000]
        [--keep] [--reuse DATABASE_URL]

--keep leaves the generated database in place and prints its URL; --reuse DATABASE_URL runs the
searches on such a database again without generating it (quick iterations on the same data).

Generates the network with that many lessons (text drawn with the field's word frequencies,
benchmarks/dataset.py), then runs a fixed mix of searches as a signed-in member: common words
found in most lessons, domain terms, rare names, phrases and exclusions. Each search is what
the lessons page and the search page run for it (`knowledge.browse.results`: visibility,
ranking, the total, the first page and its snippets), timed from the call to the rendered-ready
list. Prints p50/p95 per kind of query and over all, as a markdown table.
"""
import argparse
import statistics
import sys
import time

from benchmarks.dataset import Network, generate
from benchmarks.server import fresh_database, migrated_app

QUERIES = {
    "common words (in ~70% of lessons)": ["early warning", "prevention", "national mechanism",
                                           "community dialogue"],
    "domain terms (in 15-60%)": ["genocide", "hate speech", "hotline", "truth commission",
                                 "radio hate speech", "survivors reparations"],
    "rare names (in 1-6%)": ["kalara", "quenyth", "morino", "belosk"],
    "phrases and exclusions": ['"early warning"', "genocide -militia", '"hate speech" radio',
                               "women OR youth"],
}
ROUNDS = 5


def percentile(values, share):
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(database, lessons, members, keep=False, reuse=None):
    url, drop = (reuse, lambda: None) if reuse else fresh_database(database, keep=keep)
    if keep and not reuse:
        print(f"database kept: {url}", file=sys.stderr)
    app = migrated_app(url)
    from r2pnet.extensions import db
    from r2pnet.knowledge import browse
    from r2pnet.knowledge.schemas import BrowseSchema
    from r2pnet.members.models import Member
    timings, totals, each = {}, {}, {}
    try:
        with app.app_context(), db.connection_context():
            if not reuse:
                generate(members=members, lessons=lessons, threads=100, posts_per_thread=5,
                         log=lambda line: print(f"  generated {line}", file=sys.stderr))
                if database == "sqlite":
                    db.execute_sql("ANALYZE")
                else:
                    db.execute_sql("VACUUM ANALYZE")
            viewer = Member.get(Member.email == Network.bench_email)
            for kind, queries in QUERIES.items():
                for text in queries:
                    filters = BrowseSchema().load({"q": text})
                    browse.results(viewer, filters)  # warm the caches, as a live server has
                    for _ in range(ROUNDS):
                        started = time.perf_counter()
                        found, total = browse.results(viewer, filters)
                        elapsed = time.perf_counter() - started
                        timings.setdefault(kind, []).append(elapsed)
                        each.setdefault(text, []).append(elapsed)
                    totals[text] = total
    finally:
        drop()
    return timings, totals, each


def report(database, lessons, timings, totals, each):
    print(f"\n{database}, {lessons:,} lessons, {ROUNDS} rounds of each search\n")
    print("| searches | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|")
    everything = []
    for kind, values in timings.items():
        everything += values
        print(f"| {kind} | {statistics.median(values) * 1000:.1f} | "
              f"{percentile(values, 0.95) * 1000:.1f} | {max(values) * 1000:.1f} |")
    print(f"| **all** | {statistics.median(everything) * 1000:.1f} | "
          f"{percentile(everything, 0.95) * 1000:.1f} | {max(everything) * 1000:.1f} |")
    print("\nmatches per search: " + ", ".join(f"{q}: {n:,}" for q, n in totals.items()))
    # Each search's median: on a noisy machine, compare these between runs made together.
    print("median ms per search: " + ", ".join(
        f"{q}: {statistics.median(values) * 1000:.1f}" for q, values in each.items()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--lessons", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--keep", action="store_true",
                        help="leave the generated database in place and print its URL")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="search a database kept by an earlier run instead of generating one")
    args = parser.parse_args(argv)
    report(args.database, args.lessons,
           *run(args.database, args.lessons, args.members, args.keep, args.reuse))
    return 0


if __name__ == "__main__":
    sys.exit(main())
