"""Templates share the environment's globals; a template's own globals stay its own."""


def test_templates_see_the_environments_globals_even_those_added_after_loading(app):
    env = app.jinja_env
    template = env.from_string("{{ greeting }} {{ url_for('web.home') }}")
    env.globals["greeting"] = "hello"
    try:
        with app.test_request_context("/"):
            assert template.render() == "hello /"
    finally:
        del env.globals["greeting"]


def test_a_templates_own_globals_do_not_reach_the_environment(app):
    env = app.jinja_env
    template = env.from_string("{{ only_here }}", globals={"only_here": "mine"})

    assert template.render() == "mine"
    assert "only_here" not in env.globals
    assert env.from_string("{{ only_here is defined }}").render() == "False"


def test_macros_imported_into_a_page_render_with_the_pages_globals(app):
    env = app.jinja_env
    page = env.from_string('{% from "_form.html" import feedback %}'
                           '{{ feedback("title", {"title": ["Too long."]}) }}')

    with app.test_request_context("/"):
        assert "Too long." in page.render()
        assert "Too long." in page.render()  # the imported module is reused
