"""Scheduled regional deliberations, their outcomes, cadence, dashboard and weekly question."""
