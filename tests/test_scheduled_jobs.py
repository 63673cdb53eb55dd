"""The scheduled jobs: what they are, and what each one keeps and forgets."""
import datetime as dt

import time_machine

from r2pnet import scheduler
from r2pnet.accounts.models import PasswordReset, ThrottleEvent
from r2pnet.accounts.services import purge_expired, request_password_reset
from r2pnet.mail import OutboundMail, purge_sent


def _later(**delta):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(**delta), tick=False)


def test_the_scheduler_runs_every_job_in_utc(app):
    jobs = scheduler.build(app)
    assert {job.id for job in jobs.get_jobs()} == {"purge_expired", "deliver_due", "purge_sent",
                                                   "plan_digests", "send_digests",
                                                   "refresh_statistics"}
    assert str(jobs.timezone) == "UTC"


def test_a_scheduled_job_runs_with_its_own_database_connection(app, make_member):
    make_member(email="kofi@example.org", password=None)
    request_password_reset("kofi@example.org")
    job = scheduler.build(app).get_job("purge_sent").func
    with _later(days=31):
        job()
    assert not OutboundMail.select().exists()


def test_purging_keeps_the_hour_of_reset_requests_that_limits_them(app, make_member):
    make_member(email="kofi@example.org", password=None)
    for _ in range(3):
        assert request_password_reset("kofi@example.org") is not None
    with _later(minutes=20):
        purge_expired()
        assert request_password_reset("kofi@example.org") is None  # still limited
    with _later(minutes=61):
        purge_expired()
        assert not ThrottleEvent.select().exists()
        assert request_password_reset("kofi@example.org") is not None
    assert PasswordReset.select().count() == 4


def test_sent_mail_is_forgotten_after_thirty_days_but_pending_mail_is_kept(app, make_member):
    make_member(email="kofi@example.org", password=None)
    request_password_reset("kofi@example.org")
    OutboundMail.create(recipient="later@example.org", subject="Waiting", message=b"x")
    with _later(days=29):
        assert purge_sent() == 0
    with _later(days=31):
        assert purge_sent() == 1
    assert [row.subject for row in OutboundMail.select()] == ["Waiting"]


def test_the_planner_statistics_job_counts_what_the_tables_hold(app, make_member):
    from r2pnet.extensions import db, is_postgres
    make_member()
    scheduler.build(app).get_job("refresh_statistics").func()
    with db.connection_context():
        if is_postgres():
            analysed = db.execute_sql(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'member'"
            ).fetchone()[0]
            assert analysed is not None
        else:
            tables = {row[0] for row in db.execute_sql("SELECT tbl FROM sqlite_stat1")}
            # Later tests plan as on a new network (the query-plan check needs no statistics).
            db.execute_sql("DELETE FROM sqlite_stat1")
            assert "member" in tables
