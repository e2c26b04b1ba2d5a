"""Messages that reach a user without them writing first (e.g. an operator's reply).

Other services POST them to the bridge's `/internal/deliver`; they are sent in the
background, in order with the chat's ongoing replies, and the caller gets 202 at once.
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.telegram.delivery import TelegramSender
from connectors.telegram.keyboards import fits_callback_data, is_url
from connectors.telegram.messages import SENDER_PREFIX, BotMessage, Button
from connectors.telegram.ordering import ChatLocks
from sportello.payloads import PayloadSigner

logger = logging.getLogger(__name__)

SENDER_PATTERN = r"^telegram:-?[0-9]{1,20}$"


class DeliverButton(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    payload: str = Field(min_length=1, max_length=2048)


class DeliverMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field("", max_length=20_000)
    buttons: list[DeliverButton] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _not_empty(self) -> DeliverMessage:
        if not self.text.strip() and not self.buttons:
            raise ValueError("ogni messaggio deve avere un testo o almeno un pulsante")
        return self


class DeliverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender_id: str = Field(pattern=SENDER_PATTERN)
    messages: list[DeliverMessage] = Field(min_length=1, max_length=20)

    @property
    def chat_id(self) -> int:
        return int(self.sender_id.removeprefix(SENDER_PREFIX))


class InvalidButton(ValueError):
    pass


class Deliverer:
    def __init__(self, sender: TelegramSender, signer: PayloadSigner, locks: ChatLocks) -> None:
        self._sender = sender
        self._signer = signer
        self._locks = locks
        # Keep a reference so running deliveries are not garbage-collected, and can be awaited on stop.
        self._tasks: set[asyncio.Task[bool]] = set()

    def prepare(self, request: DeliverRequest) -> list[BotMessage]:
        """The messages as the bot would send them; InvalidButton if a button cannot be shown."""
        messages = []
        for message in request.messages:
            buttons = []
            for button in message.buttons:
                # Intent payloads ("/human_handoff") are signed for this chat like the REST
                # channel's; tokens and plain text pass unchanged.
                payload = self._signer.sign(button.payload, request.sender_id)
                if not is_url(payload) and not fits_callback_data(payload):
                    raise InvalidButton(f"il pulsante «{button.title}» ha un payload oltre 64 byte")
                buttons.append(Button(button.title, payload))
            messages.append(BotMessage(message.text, tuple(buttons)))
        return messages

    async def _deliver(self, chat_id: int, messages: list[BotMessage]) -> bool:
        async with self._locks.hold(chat_id):
            delivered = await self._sender.send(chat_id, messages)
        logger.info("Consegna alla chat %s: %s", chat_id, "riuscita" if delivered else "non riuscita")
        return delivered

    def schedule(self, chat_id: int, messages: list[BotMessage]) -> asyncio.Task[bool]:
        task = asyncio.create_task(self._deliver(chat_id, messages))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout_s: float) -> None:
        """Let deliveries in flight finish (up to `timeout_s`) before shutting down."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
