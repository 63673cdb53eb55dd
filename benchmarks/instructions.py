"""Each page's cost in process counted in CPU instructions, the same from run to run.

    .venv/bin/python -m benchmarks.instructions --database sqlite|postgresql [--requests 20]

On this machine timings in process moved by 20-50% between runs of the same code; the number
of instructions a request executes does not (within about 1%). This generates the network,
then runs benchmarks.pages' requests under valgrind's callgrind, counting only the requests
themselves (`callgrind_control` turns counting on for each page's measured requests, after
warm-up, and dumps the count), and reports millions of instructions per request, as the load
run sees a page: written anew (with what the catalogue and fragments keep), and kept whole
for its session (r2pnet/pages.py). On PostgreSQL the database server's own instructions are
not counted. Needs valgrind (`apt-get install valgrind`).
"""
import argparse
import glob
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile

from benchmarks.dataset import generate
from benchmarks.load import pages
from benchmarks.pages import signed_in
from benchmarks.server import fresh_database, migrated_app

# Each page is counted twice: written anew with what the catalogue and fragments keep (as for
# another reader, or after a write), and answered from the page kept for its session.
WRITTEN, KEPT = "+written", "+kept"

def run(database, requests):
    """{page: millions of instructions per request}."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    url, drop = fresh_database(database)
    folder = tempfile.mkdtemp(prefix="r2pnet-instructions-")
    try:
        app = migrated_app(url)
        from r2pnet.database import refresh_statistics
        from r2pnet.extensions import db
        with app.app_context(), db.connection_context():
            network = generate(log=lambda line: print(f"  generated {line}", file=sys.stderr))
            refresh_statistics()
        with open(f"{folder}/network.pickle", "wb") as out:
            pickle.dump(network, out)
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={folder}/count.%p", sys.executable, "-m",
                        "benchmarks.instructions", "--count", url, f"{folder}/network.pickle",
                        "--requests", str(requests)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return _counts(folder, requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        drop()


def _counts(folder, requests):
    counts = {}
    for path in sorted(glob.glob(f"{folder}/count.*.*"), key=lambda p: int(p.rsplit(".", 1)[1])):
        with open(path) as dump:
            text = dump.read()
        name = re.search(r"^desc: Trigger: .*?dump (.*)$", text, re.M).group(1)
        total = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
        counts[name.replace("_", " ")] = total / requests / 1e6
    return counts


def count(url, network_file, requests):
    """Under callgrind: each page's requests, counted and dumped one page at a time."""
    with open(network_file, "rb") as source:
        network = pickle.load(source)
    browser, api, token = signed_in(migrated_app(url), network)
    me = str(os.getpid())
    for name, path, needs in [("signed-in health check", "/healthz", "session"),
                              *pages(network)]:
        client, headers = ((browser, {}) if needs == "session"
                           else (api, {"Authorization": f"Bearer {token}"}))
        for _ in range(5):
            assert client.get(path, headers=headers).status_code == 200, path
        for kind, before in ((WRITTEN, forget_pages), (KEPT, lambda: None)):
            _control("-z", me)
            _control("-i", "on", me)
            for _ in range(requests):
                before()
                client.get(path, headers=headers)
            _control("-i", "off", me)
            _control("-d", f"{name}{kind}".replace(" ", "_"), me)


def forget_pages():
    from r2pnet import pages as kept_pages
    kept_pages.forget()


def _control(*arguments):
    subprocess.run(["callgrind_control", *arguments], check=True, capture_output=True)


def report(database, counts):
    print(f"\n{database}: millions of instructions per request in process\n")
    print("| page | page written (data kept) | page kept |")
    print("|---|---|---|")
    for name in dict.fromkeys(key.rsplit("+", 1)[0] for key in counts):
        written, kept = (counts.get(f"{name}{kind}".replace("_", " ")) for kind in (WRITTEN, KEPT))
        print(f"| {name} | {written:.2f} | {kept:.2f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--count", nargs=2, metavar=("DATABASE_URL", "NETWORK"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count:
        count(*args.count, args.requests)
        return 0
    report(args.database, run(args.database, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
