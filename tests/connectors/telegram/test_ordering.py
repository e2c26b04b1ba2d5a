"""Per-chat locks: order within a chat, nothing kept for idle chats."""

from __future__ import annotations

import asyncio

from connectors.telegram.ordering import ChatLocks


async def test_holders_of_one_chat_run_one_at_a_time_in_arrival_order() -> None:
    locks = ChatLocks()
    order: list[str] = []
    gate = asyncio.Event()

    async def work(chat_id: int, name: str, wait: bool = False) -> None:
        async with locks.hold(chat_id):
            order.append(f"{name}:inizio")
            if wait:
                await gate.wait()
            order.append(f"{name}:fine")

    first = asyncio.create_task(work(1, "a", wait=True))
    second = asyncio.create_task(work(1, "b"))
    other = asyncio.create_task(work(2, "c"))
    await other  # another chat is not held up
    assert order == ["a:inizio", "c:inizio", "c:fine"]
    gate.set()
    await asyncio.gather(first, second)

    assert order[3:] == ["a:fine", "b:inizio", "b:fine"]
    assert len(locks) == 0
