"""Deliberation outcomes: the summary and follow-up actions, and a draft lesson from them."""
from r2pnet import markdown, permissions
from r2pnet.audit.services import record
from r2pnet.deliberations.models import Deliberation, DeliberationAction
from r2pnet.deliberations.reading import actions_of, region_members
from r2pnet.deliberations.services import FORBIDDEN_MESSAGE, item_key
from r2pnet.deliberations.timing import has_started, in_zone
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import utcnow

OUTCOME_CONFLICT_MESSAGE = ("Someone else saved the outcome while you were editing. Your text "
                            "is kept below but not saved: compare, then save again.")


def record_outcome(actor, deliberation, data, ip=""):
    """Save the outcome (summary and follow-up actions) unless someone saved since."""
    if not permissions.can_schedule_deliberation(actor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if deliberation.cancelled_at is not None:
        raise DomainError("A cancelled deliberation has no outcome.")
    if not has_started(deliberation):
        raise DomainError("Record the outcome once the deliberation has started.")
    owners = {a["owner"] for _, a in data["actions"] if a["owner"] is not None}
    allowed = {m.id for m in region_members(deliberation.region_id)} if owners else set()
    for n, action in data["actions"]:
        if action["owner"] is not None and action["owner"] not in allowed:
            raise DomainError("Choose the owner among the region's members, or type a name.",
                              f"action-{n}-owner")
    expected = data.get("version") or deliberation.version
    now = utcnow()
    html = markdown.render(data["summary_md"])
    with db.atomic():
        saved = (Deliberation.update(outcome_md=data["summary_md"], outcome_html=html,
                                     outcome_recorded_at=now, outcome_by=actor.id,
                                     version=Deliberation.version + 1)
                 .where(Deliberation.id == deliberation.id, Deliberation.version == expected)
                 .execute())
        if saved != 1:
            raise Conflict(OUTCOME_CONFLICT_MESSAGE)
        deliberation.outcome_md, deliberation.outcome_html = data["summary_md"], html
        deliberation.outcome_recorded_at, deliberation.outcome_by = now, actor
        deliberation.version = expected + 1
        DeliberationAction.delete().where(
            DeliberationAction.deliberation == deliberation.id).execute()
        rows = [{"deliberation": deliberation.id, "description": a["description"],
                 "owner": a["owner"], "owner_name": "" if a["owner"] else a["owner_name"],
                 "due_on": a["due_on"]} for _, a in data["actions"]]
        if rows:
            DeliberationAction.insert_many(rows).execute()
        record("deliberation_outcome", actor=actor, ip=ip, region=deliberation.region_id,
               item=item_key(deliberation),
               detail=f"{deliberation.title}: {len(rows)} follow-up action(s)")
    return deliberation


def lesson_from_outcome(actor, deliberation, ip=""):
    """A draft lesson (region only) from the agenda, outcome and actions; its author edits it."""
    from r2pnet.knowledge.schemas import LessonSchema
    from r2pnet.knowledge.services import create_lesson

    if not permissions.can_schedule_deliberation(actor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if not deliberation.outcome_md.strip():
        raise DomainError("Record the outcome first.")
    actions = actions_of(deliberation)
    outcome = deliberation.outcome_md.strip()
    if actions:
        lines = [f"- {action.description} ({_owner_label(action)}"
                 + (f", due {action.due_on:%d %B %Y}" if action.due_on else "") + ")"
                 for action in actions]
        outcome += "\n\n**Follow-up actions**\n\n" + "\n".join(lines)
    summary = " ".join(markdown.plain_text(deliberation.outcome_html).split())
    if len(summary) > 500:
        summary = summary[:499].rstrip() + "…"
    day = in_zone(deliberation.starts_at, deliberation.timezone)
    data = LessonSchema().load({
        "title": deliberation.title,
        "summary": summary or f"Outcome of the deliberation of {day:%d %B %Y}.",
        "region_id": deliberation.region_id, "visibility": "region", "publish": False,
        "context_md": deliberation.agenda_md, "outcome_md": outcome})
    return create_lesson(actor, data, ip)


def _owner_label(action):
    return action.owner.name if action.owner_id else action.owner_name
