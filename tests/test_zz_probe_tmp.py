from tests.helpers import post_form, csrf_token, soup


def test_probe(client, as_member, make_member):
    me = as_member(role="administrator")
    other = make_member(password=None)
    r = client.get(f"/members/{other.id}/edit")
    print("GET", r.status_code, r.headers.get("Set-Cookie"))
    print(soup(r).find("meta", attrs={"name": "csrf-token"}))
    r = post_form(client, "/profile", {"name": "X"})
    print("A", r.status_code)
    r = post_form(client, f"/members/{other.id}/edit", {"name": "X"}, csrf_from="/profile")
    print("A2", r.status_code)
