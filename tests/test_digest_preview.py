"""The digest preview: exactly what would be sent; other members' only for administrators."""
import datetime as dt

import pytest
import time_machine

from r2pnet.digests.compose import compose
from r2pnet.digests.message import digest_message
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.views import preview_html
from r2pnet.members.models import Member, utcnow
from tests.moderation_helpers import make_thread


@pytest.fixture
def kofi(make_member):
    return make_member(name="Kofi Boateng", region_key="africa", password=None)


def test_the_preview_is_the_html_part_of_the_digest_as_it_would_be_sent(client, signed_in,
                                                                      kofi, app):
    with time_machine.travel(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC), tick=False):
        member = signed_in(name="Amina Diallo")
        make_thread(kofi, title="Early warning desk")
        response = client.get("/digest/preview")
        now = utcnow()

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Early warning desk" in body
    assert "Your r2pnet digest: Africa, week of 30 November 2026" in body
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    # The same HTML the sender builds for the same moment and period.
    html, _ = preview_html(Member.get_by_id(member.id), now)
    delivery = DigestDelivery(member=member.id, period="preview", frequency="weekly",
                              due_at=now, since=now - dt.timedelta(days=7), next_attempt_at=now)
    sent = digest_message(Member.get_by_id(member.id),
                          compose(Member.get_by_id(member.id), delivery.since, now), delivery)
    assert body == html == sent.get_body(("html",)).get_content()


def test_the_preview_starts_after_the_last_digest(client, signed_in, kofi):
    member = signed_in()
    make_thread(kofi, title="Before the last digest")
    last = utcnow() + dt.timedelta(seconds=1)
    DigestDelivery.create(member=member.id, period="2026-W01", frequency="weekly", due_at=last,
                          since=last - dt.timedelta(days=7), next_attempt_at=last, status="sent")
    html, digest = preview_html(Member.get_by_id(member.id), last + dt.timedelta(minutes=1))
    assert digest.since == last
    assert digest.new_threads == [] and "New threads" not in html


def test_administrators_preview_anyones_digest(client, signed_in, kofi):
    signed_in(role="administrator", region_key=None)
    response = client.get(f"/digest/preview?member={kofi.id}")
    assert response.status_code == 200
    assert "Hello Kofi Boateng" in response.get_data(as_text=True)
    assert client.get("/digest/preview?member=999999").status_code == 404


@pytest.mark.parametrize("asked", ["other", "abc", "99999999999999999999999", "²"])
def test_members_cannot_preview_someone_elses_digest(client, signed_in, kofi, asked):
    member = signed_in(role="moderator", moderates=("africa",))
    value = str(kofi.id) if asked == "other" else asked
    assert client.get(f"/digest/preview?member={value}").status_code == 404
    assert client.get(f"/digest/preview?member={member.id}").status_code == 200


def test_the_preview_needs_a_session(client):
    assert client.get("/digest/preview").status_code == 302
