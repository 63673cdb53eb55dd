"""The app starts, migrates, and answers its health check."""
from tests.helpers import login


def test_healthz_answers_ok_with_the_database_checked(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_member_signs_in_and_sees_the_directory(client, make_member):
    member = make_member(email="amina@example.org", name="Amina Diallo")
    assert login(client, "amina@example.org").status_code == 302
    page = client.get("/members")
    assert page.status_code == 200
    assert "Amina Diallo" in page.get_data(as_text=True)
    assert member.id
