"""Sportello Welfare API: FastAPI + SQLAlchemy 2 (health, feedback votes)."""
