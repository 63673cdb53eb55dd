"""A lesson's history: every saved revision, and a diff between two."""
import difflib
import json
import re
from dataclasses import dataclass, field

from flask import abort, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN

from r2pnet import permissions
from r2pnet.knowledge import services
from r2pnet.knowledge.models import ATTRIBUTION, SECTIONS, VISIBILITY, LessonRevision
from r2pnet.knowledge.views import bp
from r2pnet.members.models import Member, Region
from r2pnet.members.reference import country_name
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS, STRATEGY_ELEMENTS

CONTEXT_LINES = 2
# Longer lines are marked as changed as a whole rather than word by word.
WORD_DIFF_MAX_TOKENS = 3000
# Snapshot key -> label, in the order the changes are shown.
FIELDS = {
    "title": "Title",
    "summary": "Summary",
    **{f"{key}_md": heading for key, heading in SECTIONS.items()},
    "pillars": "Pillars",
    "crimes": "Crimes",
    "priorities": "Priorities",
    "risk_factors": "Risk factors",
    "strategy": "National-strategy element",
    "tags": "Tags",
    "country": "Country",
    "region_id": "Region",
    "attribution": "Attribution",
    "visibility": "Who may read it",
    "is_published": "Status",
}
CHOICES = {"pillars": PILLARS, "crimes": CRIMES, "priorities": PRIORITIES,
           "strategy": STRATEGY_ELEMENTS, "attribution": ATTRIBUTION, "visibility": VISIBILITY}


@dataclass
class DiffLine:
    """One line of a diff: kept ("same"), removed ("del") or added ("ins").

    `segments` are (text, changed) pairs, so a changed line can mark the words that changed.
    """

    kind: str
    segments: list


@dataclass
class FieldChange:
    """The changes to one field, as hunks of lines with a little unchanged context."""

    key: str
    label: str
    hunks: list = field(default_factory=list)


def _load(snapshot):
    try:
        state = json.loads(snapshot or "{}")
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _lines(key, value, regions):
    """A field's value as the lines a reader compares, with taxonomy keys as their labels."""
    if value is None or value == "" or value == []:
        return []
    if key == "is_published":
        return ["Published" if value else "Draft"]
    if key == "country":
        return [country_name(str(value))]
    if key == "region_id":
        return [regions.get(value, "A region no longer listed")]
    if key == "risk_factors":
        return [f"{n}. {RISK_FACTORS.get(n, '')}".rstrip(". ") if isinstance(n, int) else str(n)
                for n in value]
    if key == "tags":
        return [f"#{tag}" for tag in value]
    if key in CHOICES:
        names = CHOICES[key]
        values = value if isinstance(value, list) else [value]
        return [names.get(v, str(v)) if isinstance(v, str) else str(v) for v in values]
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines()


def _tokens(line):
    # Words with their following spaces: few tokens, and matches do not break at each space.
    return re.findall(r"^\s+|\S+\s*", line)


def _word_segments(old, new):
    """The two versions of a changed line with the changed words marked."""
    a, b = _tokens(old), _tokens(new)
    if len(a) > WORD_DIFF_MAX_TOKENS or len(b) > WORD_DIFF_MAX_TOKENS:
        return [(old, True)], [(new, True)]
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            removed.append(("".join(a[i1:i2]), False))
            added.append(("".join(b[j1:j2]), False))
            continue
        if i2 > i1:
            removed.append(("".join(a[i1:i2]), True))
        if j2 > j1:
            added.append(("".join(b[j1:j2]), True))
    return removed, added


def diff_lines(old, new, context=CONTEXT_LINES):
    """Hunks of DiffLines turning the lines `old` into the lines `new`."""
    hunks = []
    for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(context):
        hunk = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk += [DiffLine("same", [(line, False)]) for line in old[i1:i2]]
                continue
            removed = [DiffLine("del", [(line, True)]) for line in old[i1:i2]]
            added = [DiffLine("ins", [(line, True)]) for line in new[j1:j2]]
            if tag == "replace":
                for k in range(min(len(removed), len(added))):
                    removed[k].segments, added[k].segments = _word_segments(old[i1 + k],
                                                                            new[j1 + k])
            hunk += removed + added
        hunks.append(hunk)
    return hunks


def diff_snapshots(old_snapshot, new_snapshot, hidden=()):
    """The fields that differ between two revision snapshots, each with its line diff."""
    old, new = _load(old_snapshot), _load(new_snapshot)
    region_ids = {state.get("region_id") for state in (old, new)} - {None}
    regions = ({r.id: r.name for r in Region.select(Region.id, Region.name)
                .where(Region.id.in_(list(region_ids)))} if region_ids else {})
    keys = list(FIELDS) + sorted((set(old) | set(new)) - set(FIELDS))
    changes = []
    for key in keys:
        if key in hidden or old.get(key) == new.get(key):
            continue
        hunks = diff_lines(_lines(key, old.get(key), regions), _lines(key, new.get(key), regions))
        if hunks:
            changes.append(FieldChange(key, FIELDS.get(key, key.replace("_", " ").capitalize()),
                                       hunks))
    return changes


def _chosen(raw, numbers):
    """A revision number from the query string, or None when it names no revision."""
    raw = (raw or "").strip()
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        return None
    number = int(raw)
    return number if number in numbers else None


def _comparison(args, history):
    """(from, to, message): the two revisions asked for, or why they cannot be compared."""
    raw_from, raw_to = args.get("from"), args.get("to")
    if raw_from is None and raw_to is None:
        return None, None, None
    numbers = {revision.number for revision in history}
    first, second = _chosen(raw_from, numbers), _chosen(raw_to, numbers)
    if first is None or second is None:
        return None, None, ("Choose two revisions of this lesson from the list to compare "
                            f"(revisions 1 to {max(numbers, default=1)}).")
    if first == second:
        return None, None, "Choose two different revisions to compare."
    return first, second, None


@bp.route("/lessons/<int:lesson_id>/revisions")
def revisions(lesson_id):
    """The revisions of a lesson, and a diff between two of them (?from=N&to=M)."""
    viewer = current_user._get_current_object()
    lesson = services.get_visible(lesson_id, viewer)
    if lesson is None:
        abort(404)
    history = list(LessonRevision.select(LessonRevision.id, LessonRevision.number,
                                         LessonRevision.editor, LessonRevision.created_at,
                                         LessonRevision.note, Member.id, Member.name)
                   .join(Member, JOIN.LEFT_OUTER, on=(LessonRevision.editor == Member.id),
                         attr="editor_member")
                   .where(LessonRevision.lesson == lesson.id)
                   .order_by(LessonRevision.number.desc()))
    # An anonymized lesson does not name its author or country to its readers.
    reveal = lesson.attribution != "anonymous" or permissions.can_edit_lesson(viewer, lesson)
    for revision in history:
        revision.editor_label = _editor_label(revision, lesson, reveal)
        revision.changes_url = (url_for("knowledge.revisions", lesson_id=lesson.id,
                                        **{"from": revision.number - 1, "to": revision.number})
                                if revision.number > 1 else None)
    first, second, message = _comparison(request.args, history)
    changes = None
    if first is not None:
        snapshots = dict(LessonRevision.select(LessonRevision.number, LessonRevision.snapshot)
                         .where(LessonRevision.lesson == lesson.id,
                                LessonRevision.number.in_([first, second]))
                         .tuples())
        changes = diff_snapshots(snapshots[first], snapshots[second],
                                 hidden=() if reveal else ("country",))
    numbers = [revision.number for revision in history]
    return render_template(
        "knowledge/revisions.html", lesson=lesson, history=history, changes=changes,
        message=message, first=first, second=second,
        by_number={revision.number: revision for revision in history},
        default_from=first or (numbers[1] if len(numbers) > 1 else None),
        default_to=second or (numbers[0] if numbers else None)), 400 if message else 200


def _editor_label(revision, lesson, reveal):
    if revision.editor_id is None:
        return "A former member"
    if not reveal and revision.editor_id == lesson.author_id:
        return "The author"
    return revision.editor_member.name


def shown_editor(revision, lesson, reveal):
    """(member id or None, label): a revision's editor as the history page names them."""
    hidden = revision.editor_id is None or (not reveal and revision.editor_id == lesson.author_id)
    return (None if hidden else revision.editor_id), _editor_label(revision, lesson, reveal)
