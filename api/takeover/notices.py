"""What the user is told when a person joins or leaves, and how it reaches them.

The notices go through the Rasa server's operator route like an operator's message,
so they are recorded in the conversation (the web chat shows them again after a
reload) and delivered in the user's channel. A notice that cannot be delivered is
logged, never an error for the operator: ownership has already changed.

`tell_soon` is for the code that ends an ownership inside a database transaction
(closing a ticket, api/tickets/crud.py), which may run in a worker thread: the notice
is sent on the app's event loop once that transaction has committed.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future

from api.takeover import rasa_client

logger = logging.getLogger(__name__)

JOINED = "Ti risponde {name} dello Sportello Welfare: da adesso scrivi pure qui, ti legge una persona."
HANDED_BACK = (
    "Ora ti risponde di nuovo l'assistente virtuale: {name} ha lasciato la conversazione. "
    "Se hai altre domande sul welfare aziendale, scrivile pure qui."
)
CLOSED = (
    "La tua richiesta **{number}** è stata {outcome}. Ora ti risponde di nuovo l'assistente virtuale: "
    "se ti serve ancora una persona dello Sportello, chiedimelo pure."
)
OUTCOMES = {"risolto": "risolta", "chiuso": "chiusa"}

_loop: asyncio.AbstractEventLoop | None = None
_pending: set[Future[bool]] = set()


def joined(name: str) -> str:
    return JOINED.format(name=name)


def handed_back(name: str) -> str:
    return HANDED_BACK.format(name=name)


def closed(number: str, status: str) -> str:
    return CLOSED.format(number=number, outcome=OUTCOMES.get(status, "chiusa"))


def bind(loop: asyncio.AbstractEventLoop | None) -> None:
    """The app's event loop, where `tell_soon` sends (set at start, cleared at stop)."""
    global _loop
    _loop = loop


async def tell(conversation_id: str, text: str, operator_name: str) -> bool:
    """Say `text` in the conversation; False (logged) when the Rasa server did not take it."""
    try:
        said = await rasa_client.current().say(conversation_id, text, operator_name, notice=True)
    except rasa_client.RasaUnavailable as exc:
        logger.warning("Avviso non consegnato a %s: %s", conversation_id, exc)
        return False
    return said.recorded


def tell_soon(conversation_id: str, text: str, operator_name: str) -> None:
    """`tell` on the app's loop, from any thread; never waits, never fails the caller."""
    loop = _loop
    if loop is None or loop.is_closed():
        logger.warning("Avviso non consegnato a %s: l'app non è avviata", conversation_id)
        return
    future = asyncio.run_coroutine_threadsafe(tell(conversation_id, text, operator_name), loop)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


async def drain(timeout_s: float = 5.0) -> None:
    """Wait for the notices in flight (tests, and a clean stop)."""
    if _pending:
        await asyncio.wait([asyncio.wrap_future(f) for f in list(_pending)], timeout=timeout_s)
