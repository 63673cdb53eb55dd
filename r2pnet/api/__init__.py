"""The JSON API under /api/v1: tokens, problem responses, cursors and the OpenAPI contract."""
