"""Every page links Bootstrap and our own styles and scripts from this server; the links are
kept per deployment and follow the app's path."""
from tests.helpers import soup
from tests.signin import sign_in_as


def assets(page):
    """(stylesheets, scripts, icons) a page links."""
    html = soup(page)
    return ([link["href"] for link in html.find_all("link", rel="stylesheet")],
            [script["src"] for script in html.find_all("script")],
            [link["href"] for link in html.find_all("link", rel="icon")])


def test_pages_link_bootstrap_and_our_files_from_this_server(client, make_member):
    signed_out = assets(client.get("/login"))
    sign_in_as(client, make_member())
    pages = [assets(client.get(path)) for path in ("/", "/lessons", "/members", "/")]

    styles, scripts, icons = pages[0]
    assert all(page == pages[0] for page in pages) and signed_out == pages[0]
    assert styles == ["/bootstrap/static/css/bootstrap.min.css", "/static/r2pnet.css"]
    assert scripts == ["/bootstrap/static/umd/popper.min.js",
                       "/bootstrap/static/js/bootstrap.min.js", "/static/r2pnet.js"]
    assert icons == ["/static/favicon.svg"]
    for path in styles + scripts + icons:
        assert client.get(path).status_code == 200, path


def test_a_mounted_app_links_its_files_under_its_path(client):
    plain = assets(client.get("/login"))
    mounted = assets(client.get("/login", environ_overrides={"SCRIPT_NAME": "/r2p"}))
    again = assets(client.get("/login"))

    assert mounted == tuple(["/r2p" + link for link in links] for links in plain)
    assert again == plain
