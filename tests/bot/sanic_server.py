"""A Sanic app served on a free local port for the duration of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sanic import Sanic

from tests.ports import free_port


@asynccontextmanager
async def serving(app: Sanic, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    # Sanic rewrites its own methods when an app starts; test mode lets it do so for
    # one app after another in the same process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
