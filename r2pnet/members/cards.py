"""The directory's member cards, kept per process (r2pnet/fragments.py)."""
from r2pnet import fragments


def member_cards(members):
    """(member, card) per member (with their languages and region read)."""
    macros = fragments.macros("members/_member_card.html")
    place = fragments.place()
    cards = []
    for m in members:
        key = ("member card", place, m.id, m.name, m.title, m.organization, m.country,
               m.region_id, m.region.name if m.region_id else None, m.is_focal_point, m.role,
               m.is_active, tuple(m.languages))
        cards.append((m, fragments.kept(key, macros.card, m)))
    return cards
