"""The web chat channel over a real socket.io connection (python-socketio's AsyncClient)."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from bot.channels import webchat_session
from bot.channels.guard import EMPTY_REPLY, FAILURE_REPLY, NO_TEXT_REPLY, NOT_TEXT_REPLY
from bot.channels.settings import get_settings
from bot.channels.webchat import RecentIds, WebchatInput
from bot.channels.webchat_session import SessionTokens, conversation_of, derive_key
from sportello.payloads import PayloadSigner
from tests.bot.channels.conftest import BUTTON_SECRET, SOCKETIO_PATH, ChatClient, WebchatServer

TOKENS = SessionTokens(derive_key(BUTTON_SECRET.encode()))
SIGNER = PayloadSigner(BUTTON_SECRET.encode())
HOUR = 3600


class FakeTime:
    """Stands in for the `time` module of webchat_session: the tokens' clock, and only theirs."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(webchat_session, "time", fake)
    return fake


async def test_a_new_visitor_gets_a_server_issued_conversation(connect: Any) -> None:
    client: ChatClient = await connect()
    confirm = await client.session()
    assert confirm["resumed"] is False and confirm["history"] == []
    assert TOKENS.verify(confirm["token"]) is not None


async def test_a_message_reaches_rasa_screened_for_the_servers_conversation(
    connect: Any, webchat_server: WebchatServer
) -> None:
    client: ChatClient = await connect()
    token = (await client.session())["token"]
    ack = await client.say("  /greet  ", message_id="messaggio-0001", session_id="scelto-dal-client", sender="altro")
    assert ack == {"status": "ok"}
    (message,) = webchat_server.received
    assert message.sender_id == f"web:{TOKENS.verify(token)}"  # never the payload's session_id or sender
    assert message.text == "greet"  # a typed "/" never selects an intent
    assert message.input_channel == "webchat"
    assert message.message_id == "messaggio-0001"

    assert await client.next("bot_typing") == {"on": True}
    reply = await client.next("bot_uttered")
    assert reply["from"] == "bot" and reply["text"] == "Hai scritto: greet"
    (button,) = reply["buttons"]
    assert button["title"] == "👍 Utile"
    assert SIGNER.verify(button["payload"], message.sender_id) == "/feedback_positive"
    assert await client.next("bot_typing") == {"on": False}


async def test_a_text_reply_without_buttons(connect: Any) -> None:
    client: ChatClient = await connect()
    await client.session()
    assert await client.say("ciao") == {"status": "ok"}
    reply = await client.next("bot_uttered")
    assert reply["text"] == "Hai scritto: ciao" and reply["buttons"] == []


async def test_a_pressed_button_becomes_its_payload_only_in_its_conversation(
    connect: Any, webchat_server: WebchatServer
) -> None:
    client: ChatClient = await connect()
    await client.session()
    await client.say("buoni pasto")
    signed = (await client.next("bot_uttered"))["buttons"][0]["payload"]
    await client.say(signed, title="👍 Utile")
    assert webchat_server.received[-1].text == "/feedback_positive"

    stranger: ChatClient = await connect()
    await stranger.session()
    await stranger.say(signed)
    assert webchat_server.received[-1].text == signed  # plain text there, never an intent


@pytest.mark.parametrize(
    ("message", "reply"),
    [("", EMPTY_REPLY), ("🙂🙂🙂", NO_TEXT_REPLY), (None, NOT_TEXT_REPLY), ({"testo": "ciao"}, NOT_TEXT_REPLY)],
)
async def test_bad_input_gets_the_italian_reply_and_never_reaches_rasa(
    connect: Any, webchat_server: WebchatServer, message: object, reply: str
) -> None:
    client: ChatClient = await connect()
    await client.session()
    assert await client.say(message) == {"status": "refused"}
    assert (await client.next("bot_uttered"))["text"] == reply
    assert webchat_server.received == []


async def test_an_oversized_message_is_refused(connect: Any, webchat_server: WebchatServer) -> None:
    client: ChatClient = await connect()
    await client.session()
    assert await client.say("a" * 5000) == {"status": "refused"}
    assert "troppo lungo" in (await client.next("bot_uttered"))["text"]
    assert webchat_server.received == []


async def test_messages_before_a_session_are_not_processed(connect: Any, webchat_server: WebchatServer) -> None:
    client: ChatClient = await connect()
    assert await client.say("ciao") == {"status": "no_session"}
    assert webchat_server.received == []


async def test_a_message_sent_twice_runs_once(connect: Any, webchat_server: WebchatServer) -> None:
    client: ChatClient = await connect()
    await client.session()
    assert await client.say("ciao", message_id="stesso-id-123") == {"status": "ok"}
    assert await client.say("ciao", message_id="stesso-id-123") == {"status": "duplicate"}
    assert len(webchat_server.received) == 1


async def test_a_valid_token_resumes_the_conversation_with_its_history(
    clock: FakeTime, connect: Any, webchat_server: WebchatServer
) -> None:
    first: ChatClient = await connect()
    token = (await first.session())["token"]
    await first.say("buoni pasto", message_id="domanda-00001")
    live = await first.next("bot_uttered")
    signed = live["buttons"][0]["payload"]
    await first.say(signed, message_id="pulsante-0001", title="👍 Utile")
    await first.close()

    clock.now += HOUR
    again: ChatClient = await connect()
    confirm = await again.session(token)
    assert confirm["resumed"] is True
    # A fresh token (rotation) for the same conversation.
    assert confirm["token"] != token and TOKENS.verify(confirm["token"]) == TOKENS.verify(token)
    history = confirm["history"]
    assert [(m["from"], m["text"]) for m in history] == [
        ("user", "buoni pasto"),
        ("bot", "Hai scritto: buoni pasto"),
        ("user", "👍 Utile"),  # a pressed button shows its title, not its payload
        ("bot", "Hai scritto: /feedback_positive"),
    ]
    # The same ids as the live messages: a reconnecting widget shows each message once.
    assert history[0]["id"] == "u-domanda-00001" and history[1]["id"] == live["id"]
    assert history[1]["buttons"] == live["buttons"]

    await again.say("ancora")
    assert webchat_server.received[-1].sender_id == webchat_server.received[0].sender_id


@pytest.mark.parametrize(
    "bad_token",
    [
        "forged",
        "abcdefghijklmnopqrstuvwx",  # a bare, client-chosen conversation id
        "abcdefghijklmnopqrstuvwx." + "A" * 43,  # client-chosen id with a made-up tag
        SessionTokens(derive_key(b"un-altro-segreto-dei-pulsanti")).issue().token,  # signed with another key
        12345,
    ],
)
async def test_a_token_the_server_did_not_issue_never_joins_a_conversation(
    connect: Any, webchat_server: WebchatServer, bad_token: object
) -> None:
    client: ChatClient = await connect()
    confirm = await client.session(bad_token)  # type: ignore[arg-type]
    assert confirm["resumed"] is False and confirm["history"] == []
    assert confirm["token"] != bad_token and TOKENS.verify(confirm["token"]) is not None


async def test_an_altered_token_gets_a_new_conversation_not_the_original(
    connect: Any, webchat_server: WebchatServer
) -> None:
    owner: ChatClient = await connect()
    token = (await owner.session())["token"]
    await owner.say("dato riservato")
    conversation_id, issued, tag = token.split(".")
    altered = f"{conversation_id}.{issued}.{tag[:-2]}{'AB' if tag[-2:] != 'AB' else 'CD'}"

    intruder: ChatClient = await connect()
    confirm = await intruder.session(altered)
    assert confirm["resumed"] is False and confirm["history"] == []
    assert TOKENS.verify(confirm["token"]) != conversation_id
    await intruder.say("ciao")
    assert conversation_of(webchat_server.received[-1].sender_id) != conversation_id


@pytest.fixture
def two_hour_tokens(channel_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_TOKEN_TTL_HOURS", "2")
    get_settings.cache_clear()


async def test_an_expired_token_starts_an_empty_conversation(
    clock: FakeTime, two_hour_tokens: None, connect: Any, webchat_server: WebchatServer
) -> None:
    first: ChatClient = await connect()
    token = (await first.session())["token"]
    await first.say("una domanda di ieri")
    await first.close()

    clock.now += 2 * HOUR + 1
    later: ChatClient = await connect()
    confirm = await later.session(token)
    assert confirm["resumed"] is False and confirm["history"] == []
    assert TOKENS.verify(confirm["token"]) not in (None, TOKENS.verify(token))
    assert await later.say("ciao") == {"status": "ok"}
    assert webchat_server.received[-1].sender_id != webchat_server.received[0].sender_id


async def test_an_expired_token_cannot_be_revived_by_changing_its_time(
    clock: FakeTime, two_hour_tokens: None, connect: Any
) -> None:
    client: ChatClient = await connect()
    conversation_id, _, tag = (await client.session())["token"].split(".")
    clock.now += 3 * HOUR
    confirm = await client.session(f"{conversation_id}.{int(clock.now)}.{tag}")
    assert confirm["resumed"] is False and TOKENS.verify(confirm["token"]) != conversation_id


async def test_every_resume_renews_the_lifetime(
    clock: FakeTime, two_hour_tokens: None, connect: Any, webchat_server: WebchatServer
) -> None:
    client: ChatClient = await connect()
    token = (await client.session())["token"]
    await client.say("prima domanda")
    await client.close()
    for _ in range(3):  # back every 90 minutes: more than the lifetime in all, never expired
        clock.now += 1.5 * HOUR
        client = await connect()
        confirm = await client.session(token)
        assert confirm["resumed"] is True and [m["text"] for m in confirm["history"]][:1] == ["prima domanda"]
        assert confirm["token"] != token
        token = confirm["token"]
        await client.close()


async def test_replies_reach_every_tab_of_the_conversation(connect: Any) -> None:
    tab_a: ChatClient = await connect()
    token = (await tab_a.session())["token"]
    tab_b: ChatClient = await connect()
    await tab_b.session(token)
    await tab_a.say("ciao", message_id="dalla-scheda-a")
    assert await tab_b.next("user_uttered") == {"id": "u-dalla-scheda-a", "from": "user", "text": "ciao"}
    assert (await tab_b.next("bot_uttered"))["text"] == "Hai scritto: ciao"


async def test_a_failure_in_rasa_gets_an_apology(connect: Any) -> None:
    client: ChatClient = await connect()
    await client.session()
    assert await client.say("guasto") == {"status": "ok"}
    assert (await client.next("bot_uttered"))["text"] == FAILURE_REPLY
    assert await client.next("bot_typing") == {"on": False}


def test_the_channel_is_configured_from_credentials(channel_env: Any) -> None:
    assert WebchatInput.from_credentials(None).socketio_path == SOCKETIO_PATH
    assert WebchatInput.from_credentials({"socketio_path": "/chat/socket.io"}).socketio_path == "/chat/socket.io"
    assert WebchatInput.name() == "webchat"


def test_recent_ids_forget_the_oldest() -> None:
    recent = RecentIds(capacity=2)
    assert recent.add("web:a", "1") and recent.add("web:a", "2") and recent.add("web:b", "1")
    assert not recent.add("web:b", "1")
    assert recent.add("web:a", "1")  # forgotten: only the latest two are kept


@pytest.fixture
def only_the_employers_site(channel_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS", "https://www.azienda.it")
    get_settings.cache_clear()


async def test_allowed_origins_limit_who_may_open_a_socket(
    only_the_employers_site: None, webchat_server: WebchatServer
) -> None:
    allowed = ChatClient()
    await allowed.sio.connect(
        webchat_server.url,
        socketio_path=SOCKETIO_PATH,
        transports=["polling"],
        headers={"Origin": "https://www.azienda.it"},
    )
    assert (await allowed.session())["resumed"] is False
    await allowed.close()

    other = ChatClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await other.sio.connect(
            webchat_server.url,
            socketio_path=SOCKETIO_PATH,
            transports=["polling"],
            headers={"Origin": "https://altro.it"},
        )
