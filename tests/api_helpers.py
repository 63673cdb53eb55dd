"""Calling the JSON API as a member would: with a personal access token."""
import collections

from r2pnet.api.tokens import create_token
from r2pnet.extensions import db


def token_for(member, scope="read-write", days=30, name="tests"):
    """A fresh token of `member`'s, in clear (as shown once on the profile page)."""
    with db.connection_context():
        return create_token(member, name, scope, days)[1]


def auth(token, **headers):
    """Headers for a call with `token` (extra headers as keyword arguments, _ for -)."""
    result = {key.replace("_", "-"): value for key, value in headers.items()}
    if token is not None:
        result["Authorization"] = f"Bearer {token}"
    return result


class Api:
    """A test client bound to one token: api.get("/lessons"), api.post("/lessons", json=...)."""

    def __init__(self, client, token=None):
        self.client = client
        self.token = token

    def _call(self, method, path, headers=None, **kwargs):
        url = path if path.startswith("/api/") else "/api/v1" + path
        return self.client.open(url, method=method, headers=auth(self.token, **(headers or {})),
                                **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._call("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self._call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("DELETE", path, **kwargs)


def all_pages(api, path, **params):
    """Every item of a paged list, following next_cursor; also the number of pages."""
    items, pages, cursor = [], 0, None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = api.get(path, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages


# Cases the schemathesis run generated, per operation: reported at the end of the run.
FUZZ_CASES = collections.Counter()
