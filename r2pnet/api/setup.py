"""Wiring the API into the app: its resource modules, rate limits and the blueprint."""
import importlib

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
    limiter.limit(config_limit("API_RATE_LIMIT"), key_func=rate_limit_key,
                  scope="api-caller")(bp)
    limiter.limit(config_limit("API_ADDRESS_RATE_LIMIT"), key_func=address_key,
                  scope="api-address")(bp)
    app.register_blueprint(bp)
    app.extensions["api_limiter"] = limiter
