"""Rows in bulk for scale tests: insert_many in batches, with what the services also write.

Each builder adds `n` rows of one kind around rows made through the services (a thread, a
lesson, a deliberation), so a page that lists them sees them: classification rows, search
documents, counters and the directory's search text included. No files are written.
"""
import datetime as dt
import json
import secrets

from r2pnet import search
from r2pnet.accounts.models import Invitation
from r2pnet.api.models import ApiToken
from r2pnet.audit.models import MODERATION_ACTIONS, AuditEvent
from r2pnet.deliberations.models import (Attendance, Deliberation, DeliberationAction,
                                         DeliberationLesson, DeliberationThread)
from r2pnet.digests.models import DigestDelivery
from r2pnet.discussions.models import (Mention, Post, PostRevision, SpaceFollow, Thread,
                                       ThreadFollow, ThreadLesson, ThreadTerm)
from r2pnet.extensions import db
from r2pnet.knowledge.models import (Lesson, LessonApplication, LessonAttachment,
                                     LessonRevision, LessonTerm, LessonUseful)
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, Region, utcnow
from r2pnet.members.services import index_member_text
from r2pnet.moderation.models import Flag

BATCH = 400


def insert(table, rows):
    """Insert rows in batches inside one transaction; the ids of the new rows, in order."""
    with db.atomic():
        before = _max_id(table)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            (table.insert_many(chunk) if hasattr(table, "insert_many")
             else table.insert(chunk)).execute()
    if not hasattr(table, "_meta"):
        return []
    return [row.id for row in table.select(table.id).where(table.id > before)
            .order_by(table.id)]


def _max_id(table):
    if not hasattr(table, "_meta"):
        return 0
    return table.select(table.id).order_by(table.id.desc()).scalar() or 0


def _ago(n):
    """A moment n minutes before now, so newer rows come first in every order."""
    return utcnow() - dt.timedelta(minutes=n + 1)


def regions(n, tag):
    """n regions, each with one country (they sort after the seeded ones)."""
    return insert(Region, [{"key": f"zz-{tag}-{i}", "name": f"Zz region {tag} {i}",
                            "organizations": ["Zz organization"], "countries": ["GH"]}
                           for i in range(n)])


def members(n, region_id, tag):
    """n focal points of Ghana in a region, speaking English, expert in pillar 1."""
    rows = []
    for i in range(n):
        member = Member(email=f"bulk-{tag}-{i}@example.org", name=f"Warning Bulk {tag} {i}",
                        title="Director", organization=f"Ministry {i % 7}", country="GH",
                        region=region_id, is_focal_point=True, session_version="bulk",
                        created_at=_ago(i), updated_at=_ago(i))
        index_member_text(member)
        rows.append({field: getattr(member, field) for field in
                     ("email", "name", "title", "organization", "country", "is_focal_point",
                      "session_version", "created_at", "updated_at", "search_text")}
                    | {"region": region_id})
    ids = insert(Member, rows)
    insert(MemberLanguage, [{"member": i, "code": "en"} for i in ids])
    insert(MemberExpertise, [{"member": i, "key": "pillar_1"} for i in ids])
    return ids


def lessons(n, author_ids, region_id, tag):
    """n published network lessons of a region about early warning, with their terms."""
    now = utcnow()
    rows = []
    for i in range(n):
        text = f"Early warning practice {tag} {i}"
        rows.append({"title": f"Warning lesson {tag} {i}", "summary": text,
                     "context_md": text, "context_html": f"<p>{text}</p>",
                     "author": author_ids[i % len(author_ids)], "country": "GH",
                     "region": region_id, "attribution": "office", "visibility": "network",
                     "is_published": True, "published_at": _ago(i),
                     "published_year": now.year, "created_at": _ago(i), "updated_at": _ago(i)})
    ids = insert(Lesson, rows)
    insert(LessonTerm, [{"lesson": i, "kind": kind, "key": key} for i in ids
                        for kind, key in (("pillar", "pillar_1"), ("crime", "genocide"),
                                          ("priority", "political_commitment"),
                                          ("tag", f"tag{i % 30}"))])
    insert(search._documents, [{"kind": "lesson", "object_id": i,
                                "title": search._plain(row["title"]),
                                "body": search._plain(row["summary"]), "tags": ""}
                               for i, row in zip(ids, rows, strict=True)])
    return ids


def lesson_history(lesson, n):
    """n more revisions of a lesson, each a copy of its latest snapshot."""
    latest = (LessonRevision.select().where(LessonRevision.lesson == lesson.id)
              .order_by(LessonRevision.number.desc()).first())
    insert(LessonRevision, [{"lesson": lesson.id, "number": latest.number + i + 1,
                             "editor": latest.editor_id, "note": "edited",
                             "snapshot": latest.snapshot, "created_at": utcnow()}
                            for i in range(n)])


def lesson_uptake(lesson, member_ids):
    """Each member applied the lesson and found it useful; its counters follow."""
    insert(LessonApplication, [{"lesson": lesson.id, "member": m, "note": "Applied"}
                               for m in member_ids])
    insert(LessonUseful, [{"lesson": lesson.id, "member": m} for m in member_ids])
    Lesson.update(applied_count=Lesson.applied_count + len(member_ids),
                  useful_count=Lesson.useful_count + len(member_ids)).where(
        Lesson.id == lesson.id).execute()


def attachments(lesson, n, uploader_id):
    """n attachment rows on a lesson (listed, never downloaded: no file behind them)."""
    insert(LessonAttachment, [{"lesson": lesson.id, "uploaded_by": uploader_id,
                               "display_name": f"annex-{i}.pdf",
                               "stored_name": secrets.token_hex(20) + ".pdf",
                               "content_type": "application/pdf", "size": 100}
                              for i in range(n)])


def threads(n, region_id, author_ids, tag):
    """n threads about early warning in a space, each with its opening post and terms."""
    rows = [{"region": region_id, "author": author_ids[i % len(author_ids)],
             "title": f"Warning thread {tag} {i}", "created_at": _ago(i),
             "last_activity_at": _ago(i), "last_author": author_ids[0],
             "reply_count": i % 3, "last_number": i % 3 + 1, "is_pinned": i % 97 == 0}
            for i in range(n)]
    ids = insert(Thread, rows)
    insert(Post, [{"thread": t, "author": row["author"], "number": number,
                   "body_md": "Early warning", "body_html": "<p>Early warning</p>",
                   "created_at": row["created_at"]}
                  for t, row in zip(ids, rows, strict=True)
                  for number in range(1, row["last_number"] + 1)])
    insert(ThreadTerm, [{"thread": t, "kind": "pillar", "key": "pillar_1"} for t in ids])
    insert(search._documents, [{"kind": "thread", "object_id": t,
                                "title": search._plain(row["title"]),
                                "body": "early warning", "tags": ""}
                               for t, row in zip(ids, rows, strict=True)])
    return ids


def replies(thread, n, author_ids, quoted_id, mentioned_id):
    """n replies at the end of a thread: some quote, some are hidden, each mentions a member."""
    thread = Thread.get_by_id(thread.id)
    first = thread.last_number + 1
    rows = [{"thread": thread.id, "author": author_ids[i % len(author_ids)],
             "number": first + i, "body_md": f"Early warning reply {i}",
             "body_html": f"<p>Early warning reply {i}</p>", "created_at": utcnow(),
             "quoted_post": quoted_id if i % 3 == 0 else None, "is_hidden": i % 11 == 5}
            for i in range(n)]
    ids = insert(Post, rows)
    Thread.update(last_number=first + n - 1,
                  reply_count=Thread.reply_count + sum(not r["is_hidden"] for r in rows),
                  last_activity_at=utcnow()).where(Thread.id == thread.id).execute()
    insert(Mention, [{"post": p, "thread": thread.id, "member": mentioned_id} for p in ids])
    insert(search._documents, [{"kind": "post", "object_id": p,
                                "body": search._plain(row["body_md"]), "title": "", "tags": ""}
                               for p, row in zip(ids, rows, strict=True)])
    return ids


def links(pairs):
    """Threads linking to lessons: (thread id, lesson id) pairs."""
    insert(ThreadLesson, [{"thread": t, "lesson": x} for t, x in pairs])


def tags(model, owner_id, keys):
    """Tags on one lesson (model LessonTerm) or thread (model ThreadTerm)."""
    owner = "lesson" if model is LessonTerm else "thread"
    insert(model, [{owner: owner_id, "kind": "tag", "key": key} for key in keys])


def post_history(post, n, editor_id):
    """n earlier texts of a post."""
    last = (PostRevision.select(PostRevision.number).where(PostRevision.post == post.id)
            .order_by(PostRevision.number.desc()).scalar() or 0)
    insert(PostRevision, [{"post": post.id, "number": last + i + 1, "editor": editor_id,
                           "body_md": f"Earlier text {i}"} for i in range(n)])
    Post.update(edit_count=Post.edit_count + n, edited_at=utcnow()).where(
        Post.id == post.id).execute()


def flags_on_posts(post_ids, member_id):
    """One open flag by `member_id` on each post: each post enters the moderation queue."""
    posts = list(Post.select(Post.id, Post.thread).where(Post.id.in_(post_ids)))
    insert(Flag, [{"member": member_id, "thread": p.thread_id, "post": p.id,
                   "item": f"post:{p.id}", "reason": "off_topic"} for p in posts])
    Post.update(flag_count=Post.flag_count + 1).where(Post.id.in_(post_ids)).execute()


def flags_on(thread, post, member_ids):
    """Open flags by each member on one item (a post, or the thread when post is None)."""
    item = f"post:{post.id}" if post else f"thread:{thread.id}"
    insert(Flag, [{"member": m, "thread": thread.id, "post": post.id if post else None,
                   "item": item, "reason": "spam", "note": "Looks like spam"}
                  for m in member_ids])
    model, row_id = (Post, post.id) if post else (Thread, thread.id)
    model.update(flag_count=model.flag_count + len(member_ids)).where(
        model.id == row_id).execute()


def follows(member_id, thread_ids):
    """The member follows each thread."""
    insert(ThreadFollow, [{"member": member_id, "thread": t} for t in thread_ids])


def follow_spaces(member_id, region_ids):
    """The member follows whole spaces (None: the network space)."""
    insert(SpaceFollow, [{"member": member_id, "region": r,
                          "space": "network" if r is None else str(r)} for r in region_ids])


def deliberations(n, region_id, creator_id, tag):
    """n deliberations of a region, half past and half to come."""
    return insert(Deliberation, [{"region": region_id, "title": f"Deliberation {tag} {i}",
                                  "agenda_md": "Agenda", "agenda_html": "<p>Agenda</p>",
                                  "starts_at": utcnow() + dt.timedelta(days=i - n // 2, hours=1),
                                  "timezone": "Europe/Berlin", "created_by": creator_id,
                                  "uid": f"bulk-{tag}-{i}@r2pnet"} for i in range(n)])


def agenda(deliberation_id, member_ids, thread_ids, lesson_ids):
    """Answers of every member, linked threads and lessons, and actions, on a deliberation."""
    insert(Attendance, [{"deliberation": deliberation_id, "member": m,
                         "answer": ("yes", "no", "maybe")[i % 3]}
                        for i, m in enumerate(member_ids)])
    insert(DeliberationThread, [{"deliberation": deliberation_id, "thread": t}
                                for t in thread_ids])
    insert(DeliberationLesson, [{"deliberation": deliberation_id, "lesson": x}
                                for x in lesson_ids])
    actions(deliberation_id, member_ids)


def actions(deliberation_id, owner_ids):
    """One follow-up action per owner."""
    insert(DeliberationAction, [{"deliberation": deliberation_id, "description": f"Follow up {i}",
                                 "owner": m, "due_on": dt.date(2027, 1, 1)}
                                for i, m in enumerate(owner_ids)])


def audit_events(n, actor_ids, target_ids, region_id, items):
    """n audit events: account events, and moderation events on `items` in a region's space."""
    actions = ("logged_in", "invited", "role_changed", *MODERATION_ACTIONS)
    return insert(AuditEvent, [{"action": actions[i % len(actions)],
                                "actor": actor_ids[i % len(actor_ids)],
                                "target": target_ids[i % len(target_ids)],
                                "email": f"someone{i}@example.org", "ip": "192.0.2.1",
                                "region": region_id, "item": items[i % len(items)],
                                "reason": "Because", "detail": json.dumps({"n": i}),
                                "created_at": _ago(i)}
                               for i in range(n)])


def digest_deliveries(member_ids, tag):
    """One past digest per member, spread over periods and every status."""
    statuses = ("sent", "skipped", "failed", "bounced", "pending")
    due = utcnow() - dt.timedelta(days=30)
    return insert(DigestDelivery, [{"member": m, "period": f"{tag}-{i % 40}", "frequency": "weekly",
                                    "due_at": due, "since": due - dt.timedelta(days=7),
                                    "status": statuses[i % len(statuses)],
                                    "reason": "nothing new" if i % 5 == 1 else f"error {i % 4}",
                                    "next_attempt_at": due}
                                   for i, m in enumerate(member_ids)])


def api_tokens(member_id, n, tag):
    """n tokens of one member, some revoked or expired (unusable: random hashes)."""
    now = utcnow()
    return insert(ApiToken, [{"member": member_id, "name": f"program {tag} {i}",
                              "scope": "read", "prefix": "r2p_bulk",
                              "token_hash": secrets.token_hex(32), "created_at": _ago(i),
                              "expires_at": now + dt.timedelta(days=30 - 40 * (i % 4 == 3)),
                              "revoked_at": now if i % 5 == 4 else None}
                             for i in range(n)])


def invitations(n, inviter_id, region_id, tag):
    """n pending invitations by one inviter."""
    now = utcnow()
    return insert(Invitation, [{"email": f"invited-{tag}-{i}@example.org", "role": "member",
                                "region": region_id, "invited_by": inviter_id,
                                "token_hash": secrets.token_hex(32), "created_at": _ago(i),
                                "expires_at": now + dt.timedelta(days=7)} for i in range(n)])
