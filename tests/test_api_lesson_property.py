"""Whatever POST /lessons accepts reads back unchanged; whatever it refuses is a 422 naming
fields, with nothing written; never a server error.

Bodies are generated field by field, each either from what the document allows (marked
clean) or from anything JSON can carry (arbitrary unicode, wrong types, out-of-range numbers,
unknown fields). A body made only of clean parts must be accepted, unless it breaks one of the
two rules the pages also enforce (publishing needs a pillar; a region-only lesson needs a
region).
"""
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from r2pnet.extensions import db
from r2pnet.knowledge.models import SECTIONS, Lesson, LessonRevision, LessonTerm
from r2pnet.knowledge.schemas import normalise_tag
from r2pnet.members.models import Region
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS, STRATEGY_ELEMENTS
from tests.api_helpers import Api, token_for
from tests.helpers import region

REGION_KEYS = ["africa", "americas", "europe"]
COUNTRIES = ["GH", "FR", "BR", "JP", "AQ"]  # AQ belongs to no region
NOT_SPACE = st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"))
WORDS = st.lists(st.text(NOT_SPACE, min_size=1, max_size=12), min_size=1,
                 max_size=6).map(" ".join)
MARKDOWN = st.sampled_from([
    "", "**bold** and _em_", "- one\n- two\r\n\n1. three", "<script>alert(1)</script>",
    "[link](javascript:alert(1))", "| a | b |\n|---|---|\n| 1 | 2 |", "    code\n\n> quote",
    "  leading and trailing spaces  \n\n", "\u202eright-to-left\u200b", "emoji 🙂 and 𝔘𝔫𝔦",
])
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                     st.lists(st.integers(), max_size=2))


def choices(options):
    return st.lists(st.sampled_from(options), unique=True)


def wrong_choices(options):
    return st.one_of(st.lists(st.one_of(st.sampled_from(options), ANYTHING), max_size=4),
                     ANYTHING)


WORD_TAGS = st.lists(st.text(st.characters(categories=("Ll", "Nd")), min_size=1, max_size=9),
                     min_size=1, max_size=3).map(" ".join)
TAGS = st.lists(WORD_TAGS.filter(lambda tag: normalise_tag(tag) == tag), unique=True,
                max_size=15)
# field -> (what the document allows, anything at all); title and summary are always sent.
FIELDS = {
    "title": (WORDS, st.one_of(st.text(max_size=210), st.just("t" * 201), ANYTHING)),
    "summary": (st.lists(WORDS, min_size=1, max_size=3).map("\n".join),
                st.one_of(st.text(max_size=510), ANYTHING)),
    "country": (st.sampled_from(COUNTRIES + [None]), st.one_of(st.text(max_size=3), ANYTHING)),
    "region_id": (st.sampled_from(REGION_KEYS + [None]),
                  st.one_of(st.integers(-3, 2**64), st.booleans(), st.text(max_size=3),
                            st.floats())),
    "attribution": (st.sampled_from(["office", "anonymous"]), ANYTHING),
    "visibility": (st.sampled_from(["network", "region", "public"]), ANYTHING),
    "pillars": (choices(list(PILLARS)), wrong_choices(list(PILLARS))),
    "crimes": (choices(list(CRIMES)), wrong_choices(list(CRIMES))),
    "priorities": (choices(list(PRIORITIES)), wrong_choices(list(PRIORITIES))),
    "risk_factors": (choices(list(RISK_FACTORS)), wrong_choices(list(RISK_FACTORS))),
    "strategy": (choices(list(STRATEGY_ELEMENTS)), wrong_choices(list(STRATEGY_ELEMENTS))),
    "tags": (TAGS, st.one_of(st.lists(st.text(max_size=45), max_size=17), ANYTHING)),
    **{f"{key}_md": (st.one_of(MARKDOWN, st.text(st.characters(
        exclude_categories=("Cs",), exclude_characters="\x00"), max_size=300)),
        st.one_of(st.text(max_size=50), st.just("x" * 20001), ANYTHING)) for key in SECTIONS},
    "publish": (st.booleans(), ANYTHING),
    # Read-only and unknown fields: never allowed.
    "version": (st.nothing(), ANYTHING),
    "author_id": (st.nothing(), ANYTHING),
    "colour": (st.nothing(), ANYTHING),
}
OPTIONAL = [key for key in FIELDS if key not in ("title", "summary", "version", "author_id",
                                                  "colour")]


@st.composite
def bodies(draw):
    """(body, clean): about half the bodies are clean; the others spoil a few fields."""
    spoiled = (draw(st.sets(st.sampled_from(list(FIELDS)), min_size=1, max_size=3))
               if draw(st.booleans()) else set())
    sent = ["title", "summary"] + draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    sent += [key for key in spoiled if key not in sent]
    body = {}
    for key in sent:
        allowed, anything = FIELDS[key]
        body[key] = draw(anything if key in spoiled else allowed)
    if "region_id" not in spoiled and body.get("region_id") is not None:
        body["region_id"] = ("region", body["region_id"])  # a key: its id is known later
    return body, not spoiled


DEFAULTS = {"country": None, "region_id": None, "attribution": "office",
            "visibility": "network", "pillars": [], "crimes": [], "priorities": [],
            "risk_factors": [], "strategy": [], "tags": [], "publish": False,
            **{f"{key}_md": "" for key in SECTIONS}}


def rows():
    documents = db.execute_sql("SELECT COUNT(*) FROM search_document").fetchone()[0]
    return (Lesson.select().count(), LessonRevision.select().count(),
            LessonTerm.select().count(), documents)


def expected_region(sent):
    if sent["region_id"] is not None or sent["country"] is None:
        return sent["region_id"]
    default = Region.default_for_country(sent["country"])
    return default.id if default else None


def breaks_a_page_rule(sent):
    """Clean input the lesson service still refuses, as the page does."""
    if sent["publish"] and not sent["pillars"]:
        return True
    return sent["visibility"] == "region" and expected_region(sent) is None


def test_defaults_leave_a_region_less_country_without_a_region(app):
    assert Region.default_for_country("AQ") is None
    assert Region.default_for_country("GH").key == "africa"


@settings(max_examples=35, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=bodies())
def test_what_is_accepted_reads_back_unchanged_and_what_is_refused_writes_nothing(
        client, make_member, generated):
    body, is_clean = generated
    author = make_member(region_key="africa", password=None)
    api = Api(client, token_for(author))
    if isinstance(body.get("region_id"), tuple):
        body["region_id"] = region(body["region_id"][1]).id
    note(f"body={body!r} clean={is_clean}")
    before = rows()

    response = api.post("/lessons", json=body)

    assert response.status_code in (201, 422), response.get_data(as_text=True)
    event(f"{response.status_code} ({'clean' if is_clean else 'arbitrary'} body)")
    if response.status_code == 422:
        errors = response.get_json()["errors"]
        assert errors and all(isinstance(m, list) and m for m in errors.values()), errors
        assert rows() == before
        sent = dict(DEFAULTS, **body)
        assert not is_clean or breaks_a_page_rule(sent), errors
        return
    sent = dict(DEFAULTS, **body)  # a spoiled field may happen to be valid
    assert not breaks_a_page_rule(sent)
    read = api.get(response.headers["Location"].removeprefix("http://r2pnet.test")).get_json()
    for key, value in sent.items():
        if key == "publish":
            assert read["is_published"] is value
        elif key == "region_id":
            assert read["region_id"] == expected_region(sent)
        else:
            assert read[key] == value, key
