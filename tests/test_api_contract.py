"""The OpenAPI document and the app agree; the reference page shows it, nothing from elsewhere."""
import re
from urllib.parse import urlsplit

import jsonschema_rs
from bs4 import BeautifulSoup
from flask import render_template

from r2pnet.api.reference import build_reference
from tests.helpers import soup
from tests.signin import sign_in_as

# The two routes that serve the document itself are not operations of the API.
DOCUMENT_ENDPOINTS = {"api.openapi_json", "api.reference"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
PATH_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def routes(app):
    """{(openapi path, METHOD): endpoint} for every route under /api/v1 but the document's."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in DOCUMENT_ENDPOINTS:
            continue
        path = PATH_VARIABLE.sub(r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            found[(path, method)] = rule.endpoint
    return found


def operations(doc):
    """{(path, METHOD): operation} of the document."""
    return {(path, method.upper()): op for path, item in doc["paths"].items()
            for method, op in item.items()}


def component(doc, node):
    """The component schema a {"$ref": ...} names, or the node itself."""
    ref = node.get("$ref", "") if isinstance(node, dict) else ""
    if ref.startswith("#/components/schemas/"):
        return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return node


# --- the document and the routes -----------------------------------------------------------

def test_every_api_route_is_documented_and_every_documented_operation_exists(app, client):
    doc = document(client)
    served = routes(app)
    documented = operations(doc)

    assert served, "no API routes at all"
    assert sorted(set(served) - set(documented)) == [], "routes missing from the document"
    assert sorted(set(documented) - set(served)) == [], "documented operations with no route"
    for key, op in documented.items():
        assert served[key] == "api." + op["operationId"], key
    assert "/api/v1/openapi.json" not in doc["paths"] and "/api/v1/docs" not in doc["paths"]


def test_the_document_is_openapi_3_1_with_the_bearer_scheme(client):
    doc = document(client)

    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"] and doc["info"]["description"]
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert {"bearerAuth": []} in doc["security"]
    assert doc["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status",
                                                                   "detail"]


def test_every_operation_has_a_summary_an_id_a_tag_and_the_problem_response(client):
    doc = document(client)
    ids = []
    for (path, method), op in operations(doc).items():
        where = f"{method} {path}"
        assert op.get("summary", "").strip(), where
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op.get("operationId", "")), where
        ids.append(op["operationId"])
        assert op.get("tags") and all(op["tags"]), where
        assert op["responses"]["default"] == {"$ref": "#/components/responses/Problem"}, where
        assert any(code.startswith("2") for code in op["responses"]), where
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), where
        if method != "GET":
            assert {} not in op.get("security", doc["security"]), f"public write: {where}"
    assert len(ids) == len(set(ids)), "operationIds repeat"


def test_every_schema_is_valid_json_schema_and_outputs_are_read_only(client):
    doc = document(client)
    for name, schema in doc["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
    for (path, method), op in operations(doc).items():
        for code, response in op["responses"].items():
            if not code.startswith("2"):
                continue
            for content in response.get("content", {}).values():
                schema = content["schema"]
                if "properties" in schema and "items" in schema["properties"]:
                    schema = schema["properties"]["items"]["items"]  # a page of items
                schema = component(doc, schema)
                for field, spec in schema.get("properties", {}).items():
                    assert spec.get("readOnly") is True, f"{method} {path}: {field} not readOnly"


def test_every_integer_a_caller_sends_is_bounded(client):
    """A huge integer must be refused by the schema, never reach the database."""
    doc = document(client)

    def integers(schema, where):
        schema = component(doc, schema)
        if not isinstance(schema, dict):
            return
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "integer" in kinds and "enum" not in schema:
            assert "minimum" in schema and "maximum" in schema, where
        for key, sub in schema.get("properties", {}).items():
            integers(sub, f"{where}.{key}")
        if "items" in schema:
            integers(schema["items"], f"{where}[]")
        for sub in schema.get("anyOf", []) + schema.get("oneOf", []):
            integers(sub, where)

    for (path, method), op in operations(doc).items():
        for param in op.get("parameters", []):
            integers(param.get("schema", {}), f"{method} {path} {param['in']} {param['name']}")
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            integers(body["schema"], f"{method} {path} body")


def test_anonymous_callers_get_a_401_except_on_the_operations_documented_public(client):
    doc = document(client)
    for (path, method), op in operations(doc).items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.open(url, method=method, json={})
        public = {} in op.get("security", doc["security"])
        if public:
            assert response.status_code != 401, f"{method} {path}"
        else:
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert response.mimetype == "application/problem+json"


# --- the reference page --------------------------------------------------------------------

def external(url, own_host):
    """True for an address on another host (or protocol-relative, or with a scheme)."""
    parts = urlsplit(url.strip())
    if url.strip().startswith("//"):
        return True
    if parts.scheme in ("http", "https"):
        return parts.hostname != own_host
    return bool(parts.scheme)


def test_the_reference_page_shows_every_operation_and_schema_with_nothing_from_elsewhere(
        app, client):
    doc = document(client)

    response = client.get("/api/v1/docs")

    assert response.status_code == 200 and response.mimetype == "text/html"
    page = soup(response)
    html = response.get_data(as_text=True)
    for (path, method), op in operations(doc).items():
        article = page.find(id="op-" + op["operationId"])
        assert article is not None, f"{method} {path}"
        heading = article.find(["h3"]).get_text(" ", strip=True)
        assert method in heading and path in heading and op["summary"] in heading
        assert page.find("a", href="#op-" + op["operationId"]), "not in the contents"
    for name in doc["components"]["schemas"]:
        assert page.find(id="schema-" + name), name
    assert page.find(id="introduction") and page.find(id="authentication")
    assert page.find("a", href="/api/v1/openapi.json")
    own = urlsplit(app.config["BASE_URL"]).hostname
    for tag in page.find_all(True):
        for attr in ("href", "src", "action", "formaction", "srcset", "data"):
            if tag.get(attr):
                assert not external(tag[attr], own), str(tag)[:200]
    for script in page.find_all("script"):
        assert script.get("src", "").startswith("/") and not script.get_text().strip()
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        assert urlsplit(url).hostname == own, url


def test_the_reference_page_links_a_signed_in_member_to_their_tokens(client, make_member):
    assert client.get("/api/v1/docs").status_code == 200  # anyone may read it
    sign_in_as(client, make_member())

    page = soup(client.get("/api/v1/docs"))

    assert page.find(id="authentication").find("a", href="/settings/tokens")


SAMPLE = {
    "openapi": "3.1.0",
    "info": {"title": "Sample API", "version": "9.9", "description": "Intro with `code`."},
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/v1/things/{thing_id}": {
            "patch": {
                "operationId": "edit_thing", "summary": "Change a thing", "tags": ["things"],
                "description": "Send **only** what changes.",
                "parameters": [
                    {"in": "path", "name": "thing_id", "required": True,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 99}},
                    {"in": "header", "name": "If-Match", "required": True,
                     "schema": {"type": "string", "minLength": 1}},
                    {"in": "query", "name": "kind", "required": False, "schema": {
                        "type": "array", "items": {"type": "string", "enum": ["x", "y"]}}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ThingIn"},
                    "example": {"title": "Dialogue"}}}},
                "responses": {
                    "200": {"description": "OK", "headers": {"ETag": {"schema": {}}},
                            "content": {"application/json": {"schema": {
                                "type": "object", "properties": {
                                    "items": {"type": "array", "items": {
                                        "$ref": "#/components/schemas/ThingOut"}},
                                    "next_cursor": {"type": ["string", "null"]}}}}}},
                    "default": {"$ref": "#/components/responses/Problem"}}},
            "get": {"operationId": "thing_file", "summary": "The file", "tags": ["files"],
                    "security": [{}, {"bearerAuth": []}],
                    "responses": {"200": {"description": "OK", "content": {
                        "application/pdf": {"schema": {"type": "string"}}}}}},
        },
    },
    "components": {
        "schemas": {
            "ThingIn": {"type": "object", "required": ["title"],
                        "additionalProperties": False, "properties": {
                            "title": {"type": "string", "minLength": 1, "maxLength": 80},
                            "place": {"type": "object", "properties": {
                                "country": {"type": "string", "description": "ISO code",
                                            "enum": [f"C{n}" for n in range(20)]}}},
                            "owner": {"anyOf": [{"$ref": "#/components/schemas/ThingOut"},
                                                {"type": "null"}]}}},
            "ThingOut": {"type": "object", "properties": {
                "id": {"type": "integer", "readOnly": True}}},
            "Problem": {"type": "object", "properties": {"status": {"type": "integer"}}},
        },
        "responses": {"Problem": {"description": "An error", "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
}


def test_the_reference_renders_any_document_refs_nested_fields_and_constraints_included(app):
    reference = build_reference(SAMPLE)
    assert [tag for tag, _ in reference["tags"]] == ["files", "things"]
    with app.test_request_context("/api/v1/docs"):
        page = BeautifulSoup(render_template("api/reference.html", spec=SAMPLE), "html.parser")

    edit = page.find(id="op-edit_thing")
    text = edit.get_text(" ", strip=True)
    for expected in ("PATCH", "/api/v1/things/{thing_id}", "Change a thing", "only",
                     "If-Match", "header", "≥ 1", "≤ 99", 'each one of: "x", "y"',
                     "max length 80", "no other fields", "place.country", "ISO code",
                     "any of (ThingOut | null)", "array of ThingOut", "string or null",
                     '"title": "Dialogue"', "ETag"):
        assert expected in text, expected
    folded = edit.find("details")  # a long list of choices folds away
    assert folded.summary.get_text() == "one of 20 values" and '"C19"' in folded.get_text()
    assert edit.find("strong", string="only")  # descriptions are markdown
    assert edit.find("a", href="#schema-ThingOut") and edit.find("a", href="#schema-ThingIn")
    assert "None needed" in page.find(id="op-thing_file").get_text()
    assert "application/pdf" in page.find(id="op-thing_file").get_text()
    assert page.find(id="schema-ThingOut").find(string="read-only")
