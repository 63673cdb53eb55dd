"""Highlighting finds the same words in ASCII text by its quick path as by the full regex."""
from hypothesis import given, settings
from hypothesis import strategies as st

from r2pnet import search

ASCII_TEXT = st.text(st.sampled_from(list("abcABzZ09_-'. \n\t")), max_size=60)
WORD = st.text(st.sampled_from("abcz09AB"), min_size=1, max_size=4)


def finds(matches):
    return [(match.start(), match.end(), match.group()) for match in matches]


@settings(max_examples=300, deadline=None)
@given(text=ASCII_TEXT, words=st.lists(WORD, min_size=1, max_size=4), start=st.integers(0, 60))
def test_the_quick_path_finds_what_the_regex_finds(text, words, start):
    highlighter = search._highlighter(" ".join(words))
    assert highlighter.ascii is not None and text.isascii()
    assert (finds(highlighter.finditer(text, start))
            == finds(highlighter.pattern.finditer(text, start)))


def test_a_word_inside_a_longer_word_is_not_marked():
    highlighter = search._highlighter("war warn")
    assert finds(highlighter.finditer("Warning: war, WARN_x 2war warn")) == [
        (9, 12, "war"), (14, 18, "WARN"), (26, 30, "warn")]


def test_text_with_accents_goes_through_the_regex():
    highlighter = search._highlighter("cote")
    assert finds(highlighter.finditer("Côte and cote")) == [(0, 4, "Côte"), (9, 13, "cote")]


def test_words_with_accents_go_through_the_regex():
    highlighter = search._highlighter("Ngũgĩ straße")
    assert highlighter.ascii is None
    assert finds(highlighter.finditer("Ngugi met STRASSE at the strasse")) == [(0, 5, "Ngugi")]
