"""Exactly once: twice in a row, two processes at once, a sender killed mid-run."""
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections import Counter

import pytest

from r2pnet import scheduler
from r2pnet.config import PROJECT_ROOT
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.planner import plan
from r2pnet.digests.sender import INTERRUPTED_AFTER, claim, send_due
from r2pnet.members.models import utcnow
from tests.digest_helpers import (deliveries, digest_member, news_in, recipients, smtp_server,
                                  travel, wait_until)
from tests.helpers import MailCollector

# Run by the "script" processes: plan and send once a start file appears, print the counts.
SCRIPT = """
import json, os, sys, time
from r2pnet import create_app
from r2pnet.digests import planner, sender
from r2pnet.extensions import db
app = create_app()
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
with app.app_context(), db.connection_context():
    planner.plan()
    print(json.dumps(sender.send_due()), flush=True)
"""


def _members_due_three_days_ago(make_member, count):
    """`count` members whose weekly digest fell due three days ago (real time), and news."""
    now = utcnow()
    weekday = (now - dt.timedelta(days=3)).weekday()
    members = [digest_member(make_member, "UTC", joined=now - dt.timedelta(days=30),
                             email=f"member{n}@example.org", weekday=weekday, hour=now.hour)
               for n in range(count)]
    news_in(make_member)
    return members


def _env(app, smtp_url):
    return dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], SMTP_URL=smtp_url,
                SECRET_KEY=app.config["SECRET_KEY"], BASE_URL=app.config["BASE_URL"],
                INSTANCE_PATH=app.config["INSTANCE_PATH"])


def _flask(app, smtp_url, *args):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args],
                            cwd=PROJECT_ROOT, env=_env(app, smtp_url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _smtp_url(app):
    return f"smtp://127.0.0.1:{app.config['SMTP']['port']}"


class SlowCollector(MailCollector):
    """Takes a moment over each message, so that concurrent senders overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


class StallsAfter(MailCollector):
    """Accepts `accept` messages; keeps the next one but holds its answer until `release`."""

    def __init__(self, accept):
        super().__init__()
        self.accept = accept
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        stall = len(self.messages) >= self.accept and not self.release.is_set()
        answer = await super().handle_DATA(server, session, envelope)
        if stall:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return answer


def _one_each(messages, members):
    assert recipients(messages) == sorted(m.email for m in members)


# --- twice in a row --------------------------------------------------------------------------

def test_planning_and_sending_twice_in_a_row_sends_one_message_per_member(
        app, make_member, mailbox):
    members = _members_due_three_days_ago(make_member, 3)
    for _ in range(2):
        plan()
        send_due()
    with travel(utcnow() + dt.timedelta(hours=1)):
        assert plan() == 0
        assert send_due() == {}
    _one_each(mailbox.messages, members)
    assert [row.status for row in deliveries()] == ["sent"] * 3


def test_two_schedulers_in_one_database_send_one_message_per_member(app, make_member, mailbox):
    members = _members_due_three_days_ago(make_member, 3)
    first, second = scheduler.build(app), scheduler.build(app)
    for job in ("plan_digests", "send_digests"):
        first.get_job(job).func()
        second.get_job(job).func()
    _one_each(mailbox.messages, members)
    assert DigestDelivery.select().count() == 3


def test_send_due_with_a_limit_leaves_the_rest_for_the_next_run(app, make_member, mailbox):
    members = _members_due_three_days_ago(make_member, 5)
    plan()
    assert send_due(limit=2) == {"sent": 2}
    assert len(mailbox.messages) == 2
    assert send_due() == {"sent": 3}
    _one_each(mailbox.messages, members)


# --- concurrent processes --------------------------------------------------------------------

@pytest.mark.parametrize("how", ["script", "cli"])
def test_concurrent_sender_processes_send_one_message_per_member(
        app, make_member, tmp_path, how):
    members = _members_due_three_days_ago(make_member, 12)
    with smtp_server(app, SlowCollector()) as server:
        if how == "script":
            go = tmp_path / "go"
            processes = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(go)],
                                          cwd=PROJECT_ROOT, env=_env(app, _smtp_url(app)),
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True)
                         for _ in range(2)]
            for process in processes:  # every process is started and waits at the line
                assert process.stdout.readline().strip() == "ready", process.stderr.read()
            go.touch()
        else:
            processes = [_flask(app, _smtp_url(app), "send-digests") for _ in range(2)]
        outputs = [process.communicate(timeout=60) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    if how == "script":
        sent = sum(json.loads(out.strip().splitlines()[-1]).get("sent", 0)
                   for out, _ in outputs)
        assert sent == 12
    _one_each(server.messages, members)
    assert Counter(row.status for row in deliveries()) == {"sent": 12}
    assert {row.attempts for row in deliveries()} == {1}


# --- a sender that dies ----------------------------------------------------------------------

def test_a_sender_killed_mid_run_leaves_the_rest_to_the_next_run_and_sends_none_twice(
        app, make_member):
    members = _members_due_three_days_ago(make_member, 6)
    with smtp_server(app, StallsAfter(accept=3)) as server:
        process = _flask(app, _smtp_url(app), "send-digests")
        try:
            wait_until(lambda: server.stalled.is_set() or process.poll() is not None,
                       timeout=60, what="the fourth message")
        finally:
            process.kill()  # SIGKILL: no clean-up of any kind
            _, err = process.communicate(timeout=10)
        assert server.stalled.is_set(), err
        server.release.set()
        assert len(server.messages) == 4  # the fourth went out; its sender never heard so

        statuses = Counter(row.status for row in deliveries())
        assert statuses == {"sent": 3, "sending": 1, "pending": 2}
        interrupted = DigestDelivery.get(DigestDelivery.status == "sending")

        assert send_due() == {"sent": 2}  # the next run sends the rest at once
        with travel(utcnow() + INTERRUPTED_AFTER + dt.timedelta(minutes=1)):
            assert plan() == 0
            assert send_due() == {}

    _one_each(server.messages, members)  # six members, six messages: none twice
    row = DigestDelivery.get_by_id(interrupted.id)
    assert row.status == "failed"
    assert row.reason == "the sender stopped while sending it; not sent again in case it went out"
    assert Counter(r.status for r in deliveries()) == {"sent": 5, "failed": 1}


def test_a_row_left_sending_is_failed_after_a_quarter_of_an_hour_and_never_sent(
        app, make_member, mailbox):
    [amina, kofi] = _members_due_three_days_ago(make_member, 2)
    now = utcnow()
    plan()
    taken = claim(now)  # a sender takes it and dies before sending
    assert send_due(now=now) == {"sent": 1}
    assert send_due(now=now + INTERRUPTED_AFTER - dt.timedelta(minutes=1)) == {}
    assert DigestDelivery.get_by_id(taken).status == "sending"
    assert send_due(now=now + INTERRUPTED_AFTER + dt.timedelta(minutes=1)) == {}
    assert DigestDelivery.get_by_id(taken).status == "failed"
    assert len(mailbox.messages) == 1
    sent = DigestDelivery.get(DigestDelivery.status == "sent")
    assert recipients(mailbox.messages) == [
        next(m.email for m in (amina, kofi) if m.id == sent.member_id)]

