"""The readable API reference: the OpenAPI document turned into rows a template can print."""
import json

from markupsafe import Markup

from r2pnet import markdown

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
# Tags in reading order; any other tag follows, alphabetically.
TAG_ORDER = ("me", "members", "regions", "lessons", "threads", "posts", "flags", "deliberations",
             "moderation", "search")
MAX_DEPTH = 4  # nested inline objects are flattened to dotted names up to this depth
MAX_INLINE_CHOICES = 15  # longer lists of allowed values (countries, time zones) fold away
# How each JSON Schema keyword reads in the constraints column.
CONSTRAINTS = (
    ("minLength", "min length {}"), ("maxLength", "max length {}"),
    ("minimum", "≥ {}"), ("exclusiveMinimum", "> {}"), ("maximum", "≤ {}"),
    ("exclusiveMaximum", "< {}"), ("minItems", "min {} items"),
    ("maxItems", "max {} items"), ("uniqueItems", "no duplicates"),
    ("pattern", "matches {}"), ("format", "format {}"), ("contentMediaType", "media type {}"),
    ("default", "default {}"),
)


def init_app(app):
    """Give templates the reference builder and a markdown filter for the descriptions."""
    app.jinja_env.globals["openapi_reference"] = build_reference
    app.jinja_env.filters["api_markdown"] = lambda text: Markup(markdown.render(text or ""))


def resolve(spec, node):
    """`node` with a local "$ref" followed (to any depth), or `node` itself."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        node = _pointer(spec, node["$ref"])
        seen += 1
    return node if isinstance(node, dict) else {}


def _pointer(spec, ref):
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return {}
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return {}
    return node


def ref_name(node):
    """The component name a "$ref" points to ("MeOut"), else None."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def linked_name(node):
    """The first component a node refers to, also through items or anyOf/oneOf/allOf."""
    if not isinstance(node, dict):
        return None
    name = ref_name(node) or linked_name(node.get("items"))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key) or ():
            name = name or linked_name(sub)
    return name


def type_of(spec, node):
    """A short type text: "string", "integer or null", "array of Lesson", "one of: a, b"."""
    if not isinstance(node, dict):
        return "any"
    name = ref_name(node)
    if name:
        return name
    for key, word in (("oneOf", "one of"), ("anyOf", "any of"), ("allOf", "all of")):
        if key in node:
            return f"{word} (" + " | ".join(type_of(spec, sub) for sub in node[key]) + ")"
    kinds = node.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array":
            words.append("array of " + type_of(spec, node.get("items", {})))
        elif kind == "object" and isinstance(node.get("additionalProperties"), dict):
            words.append("object of " + type_of(spec, node["additionalProperties"]))
        else:
            words.append(str(kind))
    if node.get("nullable"):
        words.append("null")
    return " or ".join(words)


def constraints_of(node):
    """The constraints of a schema node as short phrases."""
    if not isinstance(node, dict):
        return []
    found = []
    if "enum" in node:
        found.append(_choices("one of", node["enum"]))
    elif isinstance(node.get("items"), dict) and "enum" in node["items"]:
        found.append(_choices("each one of", node["items"]["enum"]))
    for key, phrase in CONSTRAINTS:
        if key in node and node[key] is not False:
            value = node[key]
            found.append(phrase.format(value if isinstance(value, (int, float)) and
                                       not isinstance(value, bool) else _literal(value)))
    items = node.get("items")
    if isinstance(items, dict):
        found += [f"items {c}" for c in constraints_of({k: v for k, v in items.items()
                                                         if k != "enum"})]
    if node.get("readOnly"):
        found.append("read-only")
    if node.get("writeOnly"):
        found.append("write-only")
    if node.get("additionalProperties") is False:
        found.append("no other fields")
    return found


def _choices(words, values):
    """The allowed values: inline when few, else a count with the list to unfold."""
    listed = ", ".join(_literal(v) for v in values)
    if len(values) <= MAX_INLINE_CHOICES:
        return f"{words}: {listed}"
    return {"text": f"{words} {len(values)} values", "values": listed}


def _literal(value):
    return json.dumps(value, ensure_ascii=False)


def fields_of(spec, node, prefix="", depth=0):
    """Rows (name, type, required, constraints, description, ref) for an object's fields."""
    node = resolve(spec, node) if depth == 0 else node
    rows = []
    required = set(node.get("required") or ())
    for name, sub in (node.get("properties") or {}).items():
        rows.append({"name": prefix + name, "type": type_of(spec, sub),
                     "required": name in required, "constraints": constraints_of(sub),
                     "description": sub.get("description") or "",
                     "ref": linked_name(sub)})
        inline = sub if "$ref" not in sub else None
        if inline and inline.get("type") == "array" and isinstance(inline.get("items"), dict) \
                and "$ref" not in inline["items"]:
            inline = inline["items"]
            extra = "[]."
        else:
            extra = "."
        if inline and inline.get("properties") and depth < MAX_DEPTH:
            rows += fields_of(spec, inline, prefix + name + extra, depth + 1)
    return rows


def _parameters(spec, operation):
    rows = []
    for param in operation.get("parameters") or ():
        param = resolve(spec, param)
        schema = param.get("schema") or {}
        rows.append({"name": param.get("name", ""), "in": param.get("in", ""),
                     "type": type_of(spec, schema), "required": bool(param.get("required")),
                     "constraints": constraints_of(resolve(spec, schema)),
                     "description": param.get("description") or
                     resolve(spec, schema).get("description") or "",
                     "ref": linked_name(schema)})
    return rows


def _contents(spec, content):
    """Each media type with its schema's type text, fields (inline objects) and example."""
    shown = []
    for media_type, body in (content or {}).items():
        schema = body.get("schema") or {}
        resolved = resolve(spec, schema)
        example = body.get("example")
        shown.append({"media_type": media_type, "type": type_of(spec, schema),
                      "ref": linked_name(schema), "direct": ref_name(schema) is not None,
                      "constraints": constraints_of(resolved),
                      "fields": fields_of(spec, schema) if resolved.get("properties") else [],
                      "example": json.dumps(example, indent=2, ensure_ascii=False)
                      if example is not None else None})
    return shown


def _responses(spec, operation):
    rows = []
    for status, response in (operation.get("responses") or {}).items():
        name = ref_name(response)
        response = resolve(spec, response)
        rows.append({"status": status, "description": response.get("description", ""),
                     "ref": name, "headers": sorted((response.get("headers") or {}).keys()),
                     "contents": _contents(spec, response.get("content"))})
    return rows


def _security(spec, operation):
    schemes = operation.get("security", spec.get("security") or [])
    names = [name for option in schemes for name in option]
    if any(option == {} for option in schemes):
        return "None needed; with a token or a session you see more."
    return " or ".join(names) if names else "None"


def build_reference(spec):
    """The document as tags of operations and a list of schemas, in a stable order."""
    tags = {}
    for path, item in sorted((spec.get("paths") or {}).items()):
        for method in METHOD_ORDER:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            body = (operation.get("requestBody") or {})
            entry = {
                "method": method.upper(), "path": path,
                "id": operation.get("operationId") or f"{method}-{path}",
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "security": _security(spec, operation),
                "parameters": _parameters(spec, operation),
                "body": _contents(spec, resolve(spec, body).get("content")) if body else [],
                "responses": _responses(spec, operation),
            }
            for tag in operation.get("tags") or ["other"]:
                tags.setdefault(tag, []).append(entry)
    components = spec.get("components") or {}
    schemas = [{"name": name, "description": schema.get("description", ""),
                "type": type_of(spec, schema), "fields": fields_of(spec, schema),
                "constraints": constraints_of(schema)}
               for name, schema in sorted((components.get("schemas") or {}).items())]
    return {"info": spec.get("info") or {}, "openapi": spec.get("openapi", ""),
            "servers": [s.get("url", "") for s in spec.get("servers") or ()],
            "security_schemes": components.get("securitySchemes") or {},
            "tags": sorted(tags.items(), key=_tag_key), "schemas": schemas}


def _tag_key(item):
    tag = item[0]
    return (TAG_ORDER.index(tag), "") if tag in TAG_ORDER else (len(TAG_ORDER), tag)
