"""API: placeholder."""
