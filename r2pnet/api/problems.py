"""Errors as application/problem+json (RFC 9457), with field-level details."""
import json

from flask import Response, request
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
    412: "Precondition Failed", 413: "Content Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 428: "Precondition Required", 429: "Too Many Requests",
    500: "Internal Server Error", 503: "Service Unavailable",
}

DETAILS = {
    401: "Send a personal access token as 'Authorization: Bearer <token>', or sign in.",
    403: "You may not do this.",
    404: "There is nothing at this address, or you may not see it.",
    405: "This address does not accept that method.",
    413: "What you sent is too large.",
    429: "Too many requests: wait a little and try again.",
    500: "Something went wrong on our side; it has been logged.",
}


class Problem(HTTPException):
    """An HTTP error raised anywhere in the API and answered as problem+json."""

    def __init__(self, status, detail=None, errors=None, headers=None):
        super().__init__(description=detail)
        self.code = status
        self.detail = detail or DETAILS.get(status) or TITLES.get(status, "Error")
        self.errors = errors
        self.extra_headers = headers or {}

    def get_response(self, environ=None, scope=None):
        return problem_response(self.code, self.detail, self.errors, self.extra_headers)


def problem_response(status, detail=None, errors=None, headers=None):
    """The problem+json response for a status, a human detail and optional field errors."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status) or TITLES.get(status, "Error"),
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = _as_lists(errors)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="r2pnet"')
    return response


def from_http_exception(error):
    """An HTTPException (404, 405, 413, 429, ...) raised outside our views, as a problem."""
    if isinstance(error, Problem):
        return error.get_response()
    response = problem_response(error.code or 500, DETAILS.get(error.code) or error.description)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429 and error.response is not None:
        # Flask-Limiter attaches its own response (with Retry-After) to the exception.
        for key in ("Retry-After",):
            if key in error.response.headers:
                response.headers[key] = error.response.headers[key]
    return response


def _as_lists(errors):
    """marshmallow messages as {field: [message, ...]}, nested fields joined with dots."""
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, (list, tuple)):
            if all(isinstance(item, str) for item in value):
                flat.setdefault(prefix or "_schema", []).extend(value)
            else:
                for item in value:
                    walk(prefix, item)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    walk("", errors)
    return flat
