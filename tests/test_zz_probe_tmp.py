from tests.helpers import post_form, csrf_token, soup
from flask.sessions import SecureCookieSessionInterface


def test_probe(app, client, as_member, make_member):
    me = as_member(role="administrator")
    s = SecureCookieSessionInterface().get_signing_serializer(app)
    print(s.loads(client.get_cookie("session").value))
    r = client.get("/profile")
    print(s.loads(client.get_cookie("session").value))
    tok = soup(r).find("meta", attrs={"name": "csrf-token"})["content"]
    r = client.post("/profile", data={"name": "X", "csrf_token": tok})
    print("A", r.status_code, soup(r).title)
