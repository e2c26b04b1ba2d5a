"""A small fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

Speaks what the bridge uses (getMe, getUpdates with offset/timeout, setWebhook,
deleteWebhook, sendMessage, answerCallbackQuery, editMessageReplyMarkup,
sendChatAction) and is as strict as Telegram where it matters to us: HTML that
Telegram could not parse, texts over 4096 characters and callback data over 64
bytes are refused with Telegram's 400. Tests inject updates, make the next call
of a method fail (e.g. 429 with retry_after) and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "424242:TEST-token-fake-telegram"
BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Sportello Welfare (prova)", "username": "sportello_prova_bot"}
_JSON_FIELDS = {"reply_markup", "allowed_updates", "link_preview_options", "entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout"}
_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_HTML_TOKEN = re.compile(
    r"<(/?)([a-zA-Z-]+)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>|&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
)


class TelegramBadRequest(Exception):
    status = 400


class TelegramConflict(TelegramBadRequest):
    status = 409


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text as the user will see it; TelegramBadRequest where Telegram would refuse the HTML."""
    if parse_mode is None:
        return text
    assert parse_mode == "HTML", f"parse_mode inatteso: {parse_mode}"
    out: list[str] = []
    stack: list[str] = []
    position = 0
    for match in _HTML_TOKEN.finditer(text):
        plain = text[position : match.start()]
        if any(c in plain for c in "<>&"):
            raise TelegramBadRequest("Bad Request: can't parse entities: unescaped character")
        out.append(plain)
        closing, tag, attrs, entity = match.group(1), match.group(2), match.group(3), match.group(4)
        if entity is not None:
            out.append(html.unescape(match.group(0)))
        elif tag.lower() not in _ALLOWED_TAGS:
            raise TelegramBadRequest(f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
        elif closing:
            if not stack or stack.pop() != tag.lower():
                raise TelegramBadRequest(f'Bad Request: can\'t parse entities: unmatched end tag "{tag}"')
        else:
            if tag.lower() == "a" and "href=" not in attrs:
                raise TelegramBadRequest("Bad Request: can't parse entities: link without href")
            stack.append(tag.lower())
        position = match.end()
    tail = text[position:]
    if any(c in tail for c in "<>&"):
        raise TelegramBadRequest("Bad Request: can't parse entities: unescaped character")
    if stack:
        raise TelegramBadRequest(f'Bad Request: can\'t parse entities: unclosed tag "{stack[-1]}"')
    out.append(tail)
    return "".join(out)


def _check_keyboard(markup: Any) -> None:
    if markup is None:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise TelegramBadRequest("Bad Request: text buttons are unallowed in the inline keyboard")
            data, url = button.get("callback_data"), button.get("url")
            if (data is None) == (url is None):
                raise TelegramBadRequest("Bad Request: BUTTON_TYPE_INVALID")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise TelegramBadRequest("Bad Request: BUTTON_DATA_INVALID")
            if url is not None and not url.startswith(("http://", "https://", "tg://")):
                raise TelegramBadRequest("Bad Request: BUTTON_URL_INVALID")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.base_url = ""  # set by the fixture once the server runs
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(700_000)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # --- what tests inject -------------------------------------------------------------

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Utente", "language_code": "it"}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Utente"}
        return {"id": chat_id, "type": "group", "title": "Gruppo"}

    def message_update(self, chat_id: int, text: str | None = None, **content: Any) -> dict[str, Any]:
        """An update with a user's message (text, or e.g. photo=[...], sticker={...})."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._user(abs(chat_id)),
            **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(self, chat_id: int, data: str, message_id: int) -> dict[str, Any]:
        """An update for a press on an inline button of the bot's message `message_id`."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cb{next(self._message_ids)}",
                "from": self._user(chat_id),
                "chat_instance": "42",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": self._chat(chat_id),
                    "from": BOT_USER,
                    "text": "…",
                },
            },
        }

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates."""
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 1, description: str = "") -> None:
        parameters = {"retry_after": retry_after} if retry_after is not None else {}
        text = description or (f"Too Many Requests: retry after {retry_after}" if status == 429 else "Bad Request")
        self._failures.setdefault(method, []).append(_Failure(status, text, parameters))

    async def close(self) -> None:
        """End pending long polls now, so the server stops without waiting for them."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()

    # --- what tests read ---------------------------------------------------------------

    def sent(
        self, method: str = "sendMessage", chat_id: int | None = None, *, failed: bool = False
    ) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.calls
            if c.method == method and c.ok != failed and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def attempts(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait (event-driven, bounded by `timeout` only as a safety net) until `condition` holds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def wait_sent(
        self, count: int, method: str = "sendMessage", chat_id: int | None = None, timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        await self.wait_until(lambda: len(self.sent(method, chat_id)) >= count, timeout)
        return self.sent(method, chat_id)

    # --- the API -----------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        body = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            raw: dict[str, Any] = json.loads(body or b"{}")
        else:
            raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
        raw.update(request.query_params)
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _JSON_FIELDS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in _INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
                params[key] = int(value)
            else:
                params[key] = value
        return params

    async def _record(self, method: str, params: dict[str, Any], ok: bool) -> None:
        async with self._changed:
            self.calls.append(Call(method, params, ok))
            self._changed.notify_all()

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        if request.path_params["token"] != self.token:
            await self._record(method, params, ok=False)
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        failures = self._failures.get(method)
        if failures:
            failure = failures.pop(0)
            await self._record(method, params, ok=False)
            body = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.parameters:
                body["parameters"] = failure.parameters
            return JSONResponse(body, status_code=failure.status)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        try:
            result = await handler(params)
        except TelegramBadRequest as exc:
            await self._record(method, params, ok=False)
            body = {"ok": False, "error_code": exc.status, "description": str(exc)}
            return JSONResponse(body, status_code=exc.status)
        if method != "getUpdates" or result:
            await self._record(method, params, ok=True)
        return JSONResponse({"ok": True, "result": result})

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {**BOT_USER, "can_join_groups": False, "can_read_all_group_messages": False}

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise TelegramConflict("Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset")
        limit = params.get("limit") or 100
        timeout = float(params.get("timeout") or 0)

        def available() -> list[dict[str, Any]]:
            if offset is not None:
                # Telegram forgets updates below the offset: they are confirmed.
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            return self._pending[:limit]

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._closing or bool(available())), timeout)
            return available()

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._pending.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        if not isinstance(params.get("chat_id"), int):
            raise TelegramBadRequest("Bad Request: chat not found")
        shown = visible_text(params.get("text", ""), params.get("parse_mode"))
        if not shown.strip():
            raise TelegramBadRequest("Bad Request: message text is empty")
        if len(shown.encode("utf-16-le")) // 2 > 4096:
            raise TelegramBadRequest("Bad Request: message is too long")
        _check_keyboard(params.get("reply_markup"))
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(params["chat_id"]),
            "from": BOT_USER,
            "text": shown,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        params["message_id"] = message["message_id"]
        params["shown_text"] = shown
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        _check_keyboard(params.get("reply_markup"))
        return {
            "message_id": params.get("message_id"),
            "date": int(time.time()),
            "chat": self._chat(int(params["chat_id"])),
            "from": BOT_USER,
            "text": "…",
        }

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True
