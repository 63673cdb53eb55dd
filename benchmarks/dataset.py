"""A network of realistic size and proportions, written in bulk for benchmarks and scale tests.

    .venv/bin/python -m benchmarks.dataset --database sqlite [--lessons 20000] ...

Rows are inserted directly (insert_many in batches), not through the services, so that a
network of 5,000 members, 20,000 lessons and 100,000 posts takes a minute rather than hours;
what the services would also write is written too: rendered HTML, classification rows, the
directory's search text and the full-text search documents. Text is drawn from a domain
vocabulary with a long tail (a few words in most documents, most words in few), so searches
meet posting lists of realistic shapes.
"""
import argparse
import datetime as dt
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from itertools import product

from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS

BATCH = 500
PASSWORD = "bench-password-for-load-runs"
FUNCTION_WORDS = ("the", "of", "and", "to", "in", "a", "for", "with", "on", "by", "was", "were",
                  "that", "is", "as", "from", "at", "their", "this", "an")
COMMON = ("early", "warning", "prevention", "atrocity", "risk", "national", "mechanism",
          "dialogue", "civil", "society", "regional", "office", "focal", "point", "ministry",
          "community", "training", "monitoring", "response", "committee")
DOMAIN = ("genocide", "ethnic", "cleansing", "hate", "speech", "elections", "refugees",
          "displacement", "accountability", "reconciliation", "mediation", "police", "judiciary",
          "media", "youth", "women", "minorities", "indigenous", "border", "militia", "curriculum",
          "memorial", "survivors", "reparations", "commission", "inquiry", "ombudsperson",
          "parliament", "budget", "indicators", "assessment", "dashboard", "hotline", "radio",
          "religious", "leaders", "land", "disputes", "pastoralists", "drought", "sanctions",
          "peacekeeping", "humanitarian", "corridor", "ceasefire", "transitional", "justice",
          "truth", "archives", "education", "tribunal", "evidence", "witness", "protection")
# Place-like names: the long tail, so some searches match only a handful of documents.
RARE = tuple(f"{a}{b}" for a in ("kal", "mor", "ten", "vas", "bel", "dun", "sar", "lio",
                                 "pra", "quen") for b in ("ara", "ess", "ino", "oto", "uvi",
                                                          "emb", "ald", "ire", "osk", "yth"))
SYLLABLES = ("ba", "de", "ki", "lo", "mu", "na", "pe", "ri", "so", "tu", "va", "ze")
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "sw")
EXPERTISE = tuple(PILLARS) + tuple(PRIORITIES) + tuple(str(n) for n in list(RISK_FACTORS)[:6])


def _vocabulary(size=4000):
    """Words by frequency rank, as in real text (Zipf): function words first, then the
    common terms of the field (ranks 40-60), domain terms (60-300), place names (1000+), and
    filler words between."""
    filler = ("".join(parts) for n in (3, 4) for parts in product(SYLLABLES, repeat=n))
    placed = {rank: word for rank, word in enumerate(FUNCTION_WORDS)}
    placed.update({40 + rank: word for rank, word in enumerate(COMMON)})
    placed.update({60 + rank * 4: word for rank, word in enumerate(DOMAIN)})
    placed.update({1000 + rank * 25: word for rank, word in enumerate(RARE)})
    words = [placed.get(rank) or next(filler) for rank in range(size)]
    weights, total = [], 0.0
    for rank in range(size):
        total += 1.0 / (rank + 1)
        weights.append(total)
    return words, weights


VOCABULARY, CUMULATIVE = _vocabulary()


@dataclass
class Network:
    """What a benchmark needs to know about the generated network."""

    counts: dict = field(default_factory=dict)
    bench_email: str = "bench.member@r2pnet.example"
    password: str = PASSWORD
    member_id: int = 0
    lesson_id: int = 0
    thread_id: int = 0
    region_key: str = ""


def _words(rng, n):
    """n words drawn by their frequency in the field's text."""
    return rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=n)


def _sentence(rng, n=12):
    words = _words(rng, n)
    return " ".join(words).capitalize() + "."


def _insert(model_or_table, rows):
    from r2pnet.extensions import db
    insert = getattr(model_or_table, "insert_many", None) or model_or_table.insert
    with db.atomic():
        for start in range(0, len(rows), BATCH):
            insert(rows[start:start + BATCH]).execute()


def _with_word_pairs(documents):
    """The search documents with their word pairs (on SQLite), as search.index writes them."""
    from r2pnet import search
    from r2pnet.extensions import db
    for start in range(0, len(documents), BATCH):
        search.with_word_pairs(db, documents[start:start + BATCH])
    return documents


def _ids(model):
    return [row.id for row in model.select(model.id).order_by(model.id)]


def _members(rng, count, now, regions):
    from r2pnet.accounts.passwords import hash_password
    from r2pnet.accounts.services import new_session_version
    from r2pnet.members.models import (Member, MemberExpertise, MemberLanguage,
                                       ModeratorRegion)
    from r2pnet.members.services import _search_form, _unaccented

    region_list = list(regions.values())
    rows = []
    for n in range(count):
        region = region_list[n % len(region_list)]
        name = f"{rng.choice(DOMAIN).title()} {rng.choice(RARE).title()} {n}"
        title, organization = "Director, Prevention Desk", f"Ministry of Foreign Affairs {n % 97}"
        rows.append({
            "email": f"member{n}@r2pnet.example", "name": name, "title": title,
            "organization": organization, "country": rng.choice(region["countries"]),
            "region": region["id"], "is_focal_point": n % 3 == 0,
            "bio": _sentence(rng, 30), "timezone": "UTC",
            "role": "moderator" if n % 250 == 1 else "member",
            "session_version": new_session_version(), "created_at": now - dt.timedelta(days=400),
            "updated_at": now - dt.timedelta(days=400),
            "search_text": _unaccented(_search_form(f"{name} {title} {organization}"))[:600]})
    bench = rows[0]
    bench.update(email=Network.bench_email, name="Bench Member", role="member",
                 password_hash=hash_password(PASSWORD), is_focal_point=True)
    rows.append({**rows[1], "email": "bench.admin@r2pnet.example", "name": "Bench Admin",
                 "role": "administrator", "password_hash": bench["password_hash"]})
    _insert(Member, rows)
    ids = _ids(Member)
    _insert(MemberLanguage, [{"member": i, "code": code} for i in ids
                             for code in rng.sample(LANGUAGES, 2)])
    _insert(MemberExpertise, [{"member": i, "key": key} for i in ids
                              for key in rng.sample(EXPERTISE, 3)])
    moderators = Member.select(Member.id, Member.region).where(Member.role == "moderator")
    _insert(ModeratorRegion, [{"member": m.id, "region": m.region_id} for m in moderators])
    return ids


def _lessons(rng, count, now, regions, member_ids):
    from r2pnet import search
    from r2pnet.knowledge.models import Lesson, LessonTerm

    region_list = list(regions.values())
    sections = ("context", "practice", "outcome", "lesson", "recommendation")
    rows, documents = [], []
    for n in range(count):
        region = region_list[n % len(region_list)]
        published = n % 20 != 0  # one in twenty is a draft
        when = now - dt.timedelta(hours=n * 3 % (24 * 900))
        row = {"title": " ".join(_words(rng, 7)).capitalize(), "summary": _sentence(rng, 25),
               "author": rng.choice(member_ids), "country": rng.choice(region["countries"]),
               "region": region["id"], "attribution": "anonymous" if n % 9 == 0 else "office",
               "visibility": ("network", "region", "public")[n % 3], "is_published": published,
               "published_at": when if published else None,
               "published_year": when.year if published else None, "created_at": when,
               "updated_at": when, "applied_count": n % 7, "useful_count": n % 11}
        for key in sections:
            text = " ".join(_sentence(rng, 18) for _ in range(4))
            row[f"{key}_md"], row[f"{key}_html"] = text, f"<p>{text}</p>"
        rows.append(row)
    _insert(Lesson, rows)
    ids = _ids(Lesson)[-count:]
    terms = []
    for lesson_id in ids:
        terms += [{"lesson": lesson_id, "kind": "pillar", "key": rng.choice(list(PILLARS))},
                  {"lesson": lesson_id, "kind": "crime", "key": rng.choice(list(CRIMES))},
                  {"lesson": lesson_id, "kind": "priority", "key": rng.choice(list(PRIORITIES))},
                  {"lesson": lesson_id, "kind": "risk_factor",
                   "key": str(rng.choice(list(RISK_FACTORS)))},
                  {"lesson": lesson_id, "kind": "tag", "key": rng.choice(DOMAIN)}]
    _insert(LessonTerm, terms)
    for lesson_id, row in zip(ids, rows, strict=True):
        body = "\n\n".join(row[f"{key}_md"] for key in sections)
        documents.append({"kind": "lesson", "object_id": lesson_id,
                          "title": search._plain(row["title"]),
                          "body": search._plain(f"{row['summary']}\n\n{body}"), "tags": ""})
    _insert(search._documents, _with_word_pairs(documents))
    return ids


def _discussions(rng, threads, posts_per_thread, now, regions, member_ids):
    from r2pnet import search
    from r2pnet.discussions.models import Post, Thread

    spaces = [None] + [region["id"] for region in regions.values()]
    rows = []
    for n in range(threads):
        started = now - dt.timedelta(hours=n * 5 % (24 * 365))
        rows.append({"region": spaces[n % len(spaces)], "author": rng.choice(member_ids),
                     "title": (" ".join(_words(rng, 6)) + "?").capitalize(),
                     "created_at": started,
                     "last_activity_at": started + dt.timedelta(minutes=posts_per_thread * 30),
                     "last_author": rng.choice(member_ids),
                     "reply_count": posts_per_thread - 1, "last_number": posts_per_thread,
                     "is_pinned": n % 200 == 0})
    _insert(Thread, rows)
    thread_ids = _ids(Thread)[-threads:]
    documents = []
    for thread_id, row in zip(thread_ids, rows, strict=True):
        documents.append({"kind": "thread", "object_id": thread_id,
                          "title": search._plain(row["title"]), "body": "", "tags": ""})
    posts = []
    for thread_id, row in zip(thread_ids, rows, strict=True):
        for number in range(1, posts_per_thread + 1):
            body = " ".join(_sentence(rng, 14) for _ in range(3))
            posts.append({"thread": thread_id, "author": rng.choice(member_ids),
                          "number": number, "body_md": body, "body_html": f"<p>{body}</p>",
                          "created_at": row["created_at"] + dt.timedelta(minutes=number * 30)})
        if len(posts) >= 20_000:
            _insert(Post, posts)
            posts = []
    _insert(Post, posts)
    for post in (Post.select(Post.id, Post.body_md)
                 .where(Post.thread.in_(thread_ids)).order_by(Post.id).iterator()):
        documents.append({"kind": "post", "object_id": post.id, "title": "",
                          "body": search._plain(post.body_md), "tags": ""})
    _insert(search._documents, _with_word_pairs(documents))
    return thread_ids


def _flags(rng, count, now, member_ids):
    from r2pnet.discussions.models import Post
    from r2pnet.moderation.models import Flag

    picked = (Post.select(Post.id, Post.thread).where(Post.number > 1)
              .order_by(Post.id).limit(count * 40))
    posts = rng.sample(list(picked), min(count, len(picked)))
    rows = [{"member": rng.choice(member_ids), "thread": post.thread_id, "post": post.id,
             "item": f"post:{post.id}", "reason": "off_topic", "created_at": now}
            for post in posts]
    _insert(Flag, rows)
    for post in posts:
        Post.update(flag_count=Post.flag_count + 1).where(Post.id == post.id).execute()
    return len(rows)


def _deliberations(rng, per_region, now, regions, member_ids):
    from r2pnet.deliberations.models import Attendance, Deliberation

    rows = []
    for region in regions.values():
        for n in range(per_region):
            starts = now + dt.timedelta(days=14 * (n - per_region // 2), hours=13)
            rows.append({"region": region["id"], "title": f"Regional deliberation {n + 1}",
                         "agenda_md": _sentence(rng, 20),
                         "agenda_html": f"<p>{_sentence(rng, 20)}</p>",
                         "starts_at": starts, "timezone": "UTC",
                         "created_by": rng.choice(member_ids), "uid": f"{uuid.uuid4()}@bench"})
    _insert(Deliberation, rows)
    ids = _ids(Deliberation)[-len(rows):]
    _insert(Attendance, [{"deliberation": d, "member": m, "answer": rng.choice(("yes", "maybe"))}
                         for d in ids for m in rng.sample(member_ids, 20)])
    return len(ids)


def generate(members=5000, lessons=20000, threads=2000, posts_per_thread=50,
             deliberations_per_region=12, flags=400, seed=7, log=print):
    """Write the network into the app's database (migrated, empty); returns a Network."""
    from r2pnet.discussions.models import Thread
    from r2pnet.knowledge.models import Lesson
    from r2pnet.members.models import Member, Region, utcnow

    rng, now = random.Random(seed), utcnow()
    regions = {r.key: {"id": r.id, "countries": r.countries or ["GH"]}
               for r in Region.select().order_by(Region.id)}
    network = Network()

    def timed(name, made_by):
        started = time.perf_counter()
        made = made_by()
        network.counts[name] = made if isinstance(made, int) else len(made)
        log(f"{name}: {network.counts[name]} in {time.perf_counter() - started:.1f} s")
        return made

    member_ids = timed("members", lambda: _members(rng, members, now, regions))
    timed("lessons", lambda: _lessons(rng, lessons, now, regions, member_ids))
    timed("threads", lambda: _discussions(rng, threads, posts_per_thread, now, regions,
                                          member_ids))
    timed("flags", lambda: _flags(rng, flags, now, member_ids) if threads else 0)
    timed("deliberations", lambda: _deliberations(rng, deliberations_per_region, now, regions,
                                                  member_ids))
    bench = Member.get(Member.email == network.bench_email)
    network.member_id, network.region_key = bench.id, Region.get_by_id(bench.region_id).key
    visible = Lesson.visible_to(bench).where(Lesson.is_published == True)  # noqa: E712
    network.lesson_id = visible.order_by(Lesson.id.desc()).first().id
    thread = (Thread.select().where(Thread.region == bench.region_id)
              .order_by(Thread.id.desc()).first())
    network.thread_id = thread.id if thread else 0
    return network


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--lessons", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--posts-per-thread", type=int, default=50)
    args = parser.parse_args(argv)
    from benchmarks.server import fresh_database, migrated_app
    url, drop = fresh_database(args.database, keep=True)
    app = migrated_app(url)
    from r2pnet.extensions import db
    with app.app_context(), db.connection_context():
        network = generate(args.members, args.lessons, args.threads, args.posts_per_thread)
    print(f"DATABASE_URL={url}\n{network}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
