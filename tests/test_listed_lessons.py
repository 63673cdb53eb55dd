"""Lessons read for lists as plain rows show what the lesson's model shows."""
from r2pnet.knowledge import browse
from r2pnet.knowledge.models import Lesson

SHOWN = ("id", "title", "summary", "author_id", "country", "region_id", "attribution",
         "visibility", "is_published", "published_at", "created_at", "updated_at", "version",
         "applied_count", "useful_count")


def test_a_listed_lesson_holds_the_models_values_author_and_region(make_member, make_lesson):
    author = make_member(name="Amina Diallo", organization="Ministry of Justice")
    drafts = [make_lesson(author, region_key="africa", country="KE", title="With a region"),
              make_lesson(author, title="Without a region", attribution="anonymous"),
              make_lesson(author, title="A draft", publish=False)]
    listed = {lesson.id: lesson for lesson in browse.listed(author, [d.id for d in drafts])}
    assert set(listed) == {d.id for d in drafts}
    for draft in drafts:
        model, row = Lesson.get_by_id(draft.id), listed[draft.id]
        assert {name: getattr(row, name) for name in SHOWN} == {
            name: getattr(model, name) for name in SHOWN}
        assert (row.author.id, row.author.name, row.author.organization) == (
            author.id, "Amina Diallo", "Ministry of Justice")
        region = (row.region.id, row.region.key, row.region.name) if row.region else None
        assert region == ((model.region.id, model.region.key, model.region.name)
                          if model.region_id else None)
    assert listed[drafts[2].id].published_at is None
    assert listed[drafts[2].id].is_published is False
