"""API: placeholder"""
from r2pnet.api.core import operation  # noqa: F401
