"""The administrators' delivery report, and the send-digests command."""
import datetime as dt

import pytest

from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.planner import plan
from r2pnet.digests.sender import claim, report, send_due
from r2pnet.members.models import Member
from tests.digest_helpers import (AnswersByAddress, deliveries, digest_member, news_in,
                                  recipients, smtp_server, travel, utc)
from tests.helpers import soup

JOINED, NEWS_AT, DUE = utc(2026, 5, 27, 12, 0), utc(2026, 5, 29, 10, 0), utc(2026, 6, 1, 8, 0)
INTERRUPTED = "the sender stopped while sending it; not sent again in case it went out"


@pytest.fixture
def week_w23(app, make_member):
    """Week 2026-W23 with one digest in every state the report tells apart."""
    def member(email, region_key="africa"):
        return digest_member(make_member, "UTC", joined=JOINED, email=email,
                             region_key=region_key)

    member("amina@example.org")  # sent
    member("jan@example.org", region_key="europe")  # nothing new in Europe: skipped
    gone = member("gone@example.org")  # disabled after planning: skipped
    member("busy@example.org")  # 451: waiting for its retry
    member("bounce@example.org")  # 550: bounced
    lost = member("lost@example.org")  # its sender died while sending: failed
    with travel(NEWS_AT):
        news_in(make_member)
    with travel(DUE):
        assert plan() == 6
        assert claim(DUE, member_id=lost.id) is not None
    Member.update(disabled_at=DUE).where(Member.id == gone.id).execute()
    server = AnswersByAddress({"busy@example.org": "451 4.2.1 Mailbox busy",
                               "bounce@example.org": "550 5.1.1 No such user"})
    with smtp_server(app, server), travel(DUE + dt.timedelta(minutes=20)):
        send_due()
    assert recipients(server.messages) == ["amina@example.org"]


def test_the_report_counts_each_period_by_outcome_with_the_last_errors(week_w23):
    assert report() == {"2026-W23": {
        "due": 6, "sent": 1, "pending": 1,
        "skipped": {"nothing new since the last digest": 1, "the member is disabled": 1},
        "failed": [(INTERRUPTED, 1)],
        "bounced": [("550 5.1.1 No such user", 1)]}}
    assert report("2026-W22") == {}


def test_administrators_see_the_delivery_report(week_w23, client, signed_in):
    signed_in(role="administrator")
    response = client.get("/admin/digests")
    assert response.status_code == 200
    row = soup(response).find("th", string="2026-W23").find_parent("tr")
    cells = [" | ".join(div.get_text(" ", strip=True) for div in td.find_all("div"))
             or td.get_text(strip=True) for td in row.find_all("td")]
    assert cells == ["6", "1", "1",
                     "1: nothing new since the last digest | 1: the member is disabled",
                     f"1: {INTERRUPTED}", "1: 550 5.1.1 No such user"]


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_the_report_is_forbidden_to_everyone_but_administrators(client, signed_in, role):
    signed_in(role=role, moderates=("africa",) if role == "moderator" else ())
    assert client.get("/admin/digests").status_code == 403


def test_the_report_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/admin/digests")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the send-digests command ----------------------------------------------------------------

def test_send_digests_now_for_one_member_sends_theirs_at_once(runner, make_member, mailbox):
    amina = digest_member(make_member, email="amina@example.org", hour=23, weekday=6)
    digest_member(make_member, email="kofi@example.org")
    news_in(make_member)

    result = runner.invoke(args=["send-digests", "--now", "--member", " Amina@Example.org "])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Digests planned: 1; sent this run: 1 sent."
    assert recipients(mailbox.messages) == ["amina@example.org"]
    [row] = deliveries()
    assert (row.member_id, row.status) == (amina.id, "sent")
    assert row.period.endswith("-now")

    again = runner.invoke(args=["send-digests", "--now", "--member", "amina@example.org"])
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "Digests planned: 0; sent this run: none due."
    assert len(mailbox.messages) == 1


def test_send_digests_for_an_unknown_address_fails_cleanly(runner, make_member, mailbox):
    digest_member(make_member, email="amina@example.org")
    news_in(make_member)
    result = runner.invoke(args=["send-digests", "--now", "--member", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: No member has the address nobody@example.org."
    assert not DigestDelivery.select().exists()
    assert mailbox.messages == []


def test_send_digests_without_now_sends_only_what_is_due(runner, make_member, mailbox):
    digest_member(make_member, email="amina@example.org", joined=JOINED)
    with travel(NEWS_AT):
        news_in(make_member)
    with travel(DUE - dt.timedelta(minutes=1)):
        result = runner.invoke(args=["send-digests"])
    assert result.output.strip() == "Digests planned: 0; sent this run: none due."
    with travel(DUE):
        result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Digests planned: 1; sent this run: 1 sent."
    assert recipients(mailbox.messages) == ["amina@example.org"]
