"""Journeys through the app in a real browser (Playwright driving Debian's chromium)."""
