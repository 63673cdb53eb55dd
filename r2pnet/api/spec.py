"""The OpenAPI 3.1 document, generated from the registered operations and their schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template

from r2pnet.api.core import OPERATIONS, bp, json_response
from r2pnet.api.problems import PROBLEM_TYPE

PATH_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "errors": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}}},
    },
}

INTRODUCTION = """The r2pnet API gives programs what members see on the pages, under the same rules.

* Authenticate with a personal access token made on your profile page:
  `Authorization: Bearer r2p_...`. A read-only token cannot change anything.
* Lists are paged by cursor: follow the `Link: <...>; rel="next"` header (or pass
  `next_cursor` back as `cursor`) until there is none. The order is stable.
* Single resources carry an `ETag`; updates must send it back in `If-Match`
  (412 when someone changed the resource since, 428 without it).
* Errors are `application/problem+json` (RFC 9457); `errors` names each field at fault.
* What you may not see answers 404, exactly as if it did not exist.
"""


def _openapi_path(rule):
    return "/api/v1" + PATH_VARIABLE.sub(lambda m: "{" + m.group(2) + "}", rule)


def _path_parameters(rule):
    params = []
    for converter, name in PATH_VARIABLE.findall(rule):
        schema = ({"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
                  if converter == "int" else {"type": "string", "minLength": 1})
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    return params


def _operation(op):
    doc = {
        "operationId": op.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _path_parameters(op.rule),
        "responses": {},
    }
    if op.description:
        doc["description"] = op.description
    if op.public:
        doc["security"] = [{}, {"bearerAuth": []}, {"sessionCookie": []}]
    if op.query is not None:
        doc["parameters"].append({"in": "query", "schema": op.query})
    if op.if_match:
        doc["parameters"].append({
            "in": "header", "name": "If-Match", "required": True,
            "description": "The ETag of the version you read.",
            "schema": {"type": "string", "minLength": 1}})
    if op.body is not None:
        content = {"schema": op.body}
        if op.example is not None:
            content["example"] = op.example
        doc["requestBody"] = {"required": True, "content": {"application/json": content}}
    success = {"description": "OK" if op.status == 200 else "Created" if op.status == 201
               else "Done"}
    if op.binary:
        # One media type, or several (a download answers with the type of its file).
        kinds = (op.binary,) if isinstance(op.binary, str) else op.binary
        success["content"] = {kind: {"schema": {"type": "string", "contentMediaType": kind}}
                              for kind in kinds}
    elif op.paginated:
        success["content"] = {"application/json": {"schema": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": {"items": {"type": "array", "items": op.response},
                           "next_cursor": {"type": ["string", "null"]}}}}}
        success["headers"] = {"Link": {"description": 'The next page: <url>; rel="next"',
                                       "schema": {"type": "string"}}}
    elif op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    if op.etag:
        success.setdefault("headers", {})["ETag"] = {"schema": {"type": "string"}}
    doc["responses"][str(op.status)] = success
    if op.etag and op.method == "GET":
        doc["responses"]["304"] = {"description": "Not modified (If-None-Match)"}
    doc["responses"]["default"] = {"$ref": "#/components/responses/Problem"}
    return doc


def build_spec(base_url):
    """The whole document for a deployment at `base_url`."""
    spec = APISpec(title="r2pnet API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": INTRODUCTION},
                   servers=[{"url": base_url.rstrip("/") or "/"}],
                   security=[{"bearerAuth": []}, {"sessionCookie": []}])
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "r2p_ personal access token",
        "description": "A personal access token from your profile page."})
    spec.components.security_scheme("sessionCookie", {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "The browser session; writes also need the X-CSRFToken header."})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    spec.components.response("Problem", {
        "description": "An error, as RFC 9457 problem details",
        "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
    paths = {}
    for op in OPERATIONS:
        paths.setdefault(_openapi_path(op.rule), {})[op.method.lower()] = _operation(op)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def document():
    """The document for this app, built once per process."""
    cached = current_app.extensions.get("openapi")
    if cached is None:
        cached = current_app.extensions["openapi"] = build_spec(current_app.config["BASE_URL"])
    return cached


@bp.route("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document."""
    response = json_response(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/docs")
def reference():
    """A readable reference page, rendered here from the document (no scripts, no CDN)."""
    return render_template("api/reference.html", spec=document())
