"""A region's rhythm: its deliberation cadence and its question of the week."""
import re

from r2pnet import permissions
from r2pnet.audit.services import record
from r2pnet.deliberations.models import DEFAULT_CADENCE_DAYS, Cadence, WeeklyQuestion
from r2pnet.deliberations.services import FORBIDDEN_MESSAGE
from r2pnet.discussions.models import Thread
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import utcnow


def cadence_days(region_id):
    """How often (in days) a region aims to deliberate."""
    row = Cadence.get_or_none(Cadence.region == region_id)
    return row.every_days if row else DEFAULT_CADENCE_DAYS


def set_cadence(actor, region_id, every_days, ip=""):
    """Set a region's target cadence (7 to 365 days)."""
    if not permissions.can_schedule_deliberation(actor, region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if not 7 <= every_days <= 365:
        raise DomainError("Choose 7 to 365 days.", "every_days")
    now = utcnow()
    with db.atomic():
        (Cadence.insert(region=region_id, every_days=every_days, updated_by=actor.id,
                        updated_at=now)
         .on_conflict(conflict_target=[Cadence.region],
                      update={Cadence.every_days: every_days, Cadence.updated_by: actor.id,
                              Cadence.updated_at: now})
         .execute())
        record("cadence_changed", actor=actor, ip=ip, region=region_id,
               detail=f"every {every_days} days")


def set_weekly_question(actor, region_id, text, thread_id=None, ip=""):
    """Ask a region's question of the week (the latest one is current)."""
    if not permissions.can_schedule_deliberation(actor, region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text or "").strip()
    if not 1 <= len(text) <= 500:
        raise DomainError("Ask in 1 to 500 characters.", "text")
    if thread_id is not None:
        thread = Thread.visible_to(actor).where(Thread.id == thread_id).first()
        if thread is None or thread.region_id not in (region_id, None):
            raise DomainError(f"Thread {thread_id} is not in this region's space (or you may "
                              "not read it).", "thread")
    with db.atomic():
        question = WeeklyQuestion.create(region=region_id, text=text, thread=thread_id,
                                         asked_by=actor)
        record("question_set", actor=actor, ip=ip, region=region_id,
               item=f"question:{question.id}", detail=text[:200])
    return question


def current_question(region_id):
    """A region's current question of the week, or None."""
    return (WeeklyQuestion.select()
            .where(WeeklyQuestion.region == region_id)
            .order_by(WeeklyQuestion.created_at.desc(), WeeklyQuestion.id.desc())
            .first())
