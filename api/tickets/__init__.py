"""Ticket store: escalations from the assistant to the Sportello's operators.

models (tables), states (the life cycle), numbering (SW-2026-000123), actors (who acts),
schemas, queries (reads), crud (writes), routes (`routes.router` is what api/main.py mounts).
"""
