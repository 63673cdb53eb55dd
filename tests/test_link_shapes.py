"""Links built from a remembered shape are exactly the links Flask builds."""
import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

SAMPLES = {int: [0, 7, 123456789], str: ["africa", "a.b-c_d~e", "token-Abc_123"]}


def _flask(app, endpoint, **values):
    return Flask.url_for(app, endpoint, **values)


def _outcome(build, *args, **values):
    """The link, or the type of error building it raised."""
    try:
        return build(*args, **values)
    except Exception as exc:  # noqa: BLE001 - the same failure is what is compared
        return type(exc)


def _sample_values(rule, pick):
    values = {}
    for name in rule._converters:  # path arguments; not a rule's fixed defaults
        numeric = isinstance(rule._converters[name], IntegerConverter)
        values[name] = SAMPLES[int if numeric else str][pick]
    return values


def test_every_route_builds_the_same_link_both_ways(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule._converters]
    with app.test_request_context("/"):
        for pick in range(3):
            for rule in rules:
                values = _sample_values(rule, pick)
                expected = _flask(app, rule.endpoint, **values)
                assert app.url_for(rule.endpoint, **values) == expected, rule
                assert app.url_for(rule.endpoint, **values) == expected, rule  # from its shape
    assert len(rules) > 50


def test_query_strings_build_the_same_link_both_ways(app):
    with app.test_request_context("/"):
        for values in ({"thread_id": 5, "page": 2}, {"thread_id": 0, "page": 123456789},
                       {"thread_id": 5, "quote": 9, "page": 1}):
            expected = _flask(app, "discussions.thread_page", **values)
            for _ in range(2):
                assert app.url_for("discussions.thread_page", **values) == expected
        assert app.url_for("discussions.thread_page", thread_id=5, page=2) == "/threads/5?page=2"
        for key in ("africa", "a.b-c_d~e/f", "a b&c=d", "é", ""):
            expected = _flask(app, "members.directory", region=key, page=3)
            assert app.url_for("members.directory", region=key, page=3) == expected, key


def test_lists_build_the_same_link_both_ways(app):
    lists = ([], ["pillar_1"], ["pillar_1", "pillar_2"], ["a b", "pillar_2"], [3, 14],
             ["é"], ["pillar_1", 2, "x.y"])
    with app.test_request_context("/"):
        for values in lists:
            for extra in ({}, {"page": 2}, {"q": "warning", "crime": ["genocide"]}):
                expected = _flask(app, "knowledge.browse_lessons", pillar=values, **extra)
                for _ in range(2):
                    assert (app.url_for("knowledge.browse_lessons", pillar=values, **extra)
                            == expected), (values, extra)
        assert (app.url_for("knowledge.export_csv", pillar=["pillar_1", "pillar_2"], page=3)
                == "/lessons.csv?pillar=pillar_1&pillar=pillar_2&page=3")


def test_endpoints_with_defaults_always_go_to_flask(app):
    with app.test_request_context("/"):
        assert app.url_for("discussions.network_space") == "/network"
        for _ in range(2):
            assert (app.url_for("discussions.network_space", page=2)
                    == _flask(app, "discussions.network_space", page=2))
        assert not [shape for (_, endpoint, _), shape in app._link_shapes.items()
                    if endpoint == "discussions.network_space" and shape]


@pytest.mark.parametrize("values", [
    {"thread_id": 5, "page": 2},  # a query string
    {"key": "a b/é?"},  # text that needs escaping
    {"key": "../x"},
    {"key": "africa", "sort": "newest"},
    {"key": ""},
])
def test_links_that_need_more_than_a_shape_still_match_flask(app, values):
    endpoint = ("discussions.thread_page" if "thread_id" in values
                else "discussions.region_space")
    with app.test_request_context("/"):
        expected = _outcome(_flask, app, endpoint, **values)
        for _ in range(2):
            assert _outcome(app.url_for, endpoint, **values) == expected


@pytest.mark.parametrize("value", [-1, "abc", "3", None, True, 2**70])
def test_values_a_route_refuses_are_refused_as_before(app, value):
    with app.test_request_context("/"):
        assert app.url_for("discussions.thread_page", thread_id=3) == "/threads/3"
        expected = _outcome(_flask, app, "discussions.thread_page", thread_id=value)
        for _ in range(2):
            assert _outcome(app.url_for, "discussions.thread_page", thread_id=value) == expected


def test_anchors_external_links_and_relative_endpoints_go_to_flask(app):
    with app.test_request_context("/threads/1"):
        assert (app.url_for("discussions.thread_page", thread_id=4, _anchor="post-2")
                == "/threads/4#post-2")
        assert app.url_for("discussions.thread_page", thread_id=4, _external=True) == (
            _flask(app, "discussions.thread_page", thread_id=4, _external=True))
        assert app.url_for(".thread_page", thread_id=4) == "/threads/4"


def test_a_mounted_app_keeps_its_prefix(app):
    with app.test_request_context("/threads/1", base_url="http://localhost/r2p/"):
        assert app.url_for("discussions.thread_page", thread_id=4) == "/r2p/threads/4"
    with app.test_request_context("/threads/1"):
        assert app.url_for("discussions.thread_page", thread_id=4) == "/threads/4"
