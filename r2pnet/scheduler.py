"""Scheduled jobs: one scheduler per process that runs it, never one per web worker."""
import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from r2pnet.extensions import db

log = logging.getLogger(__name__)


def _in_app(app, fn):
    def job():
        with app.app_context(), db.connection_context():
            fn()
    job.__name__ = fn.__name__
    return job


def jobs():
    """(function, trigger arguments) for every scheduled job."""
    from r2pnet.accounts.services import purge_expired
    from r2pnet.database import refresh_statistics
    from r2pnet.digests.jobs import plan_digests, send_digests
    from r2pnet.mail import deliver_due, purge_sent
    return [(purge_expired, {"trigger": "interval", "minutes": 15}),
            (plan_digests, {"trigger": "interval", "minutes": 15}),
            (send_digests, {"trigger": "interval", "minutes": 1}),
            (deliver_due, {"trigger": "interval", "minutes": 1}),
            (purge_sent, {"trigger": "interval", "hours": 24}),
            (refresh_statistics, {"trigger": "interval", "hours": 24})]


def build(app, blocking=False):
    """A scheduler with every job, running in UTC."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=dt.UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                                   "misfire_grace_time": 600})
    for fn, trigger in jobs():
        scheduler.add_job(_in_app(app, fn), id=fn.__name__, replace_existing=True,
                          next_run_time=dt.datetime.now(dt.UTC), **trigger)
    return scheduler
