"""A real HTTP server standing in for the Sportello API and the channels' delivery routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web


class FakeApi:
    def __init__(self) -> None:
        self.votes: list[dict[str, Any]] = []
        self.headers: list[str | None] = []
        self.vote_status = 201
        self.delay_s = 0.0
        self.down = False  # every API route answers 503
        self.tickets: dict[str, dict[str, Any]] = {}  # idempotency key -> ticket
        self.ticket_requests: list[tuple[str, dict[str, Any]]] = []
        self.pushed: list[tuple[str, dict[str, Any]]] = []  # (route, body)
        self.queue_position = 3

    def _unavailable(self) -> web.Response | None:
        return web.json_response({"detail": "giù"}, status=503) if self.down else None

    async def feedback(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay_s)
        if (refusal := self._unavailable()) is not None:
            return refusal
        self.headers.append(request.headers.get("Authorization"))
        self.votes.append(await request.json())
        return web.json_response({"id": len(self.votes)}, status=self.vote_status)

    def ticket(self, number: str, conversation_id: str, status: str = "nuovo") -> dict[str, Any]:
        return {
            "number": number,
            "status": status,
            "conversation_id": conversation_id,
            "created_at": "2026-11-30T10:00:00Z",
            "updated_at": "2026-11-30T10:05:00Z",
            "queue_position": self.queue_position if status == "nuovo" else None,
        }

    async def create_ticket(self, request: web.Request) -> web.Response:
        if (refusal := self._unavailable()) is not None:
            return refusal
        key = request.headers.get("Idempotency-Key", "")
        body = await request.json()
        self.headers.append(request.headers.get("Authorization"))
        self.ticket_requests.append((key, body))
        if key in self.tickets:
            return web.json_response(self.tickets[key], status=200)
        number = f"SW-2026-{len(self.tickets) + 1:06d}"
        self.tickets[key] = self.ticket(number, body["conversation_id"])
        return web.json_response(self.tickets[key], status=201)

    async def open_ticket(self, request: web.Request) -> web.Response:
        if (refusal := self._unavailable()) is not None:
            return refusal
        conversation = request.query["conversation_id"]
        found = [t for t in self.tickets.values() if t["conversation_id"] == conversation and t["status"] != "chiuso"]
        return web.json_response(found[-1]) if found else web.json_response({"detail": "no"}, status=404)

    async def conversation_ticket(self, request: web.Request) -> web.Response:
        if (refusal := self._unavailable()) is not None:
            return refusal
        conversation, number = request.query["conversation_id"], request.match_info["number"]
        for ticket in self.tickets.values():
            if ticket["number"] == number and ticket["conversation_id"] == conversation:
                return web.json_response(ticket)
        return web.json_response({"detail": "no"}, status=404)

    async def push(self, request: web.Request) -> web.Response:
        self.pushed.append((request.path, await request.json()))
        return web.json_response({"recorded": 1}, status=200 if "webchat" in request.path else 202)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v1/feedback", self.feedback)
        app.router.add_post("/api/v1/tickets", self.create_ticket)
        app.router.add_get("/api/v1/conversation-tickets/open", self.open_ticket)
        app.router.add_get("/api/v1/conversation-tickets/{number}", self.conversation_ticket)
        app.router.add_post("/webhooks/webchat/push", self.push)
        app.router.add_post("/internal/deliver", self.push)
        return app


@asynccontextmanager
async def serving(fake: FakeApi) -> AsyncIterator[str]:
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
