"""The API blueprint and what every operation shares: auth, input, output, cursors, ETags."""
import dataclasses
import functools
import hashlib
import json

from flask import Blueprint, Response, current_app, g, request, url_for
from flask_login import current_user
from marshmallow import RAISE, ValidationError, fields

from r2pnet import pages
from r2pnet.api import tokens
from r2pnet.api.dumping import dumper
from r2pnet.api.paging import Page
from r2pnet.api.problems import Problem
from r2pnet.errors import Conflict, DomainError, Forbidden, NotFound
from r2pnet.extensions import csrf, login_manager
from r2pnet.forms import shared_schema

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token calls carry no CSRF token; session calls are checked below

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_JSON_BODY = 1024 * 1024  # files are not sent as JSON


@dataclasses.dataclass
class Operation:
    """One documented API operation: what the OpenAPI document is generated from."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    description: str = ""
    query: type | None = None
    body: type | None = None
    response: type | None = None
    status: int = 200
    public: bool = False
    paginated: bool = False
    if_match: bool = False
    etag: bool = False
    binary: str | None = None  # the media type of a non-JSON response (downloads)
    example: dict | None = None


OPERATIONS = []


def _unstorable(value, path=""):
    """Where a JSON value holds text no database can store (NUL, lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            return path or "_schema"
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, sub in items:
        found = _unstorable(key, path) if isinstance(key, str) else None
        found = found or _unstorable(sub, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def _refuse_unstorable(data):
    where = _unstorable(data)
    if where:
        raise Problem(422, "Text may not contain NUL characters or unpaired surrogates.",
                      {where: ["Remove the NUL characters or unpaired surrogates."]})


def operation(rule, method="GET", *, summary, tag, description="", query=None, body=None,
              response=None, status=200, public=False, paginated=False, if_match=False,
              etag=False, binary=None, example=None, kept=False):
    """Register a view under /api/v1 and in the OpenAPI document.

    The view gets the path variables, plus `query` and `body` when schemas are given (already
    validated). It returns a Response, a Page (for paginated lists), or an object that the
    `response` schema dumps. `kept`: its answers are kept for their reader while nothing
    they show changes (r2pnet/pages.py), for reads that depend on nothing but the request.
    """
    def decorate(fn):
        op = Operation(rule=rule, method=method, endpoint=f"api.{fn.__name__}", summary=summary,
                       tag=tag, description=description or (fn.__doc__ or "").strip(),
                       query=query, body=body, response=response, status=status, public=public,
                       paginated=paginated, if_match=if_match, etag=etag, binary=binary,
                       example=example)

        @functools.wraps(fn)
        def view(**path):
            _authorize(op)
            if kept:
                return pages.answer(lambda: respond(path))
            return respond(path)

        def respond(path):
            kwargs = dict(path)
            if query is not None:
                kwargs["query"] = load_query(query)
            if body is not None:
                kwargs["body"] = load_body(body)
            result = fn(**kwargs)
            if isinstance(result, Response):
                return result
            if isinstance(result, Page):
                return page_response(result, response)
            payload = dumper(response).dump(result) if response is not None else result
            return json_response(payload, status)

        bp.add_url_rule(rule, fn.__name__, view, methods=[method])
        OPERATIONS.append(op)
        return view
    return decorate


# --- authentication ------------------------------------------------------------------------

@bp.before_request
def _authenticate():
    """A bearer token signs the request in for its duration; else the browser session counts."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, presented = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise Problem(401, "Use 'Authorization: Bearer <token>'.")
        row = tokens.authenticate(presented.strip(), request.remote_addr or "")
        if row is None:
            raise Problem(401, "The token is unknown, expired or revoked.",
                          headers={"WWW-Authenticate": 'Bearer realm="r2pnet", '
                                                       'error="invalid_token"'})
        g.api_token = row
        login_manager._update_request_context_with_user(row.member)
    elif request.method not in SAFE_METHODS and current_user.is_authenticated:
        csrf.protect()  # a same-site call from the browser: send X-CSRFToken


def _authorize(op):
    if not current_user.is_authenticated:
        if op.public and op.method in SAFE_METHODS:
            return
        raise Problem(401)
    if op.method not in SAFE_METHODS and g.api_token is not None and not g.api_token.can_write:
        raise Problem(403, "This token is read-only: make a read-and-write token to change "
                           "things.")


def rate_limit_key():
    """Whose budget a request spends: its token (hashed), else its address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "token:" + tokens.digest(header[7:].strip())[:32]
    return "address:" + (request.remote_addr or "")


def address_key():
    return "address:" + (request.remote_addr or "")


# --- input -----------------------------------------------------------------------------------

def load_query(schema_cls):
    """The query string through a schema: lists from repeated keys, unknown keys refused."""
    schema = shared_schema(schema_cls)
    values = {}
    for key in request.args:
        field = schema.fields.get(key)
        if isinstance(field, fields.List):
            values[key] = request.args.getlist(key)
        else:
            values[key] = request.args.get(key)
    _refuse_unstorable(values)
    try:
        return schema.load(values, unknown=RAISE)
    except ValidationError as exc:
        raise Problem(422, "Some query parameters are not valid.", exc.messages) from None


def read_json():
    """The request's JSON object: 415 for another media type, 400 when it does not parse."""
    if request.mimetype != "application/json":
        raise Problem(415, "Send the body as application/json.")
    if (request.content_length or 0) > MAX_JSON_BODY:
        raise Problem(413, f"Send at most {MAX_JSON_BODY // 1024} KiB of JSON.")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"The body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Problem(422, "The body must be a JSON object.",
                      {"_schema": ["Expected a JSON object."]})
    return data


def load_body(schema_cls, partial=False):
    """The JSON body through a schema; 422 names every bad, unknown or read-only field."""
    data = read_json()
    _refuse_unstorable(data)
    try:
        return shared_schema(schema_cls).load(data, partial=partial, unknown=RAISE)
    except ValidationError as exc:
        raise Problem(422, "Some fields are not valid.", exc.messages) from None


# --- output ----------------------------------------------------------------------------------

def json_response(payload, status=200, headers=None):
    """A JSON response (never cached by shared caches: it depends on who asks)."""
    response = Response(json.dumps(payload, ensure_ascii=False), status=status,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-cache"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def deployment_address():
    """(BASE_URL, the app's path): what every absolute address an item holds is built from,
    part of the key of anything kept with such addresses."""
    return current_app.config["BASE_URL"], request.script_root


def web_url(endpoint, **values):
    """The absolute address of a page or resource, on the deployment's BASE_URL (as in mail)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def etag_for(kind, obj_id, version):
    """A strong ETag for one version of one resource."""
    token = hashlib.sha256(f"{kind}:{obj_id}:{version}".encode()).hexdigest()[:20]
    return f'"{token}"'


def etag_of(kind, obj_id, payload):
    """An ETag that changes whenever the representation does (whoever changed what)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return etag_for(kind, obj_id, hashlib.sha256(text.encode()).hexdigest())


def with_etag(payload, tag, status=200):
    """A single resource with its ETag; 304 when the client already has this version."""
    if tag in _listed(request.headers.get("If-None-Match")):
        response = Response(status=304)
        response.headers["ETag"] = tag
        return response
    response = json_response(payload, status)
    response.headers["ETag"] = tag
    return response


def require_if_match(current_tag):
    """Updates need the ETag the client read: 428 without one, 412 when it is stale."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise Problem(428, "Send If-Match with the ETag you read, so no one's change is lost.")
    listed = _listed(header)
    if "*" not in listed and current_tag not in listed:
        raise Problem(412, "The resource changed since you read it: fetch it again, then "
                           "apply your change.")


def _listed(header):
    if not header:
        return set()
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


# --- lists ------------------------------------------------------------------------------

def page_response(page, schema_cls):
    """{"items": [...], "next_cursor": ...} with a Link header to the next page."""
    items = page.items
    if schema_cls is not None and not page.dumped:
        items = dumper(schema_cls).dump(items, many=True)
    headers = {}
    if page.next_cursor:
        args = request.args.to_dict(flat=False)
        args["cursor"] = [page.next_cursor]
        url = url_for(request.endpoint, _external=False, **request.view_args, **args)
        headers["Link"] = f'<{url}>; rel="next"'
    return json_response({"items": items, "next_cursor": page.next_cursor}, 200, headers)


# --- domain errors from the services -------------------------------------------------------

@bp.errorhandler(NotFound)
def _not_found(error):
    return Problem(404, error.message).get_response()


@bp.errorhandler(Forbidden)
def _forbidden(error):
    return Problem(403, error.message).get_response()


@bp.errorhandler(Conflict)
def _conflict(error):
    return Problem(409, error.message).get_response()


@bp.errorhandler(DomainError)
def _refused(error):
    return Problem(422, error.message, error.errors).get_response()


def config_limit(key):
    return lambda: current_app.config[key]
