"""The deliberation list and page cost the same SQL queries for few or many rows."""
import datetime as dt

from r2pnet.deliberations.models import (Attendance, Deliberation, DeliberationAction,
                                         DeliberationLesson, DeliberationThread)
from r2pnet.discussions.models import Thread
from r2pnet.members.models import Member, utcnow
from tests.helpers import QueryCounter, region
from tests.signin import sign_in_as
from tests.test_deliberations import schedule


def _count(client, url):
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _bulk(author, count, tag):
    """`count` deliberations around now, answers from `count` members, links and actions."""
    now = utcnow()
    africa = region("africa").id
    Deliberation.insert_many([{"region": africa, "title": f"D{n}", "timezone": "Europe/Berlin",
                               "starts_at": now + dt.timedelta(days=n - count // 2, hours=1),
                               "uid": f"bulk-{tag}-{n}@r2pnet", "location": "Here"}
                              for n in range(count)]).execute()
    Member.insert_many([{"email": f"{tag}{n}@example.org", "name": f"M{n}", "region": africa,
                         "session_version": "x"} for n in range(count)]).execute()
    members = [m.id for m in Member.select(Member.id).where(Member.email.startswith(tag))]
    targets = [d.id for d in Deliberation.select(Deliberation.id)
               .where(Deliberation.uid.startswith(f"bulk-{tag}-")).order_by(Deliberation.id)]
    Attendance.insert_many([{"deliberation": d, "member": m,
                             "answer": ("yes", "no", "maybe")[i % 3]}
                            for d in targets[:5] for i, m in enumerate(members)]).execute()
    Thread.insert_many([{"region": africa, "author": author.id, "title": f"T{tag}{n}"}
                        for n in range(count)]).execute()
    threads = [t.id for t in Thread.select(Thread.id).where(Thread.title.startswith(f"T{tag}"))]
    DeliberationThread.insert_many([{"deliberation": d, "thread": t}
                                    for d in targets[:2] for t in threads]).execute()
    DeliberationAction.insert_many([{"deliberation": d, "description": f"A{n}",
                                     "owner": members[n % len(members)]}
                                    for d in targets[:2] for n in range(count)]).execute()


def test_list_and_page_cost_the_same_queries_for_few_or_many_rows(client, make_member,
                                                                  make_lesson):
    moderator = make_member(role="moderator", region_key="africa", moderates=("africa",),
                            password=None)
    member = make_member(region_key="africa", password=None)
    one = schedule(moderator)
    lesson = make_lesson(moderator)
    DeliberationLesson.create(deliberation=one, lesson=lesson)
    urls = ["/deliberations", f"/deliberations?region={region('africa').id}",
            "/deliberations?page=2", f"/deliberations/{one.id}",
            f"/deliberations/{one.id}/outcome"]

    _bulk(moderator, 3, "few")
    sign_in_as(client, moderator)
    few_moderator = [_count(client, url) for url in urls]
    sign_in_as(client, member)
    few_member = [_count(client, url) for url in urls[:4]]

    _bulk(moderator, 150, "many")
    DeliberationThread.insert_many([{"deliberation": one.id, "thread": t.id}
                                    for t in Thread.select(Thread.id)]).execute()
    sign_in_as(client, moderator)
    many_moderator = [_count(client, url) for url in urls]
    sign_in_as(client, member)
    many_member = [_count(client, url) for url in urls[:4]]

    assert few_moderator == many_moderator == [9, 9, 9, 9, 5], (few_moderator, many_moderator)
    assert few_member == many_member == [7, 7, 7, 7], (few_member, many_member)
