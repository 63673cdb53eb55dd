"""@[Full Name] mentions: resolved to members who can see the thread, linked, recorded."""
import re

from peewee import fn

from r2pnet import permissions
from r2pnet.members.models import Member

MENTION = re.compile(r"@\[([^\[\]\n]{1,120})\]")
MAX_MENTIONS = 20
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def names_in(text):
    """The names mentioned in a text, first occurrence kept (case-insensitive)."""
    found = {}
    for match in MENTION.finditer(text or ""):
        name = " ".join(match.group(1).split())
        found.setdefault(name.casefold(), name)
    return list(found.values())


def resolve(text, thread, writer):
    """({casefolded name: member} for mentions that count, [messages for the writer]).

    A mention counts when exactly one active member has that name and can read the thread;
    otherwise it stays plain text and the writer is told why.
    """
    names = names_in(text)
    notes = []
    if len(names) > MAX_MENTIONS:
        notes.append(f"Only the first {MAX_MENTIONS} mentions notify anyone.")
        names = names[:MAX_MENTIONS]
    if not names:
        return {}, notes
    folded = [name.casefold() for name in names]
    candidates = {}
    for member in Member.active().where(
            fn.LOWER(Member.name).in_({n.lower() for n in names} | set(names))):
        candidates.setdefault(member.name.casefold(), []).append(member)
    resolved = {}
    for name, key in zip(names, folded, strict=True):
        matches = candidates.get(key, [])
        if not matches:
            notes.append(f"No member is called “{name}”: that mention does nothing.")
        elif len(matches) > 1:
            notes.append(f"Several members are called “{name}”: that mention does nothing.")
        elif matches[0].id == writer.id:
            continue
        elif not permissions.can_read_thread(matches[0], thread):
            notes.append(f"{matches[0].name} cannot see this thread, so the mention does "
                         f"nothing and they are not told.")
        else:
            resolved[key] = matches[0]
    return resolved, notes


def link(text, resolved):
    """The markdown with each counted mention turned into a link to the member's profile."""
    def replace(match):
        member = resolved.get(" ".join(match.group(1).split()).casefold())
        if member is None:
            return "@" + MARKDOWN_SPECIAL.sub(r"\\\1", match.group(1))
        label = MARKDOWN_SPECIAL.sub(r"\\\1", member.name)
        return f"[@{label}](/members/{member.id})"
    return MENTION.sub(replace, text or "")
