"""Whatever POST /threads/{id}/posts accepts reads back unchanged; whatever it refuses is a 422
with field errors that wrote nothing; never a 500.

Bodies are markdown with arbitrary unicode, `@[Full Name]` mentions (of members, of nobody, of
oddly spaced names), quotes, raw HTML and links, blank text, over-long text, NUL characters and
unpaired surrogates; the quoted post is absent, in the thread, in another thread or out of range.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2pnet.discussions.models import Mention, Post
from tests.api_helpers import Api, token_for
from tests.moderation_helpers import make_thread, opening_post

SNIPPETS = ["**bold**", "_em_", "`code`", "\n\n", "\r\n", "\n", "- item\n", "1. first\n",
            "[link](https://example.org)", "[js](javascript:alert(1))",
            "<script>alert(1)</script>", "```\nfenced\n```\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "\t", "   ", "\\", "&amp;", "# Title\n", "~~struck~~", "\u200b", "\ufeff"]
NAMES = ["Kofi Mensah", "Amina Diallo", "kofi   MENSAH", "Nobody Here", "Nguyễn Thị Lan"]

mentions = st.builds("@[{}]".format, st.one_of(st.sampled_from(NAMES),
                                               st.text(min_size=1, max_size=20)))
quotes = st.builds(lambda text: "> " + text.replace("\n", "\n> ") + "\n\n",
                   st.text(max_size=30))
pieces = st.one_of(st.text(max_size=40), st.sampled_from(SNIPPETS), mentions, quotes)
bodies = st.one_of(
    st.lists(pieces, max_size=8).map("".join),
    st.text(alphabet=" \n\t\r\u3000\xa0", max_size=6),
    st.builds("{}\x00{}".format, st.text(max_size=5), st.text(max_size=5)),
    st.builds("{}{}{}".format, st.text(max_size=5),
              st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), st.text(max_size=5)),
    st.builds(lambda n: "x" * n, st.sampled_from([19999, 20000, 20001])),
)
QUOTES = ["none", "opening", "other_thread", "out_of_range", "text"]


def acceptable(body, quote):
    """What the API should accept: the reply form's rules, in storable text."""
    storable = "\x00" not in body and not any("\ud800" <= ch <= "\udfff" for ch in body)
    return (storable and 1 <= len(body) <= 20000 and body.strip() != ""
            and quote in ("none", "opening"))


@pytest.fixture
def conversation(client, make_member):
    """A thread in Africa, another one, and a member of Africa replying through the API."""
    amina = make_member(password=None, name="Amina Diallo")
    make_member(password=None, name="Kofi Mensah")
    make_member(password=None, name="Nguyễn Thị Lan", region_key="asia_pacific")
    thread = make_thread(amina, title="Early warning")
    other = make_thread(amina, title="Elsewhere")
    quoted = {"none": None, "opening": opening_post(thread).id,
              "other_thread": opening_post(other).id, "out_of_range": 2**63, "text": "1"}
    return Api(client, token_for(amina)), thread, quoted


@settings(max_examples=35, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, quote=st.sampled_from(QUOTES))
def test_a_reply_is_read_back_unchanged_or_refused_with_nothing_written(conversation, body,
                                                                        quote):
    api, thread, quoted = conversation
    before = (Post.select().count(), Mention.select().count())
    response = api.post(f"/threads/{thread.id}/posts",
                        json={"body_md": body, "quoted_post_id": quoted[quote]})
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    if acceptable(body, quote):
        assert response.status_code == 201, response.get_data(as_text=True)
        created = response.get_json()
        assert created["body_md"] == body
        read = api.get(response.headers["Location"])
        assert read.status_code == 200
        assert (read.get_json()["body_md"], read.get_json()["quoted_post_id"]) == (
            body, quoted[quote])
        assert Post.get_by_id(created["id"]).body_md == body
    else:
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        errors = response.get_json()["errors"]
        assert errors and set(errors) <= {"body_md", "quoted_post_id", "_schema"}
        assert (Post.select().count(), Mention.select().count()) == before
