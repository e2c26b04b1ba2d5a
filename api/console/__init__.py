"""The operators' console: login sessions, pages (Jinja2 + htmx), live updates (SSE).

models (sessions, failed logins, canned replies), sessions (the cookie), auth (the
dependencies every console route uses), csrf, pages (templates), and one routes
module per area: `routes.router` is what api/main.py mounts.
"""
