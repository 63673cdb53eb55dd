"""Wiring the API into the app: its resource modules, rate limits and the blueprint."""
import importlib
from functools import partial

from flask import request
from flask_limiter import Limiter

from r2pnet.api.core import address_key, bp, config_limit, rate_limit_key

# Each feature's API module registers its operations on import.
RESOURCE_MODULES = (
    "r2pnet.api.me",
    "r2pnet.members.api",
    "r2pnet.knowledge.api",
    "r2pnet.discussions.api",
    "r2pnet.moderation.api",
    "r2pnet.deliberations.api",
    "r2pnet.api.search",
    "r2pnet.api.spec",
)


def init_app(app):
    """Register /api/v1 with its limits: one budget per token, another per address."""
    for name in RESOURCE_MODULES:
        importlib.import_module(name)
    limiter = Limiter(rate_limit_key, app=app, default_limits=[], headers_enabled=True,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      key_prefix="r2pnet", swallow_errors=True,
                      in_memory_fallback_enabled=True)
    # Pages have no rate limits (sign-in throttles are the accounts' own): the limiter's hooks
    # run for the API's requests only.
    limiter.request_filter(lambda: request.blueprint != bp.name)
    _hooks_for_the_api_only(app, limiter)
    # Shared limits: one budget across every operation (a plain limit counts per endpoint).
    limiter.shared_limit(config_limit("API_RATE_LIMIT"), key_func=rate_limit_key,
                         scope="api-caller")(bp)
    limiter.shared_limit(config_limit("API_ADDRESS_RATE_LIMIT"), key_func=address_key,
                         scope="api-address")(bp)
    app.register_blueprint(bp)
    app.extensions["api_limiter"] = limiter
    from r2pnet.api import reference, token_views
    reference.init_app(app)  # helpers for the reference page, /api/v1/docs
    app.register_blueprint(token_views.bp)  # the token pages (HTML, outside /api/v1)


def _hooks_for_the_api_only(app, limiter):
    """Move the limiter's request hooks from the app's (every request) to the API blueprint's.

    Placed first among the blueprint's hooks, they run in the same order relative to the API's
    own as before: the check before the token is read, the headers after the API's own hooks,
    and Retry-After dropped after that (after-request hooks run last registered first).
    """
    def belongs(hook):
        return (getattr(hook, "__self__", None) is limiter
                or (isinstance(hook, partial) and limiter in hook.args))

    for hooks in (app.before_request_funcs, app.after_request_funcs,
                  app.teardown_request_funcs):
        moved = [hook for hook in hooks.get(None, []) if belongs(hook)]
        hooks[None] = [hook for hook in hooks.get(None, []) if not belongs(hook)]
        if hooks is app.after_request_funcs:
            moved.insert(0, _retry_after_only_when_limited)
        hooks[bp.name] = moved + hooks.get(bp.name, [])


def _retry_after_only_when_limited(response):
    """Flask-Limiter sends Retry-After on every response; only a 429 (or 503) means it."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response
