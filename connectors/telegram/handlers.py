"""What the bridge does with each Telegram update.

Text (commands included) goes to the REST channel as typed: the channel strips a
leading "/", so no command selects an intent. Only /start is special: it must
show the greeting with the privacy notice, so the bridge sends the "/greet"
payload signed for this chat, exactly as if the user had pressed a greet button.
Button presses send their callback data (a token signed for this chat) back.
Only private chats are served: a group would mix several people's data in one
conversation.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from connectors.telegram.dedup import UpdateDedup
from connectors.telegram.delivery import TelegramSender
from connectors.telegram.messages import NOT_TEXT_REPLY, BotMessage, sender_id
from connectors.telegram.rasa_client import RasaClient
from sportello.payloads import PayloadSigner

logger = logging.getLogger(__name__)

GREET_PAYLOAD = "/greet"
# Updates the bridge asks Telegram for; everything else is never even delivered.
ALLOWED_UPDATES = ("message", "callback_query")
_PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


class BridgeHandlers:
    def __init__(self, rasa: RasaClient, sender: TelegramSender, signer: PayloadSigner, dedup: UpdateDedup) -> None:
        self._rasa = rasa
        self._sender = sender
        self._signer = signer
        self._dedup = dedup

    async def skip_duplicates(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._dedup.first_seen(update.update_id):
            logger.info("Update %s già elaborato: ignorato", update.update_id)
            raise ApplicationHandlerStop

    async def _converse(self, chat_id: int, text: str) -> None:
        try:
            await self._sender.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:
            # Only a courtesy: the answer matters, not the "typing..." hint.
            logger.debug("sendChatAction non riuscito (chat %s): %r", chat_id, exc)
        replies = await self._rasa.send(sender_id(chat_id), text)
        await self._sender.send(chat_id, replies)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await self._converse(chat.id, self._signer.sign(GREET_PAYLOAD, sender_id(chat.id)))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None or message.text is None:
            return
        await self._converse(chat.id, message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            # Stops the button's spinner; Telegram expects it within seconds.
            await query.answer()
        except TelegramError as exc:
            logger.debug("answerCallbackQuery non riuscito: %r", exc)
        message = query.message
        if message is None or message.chat.type != "private" or not query.data:
            return
        try:
            # One press per offer: a second tap on an old vote or suggestion would only confuse.
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as exc:
            logger.debug("Tastiera non rimossa (chat %s): %r", message.chat.id, exc)
        await self._converse(message.chat.id, query.data)

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            await self._sender.send(chat.id, [BotMessage(NOT_TEXT_REPLY)])

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Errore nell'elaborare un update Telegram", exc_info=context.error)

    def register(self, application: Application) -> None:
        application.add_handler(TypeHandler(Update, self.skip_duplicates), group=-1)
        application.add_handler(CommandHandler("start", self.on_start, filters=_PRIVATE_MESSAGE))
        application.add_handler(MessageHandler(_PRIVATE_MESSAGE & filters.TEXT, self.on_text))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            MessageHandler(_PRIVATE_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_not_text)
        )
        application.add_error_handler(self.on_error)
