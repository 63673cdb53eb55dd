"""An empty network prints a one-time link that creates the first administrator."""
from r2pnet.serve import announce_setup
from tests.helpers import PASSWORD, post_form


def _path(url):
    return url.split("http://r2pnet.test", 1)[1]


def test_start_up_prints_a_setup_link_that_creates_the_first_administrator(app, client, capsys):
    url = announce_setup(app)
    assert "/setup/" in url and url in capsys.readouterr().out
    response = post_form(client, _path(url), {"email": "Chief@Secretariat.org", "name": "Chief",
                                              "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/regions").status_code == 200  # signed in as administrator
    assert announce_setup(app) is None
    assert client.get(_path(url)).status_code == 404  # used up


def test_each_start_revokes_the_previous_setup_link(app, client):
    first, second = announce_setup(app), announce_setup(app)
    assert client.get(_path(first)).status_code == 404
    assert client.get(_path(second)).status_code == 200


def test_a_setup_link_cannot_be_used_as_an_invitation(app, client):
    token = announce_setup(app).rsplit("/", 1)[1]
    assert client.get(f"/invitations/{token}").status_code == 404


def test_a_setup_link_stops_working_once_an_administrator_exists(app, client, runner):
    url = announce_setup(app)
    result = runner.invoke(args=["create-admin", "chief@secretariat.org", "--name", "Chief",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert client.get(_path(url)).status_code == 404
