"""Routers of the API, mounted under /api/v1."""

from fastapi import APIRouter

from api.routes import feedback, health

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(health.router)
api_router.include_router(feedback.router)
