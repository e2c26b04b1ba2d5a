"""Web chat channel: the socket.io endpoint of the embeddable widget (api/static/widget/).

Based on Rasa 3.6's SocketIOInput, with what a public web page needs:

- the server issues every conversation id and the browser keeps only a signed resume
  token, which expires and is renewed at every resume (webchat_session.py); which
  conversation a socket belongs to is kept on the server (the socket.io session of
  its sid), never read from a message;
- every message is screened like the REST channel's and buttons leave signed;
- a resumed conversation gets its history back from the tracker store, so it
  survives reloads and restarts; messages carry ids so a reconnecting widget shows
  each one once, and a message re-sent after a lost acknowledgement is not re-run;
- trusted services push messages into a conversation (webchat_push.py);
- while an operator owns the conversation, messages are recorded for them and the
  assistant does not answer (ownership.py).

Events (client -> server): "session_request" {token?} answered by "session_confirm"
{token, resumed, history} (token: a fresh one, which the client keeps in place of its
own); "user_uttered" {message, id, title?}, acknowledged with {status} once the bot
has answered. Server -> client: "bot_uttered" {id, from, text, buttons}, "bot_typing"
{on}, "user_uttered" (the same user's message, to their other tabs).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import ownership, sanic_problems, server_patches
from bot.channels.guard import FAILURE_REPLY, screen
from bot.channels.history import bot_message, history, user_message, user_message_id
from bot.channels.settings import ChannelSettings, button_secret, get_settings, service_token
from bot.channels.webchat_push import push_handler
from bot.channels.webchat_session import SessionTokens, derive_key
from sportello.payloads import PayloadSigner

logger = logging.getLogger(__name__)

DEFAULT_SOCKETIO_PATH = "/webhooks/webchat/socket.io"
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TITLE_CHARS = 80
RECENT_IDS = 10_000


class RecentIds:
    """The latest user message ids, so that a message re-sent after a lost ack runs once."""

    def __init__(self, capacity: int = RECENT_IDS) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def add(self, sender: str, message_id: str) -> bool:
        """True the first time this message is seen."""
        key = (sender, message_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True


class WebchatOutput(OutputChannel):
    """Sends the bot's messages to every open socket of the conversation."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(self, sio: AsyncServer, signer: PayloadSigner) -> None:
        self.sio = sio
        self._signer = signer

    async def _send(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], timestamp: Any) -> None:
        # Rasa passes the bot event's timestamp: the message id then matches the history's.
        message = bot_message(
            text, buttons, timestamp if isinstance(timestamp, float) else None, self._signer, recipient_id
        )
        await self.sio.emit("bot_uttered", message, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text, [], kwargs.get("timestamp"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, text, buttons, kwargs.get("timestamp"))


class WebchatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatInput:
        credentials = credentials or {}
        return cls(socketio_path=str(credentials.get("socketio_path") or DEFAULT_SOCKETIO_PATH))

    def __init__(self, socketio_path: str = DEFAULT_SOCKETIO_PATH, settings: ChannelSettings | None = None) -> None:
        server_patches.apply()
        secret = button_secret()
        self.socketio_path = socketio_path
        self._settings = settings or get_settings()
        self._signer = PayloadSigner(secret)
        self._tokens = SessionTokens(derive_key(secret), ttl_s=self._settings.webchat_token_ttl_hours * 3600)
        self._max_chars = get_settings().max_message_chars
        self._recent = RecentIds()
        self._app: Sanic | None = None
        self.sio: AsyncServer | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return WebchatOutput(self.sio, self._signer) if self.sio is not None else None

    async def _history(self, sender: str) -> list[dict[str, Any]]:
        agent = getattr(self._app.ctx, "agent", None) if self._app is not None else None
        tracker_store = getattr(agent, "tracker_store", None)
        if tracker_store is None:
            return []
        try:
            tracker = await tracker_store.retrieve_full_tracker(sender)
        except Exception:
            logger.exception("webchat: cronologia non disponibile per %s", sender)
            return []
        if tracker is None:
            return []
        return history(tracker.events, self._signer, sender, self._settings.webchat_history_limit)

    async def deliver(self, sender: str, events: list[Any]) -> bool:
        """Send recorded bot events to the conversation's open sockets; True if any was connected."""
        sio = self.sio
        if sio is None:
            return False
        for event in events:
            await sio.emit(
                "bot_uttered",
                bot_message(event.text, (event.data or {}).get("buttons"), event.timestamp, self._signer, sender),
                room=sender,
            )
        return any(True for _ in sio.manager.get_participants("/", sender))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # No cookies are used, so browsers need not send credentials cross-origin.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self._settings.allowed_origins(),
            cors_credentials=False,
            max_http_buffer_size=max(64_000, self._max_chars * 16),
        )
        self.sio = sio
        webchat = SocketBlueprint(sio, self.socketio_path, "sportello_webchat", __name__)

        @webchat.listener("before_server_start")
        async def keep_app(app: Sanic, _loop: Any) -> None:
            # Socket handlers get no request: the agent (tracker store) is reached via the app.
            self._app = app
            sanic_problems.install(app)

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        webchat.add_route(push_handler(lambda: service_token(self._settings), self.deliver), "/push", methods=["POST"])

        async def sender_of(sid: str) -> str | None:
            session = await sio.get_session(sid)
            sender = session.get("sender_id")
            return sender if isinstance(sender, str) else None

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            token = data.get("token") if isinstance(data, dict) else None
            session = self._tokens.resume(token)
            previous = await sender_of(sid)
            if previous is not None and previous != session.sender_id:
                await sio.leave_room(sid, previous)
            await sio.save_session(sid, {"sender_id": session.sender_id})
            await sio.enter_room(sid, session.sender_id)
            messages = await self._history(session.sender_id) if session.resumed else []
            await sio.emit(
                "session_confirm",
                {"token": session.token, "resumed": session.resumed, "history": messages},
                to=sid,
            )

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> dict[str, str]:
            sender = await sender_of(sid)
            if sender is None:
                return {"status": "no_session"}
            data = data if isinstance(data, dict) else {}
            client_id = data.get("id")
            if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
                client_id = uuid.uuid4().hex
            if not self._recent.add(sender, client_id):
                return {"status": "duplicate"}

            screened = screen(data.get("message"), sender, self._signer, self._max_chars)
            if screened.reply is not None:
                reply = bot_message(screened.reply, [], None, self._signer, sender)
                await sio.emit("bot_uttered", {**reply, "id": f"g-{client_id}"}, to=sid)
                return {"status": "refused"}
            assert screened.text is not None

            shown = screened.text
            if shown.startswith("/"):  # a pressed button: the user saw its title
                title = data.get("title")
                shown = title.strip()[:MAX_TITLE_CHARS] if isinstance(title, str) and title.strip() else ""
            if shown:
                echo = user_message(shown, user_message_id(client_id, None))
                await sio.emit("user_uttered", echo, room=sender, skip_sid=sid)

            message = UserMessage(
                screened.text, WebchatOutput(sio, self._signer), sender, input_channel=self.name(), message_id=client_id
            )
            agent = getattr(self._app.ctx, "agent", None) if self._app is not None else None
            if await ownership.gate().intercept(agent, message):
                return {"status": "owned"}  # an operator reads it; the assistant stays silent
            await sio.emit("bot_typing", {"on": True}, room=sender)
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("webchat: messaggio non elaborato (sender=%s)", sender)
                failure = bot_message(FAILURE_REPLY, [], None, self._signer, sender)
                await sio.emit("bot_uttered", {**failure, "id": f"e-{client_id}"}, room=sender)
            finally:
                await sio.emit("bot_typing", {"on": False}, room=sender)
            return {"status": "ok"}

        return webchat
