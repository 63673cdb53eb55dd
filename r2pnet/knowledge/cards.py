"""The browse page's lesson cards, kept per process (r2pnet/fragments.py)."""
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
