"""The search page's results, kept per process (r2pnet/fragments.py) under keys that hold all
each one shows (templates/discussions/_search_results.html)."""
from r2pnet import fragments


def result_cards(lessons, threads, posts):
    """(lesson cards, thread cards, reply cards), each result's HTML in the order given."""
    macros = fragments.macros("discussions/_search_results.html")
    place = fragments.place()
    return (
        [fragments.kept(("found lesson", place, lesson.id, lesson.title, lesson.snippet),
                        macros.lesson, lesson) for lesson in lessons],
        [fragments.kept(("found thread", place, thread.id, thread.marked_title,
                         thread.region.name if thread.region_id else None, thread.snippet),
                        macros.thread, thread) for thread in threads],
        [fragments.kept(("found reply", place, post.id, post.number, post.thread,
                         post.author.name, post.snippet), macros.reply, post)
         for post in posts])
