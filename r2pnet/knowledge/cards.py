"""The browse page's lesson cards and a lesson page's own parts, kept per process
(r2pnet/fragments.py)."""
from types import SimpleNamespace

from r2pnet import fragments


def lesson_cards(lessons, taxonomy):
    """(lesson, card) per lesson (with `browse.attach_terms`, author and region read)."""
    macros = fragments.macros("knowledge/_lesson_card.html")
    place = fragments.place()
    cards = []
    for lesson in lessons:
        region = lesson.region.name if lesson.region_id else None
        author = lesson.author
        key = ("lesson card", place, lesson.id, lesson.title, lesson.summary,
               getattr(lesson, "snippet", None), lesson.is_published, lesson.visibility,
               lesson.region_id, region, lesson.attribution, author.name, author.organization,
               lesson.country, lesson.published_at, lesson.applied_count, lesson.useful_count,
               tuple(lesson.classified["pillar"]), tuple(lesson.classified["tag"]))
        cards.append((lesson, fragments.kept(key, macros.card, lesson, taxonomy)))
    return cards


def lesson_parts(lesson, terms, taxonomy, can_edit, signed_in):
    """A lesson page's head and classification (.head, .classification), each kept under a key
    of what it shows (the lesson read with its author and region). The sections are written
    on each visit: they are already HTML, and keeping them would hold every lesson's text."""
    macros = fragments.macros("knowledge/_lesson_parts.html")
    place = fragments.place()
    author = lesson.author
    region = lesson.region.name if lesson.region_id else None
    head = ("lesson head", place, lesson.id, lesson.title, lesson.summary, lesson.is_published,
            lesson.visibility, lesson.region_id, region, lesson.attribution, author.name,
            author.organization, lesson.country, lesson.published_at, lesson.updated_at,
            can_edit, signed_in)
    classification = ("lesson classification", place,
                      tuple((field, tuple(keys)) for field, keys in terms.items()))
    return SimpleNamespace(
        head=fragments.kept(head, macros.head, lesson, can_edit, signed_in),
        classification=fragments.kept(classification, macros.classification, terms, taxonomy))
