"""The chat widget in a real browser against the real assistant (slow).

Starts the action server, the Rasa server and the API on free ports (scripts/run_all.py),
opens the demo page in headless Chromium (Debian's /usr/bin/chromium, never a
downloaded one) and chats like a user: greeting, a FAQ, a quick reply, a reload, a
restart of the Rasa server, a message pushed by an operator; checks the page with
axe-core (closed, open, offline, with a conversation) and that the widget keeps the
resume token the server renews. Leaves a screenshot in tests/artifacts/widget.png.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.channels.webchat_session import SessionTokens, derive_key
from bot.kb.loader import load_knowledge_base
from bot.kb.render import render_answer
from scripts.run_all import ROOT, Service, assistant_running, service_ports, start, wait_healthy
from tests.api.browser import CHROMIUM, assert_accessible, chromium

pytestmark = pytest.mark.slow

MODEL = ROOT / "models" / "sportello.tar.gz"
ARTIFACTS = ROOT / "tests" / "artifacts"
SERVICE_TOKEN = "token-browser-e2e"
BUTTON_SECRET = "segreto-browser-e2e-abbastanza-lungo"
SESSION_KEY = derive_key(BUTTON_SECRET.encode())
DAY_S = 24 * 3600
STARTUP_S = 240
WAIT_MS = 60_000  # upper bound for the assistant to answer; never a fixed sleep
FAQ_QUESTION = "fino a quanto sono esenti i buoni pasto elettronici nel 2026?"

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@dataclass
class Assistant:
    env: dict[str, str]
    services: dict[str, Service]

    def url(self, name: str) -> str:
        return self.services[name].public_url

    def restart_rasa(self, while_down: Any = None) -> None:
        """Stop the Rasa server, run `while_down()`, start it again and wait until it answers."""
        rasa = self.services["rasa"]
        assert rasa.process is not None
        os.killpg(rasa.process.pid, signal.SIGTERM)
        rasa.process.wait(timeout=30)
        if while_down is not None:
            while_down()
        start(rasa, self.env)
        wait_healthy([rasa], STARTUP_S)

    def push(self, sender_id: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url('rasa')}/webhooks/webchat/push",
            data=json.dumps({"sender_id": sender_id, "messages": messages}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            body: dict[str, Any] = json.loads(resp.read())
            return body


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL.exists():
        pytest.skip("Modello assente (models/sportello.tar.gz): esegui `make train`")
    if not CHROMIUM.exists():
        pytest.skip("Chromium assente: installalo con `apt-get install chromium`")
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        **service_ports(),
        "SPORTELLO_DATABASE_URL": f"sqlite:///{var_dir / 'sportello.db'}",
        "SPORTELLO_SERVICE_TOKEN": SERVICE_TOKEN,
        "SPORTELLO_BUTTON_SECRET": BUTTON_SECRET,
    }
    with assistant_running(overrides, timeout_s=STARTUP_S) as (env, by_name):
        yield Assistant(env, by_name)


@pytest.fixture(scope="module")
def browser(assistant: Assistant) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _plain(markdown: str) -> str:
    """What a paragraph of the bot's Markdown reads like on screen."""
    return re.sub(r"\s+", " ", markdown.replace("**", "")).strip()


def _say(page: Any, text: str) -> None:
    page.locator("textarea").fill(text)
    page.keyboard.press("Enter")


def _tokens_issued_ago(seconds: float) -> SessionTokens:
    """The Rasa server's resume tokens as it would have issued them `seconds` ago."""
    return SessionTokens(SESSION_KEY, clock=lambda: time.time() - seconds)


def _storage_key(page: Any) -> str:
    """Where the widget keeps its state (store.js): one entry per Rasa server."""
    return "sportello-welfare:" + str(page.evaluate("document.querySelector('script[data-server]').dataset.server"))


def _stored(page: Any) -> dict[str, Any]:
    saved: dict[str, Any] = json.loads(page.evaluate("k => sessionStorage.getItem(k)", _storage_key(page)))
    return saved


def _store_token(page: Any, token: str) -> None:
    """Replace the widget's saved token, once it has no message waiting to be acknowledged."""
    key = _storage_key(page)
    page.wait_for_function("k => JSON.parse(sessionStorage.getItem(k)).queue.length === 0", arg=key)
    page.evaluate("([k, t]) => sessionStorage.setItem(k, JSON.stringify({ token: t, queue: [] }))", [key, token])


def _focused(page: Any) -> str:
    """The focused element inside the widget, as "tag#id.class"."""
    return str(
        page.evaluate(
            """() => {
                const el = document.querySelector('#sportello-welfare-widget').shadowRoot.activeElement;
                return el ? `${el.tagName.toLowerCase()}#${el.id}.${el.className}` : '';
            }"""
        )
    )


def test_a_conversation_in_the_browser(assistant: Assistant, browser: Any) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{assistant.url('api')}/")
    launcher = page.locator(".sw-launcher")
    log = page.locator(".sw-log")
    bot = page.locator(".sw-msg.sw-bot")
    user = page.locator(".sw-msg.sw-user")

    expect(launcher).to_be_visible()
    assert_accessible(page, "pagina dimostrativa, chat chiusa")

    # Keyboard: the launcher opens the chat and the input gets the focus.
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".sw-panel")).to_be_visible()
    assert _focused(page).startswith("textarea#sw-input")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.locator("label[for=sw-input]")).to_have_text("Scrivi la tua domanda")
    privacy = page.locator(".sw-footer a")
    expect(privacy).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(".sw-status")).to_contain_text("Online", timeout=WAIT_MS)

    # Greeting, then a FAQ answered from the knowledge base.
    _say(page, "ciao")
    expect(bot.nth(1)).to_contain_text("Sportello Welfare", timeout=WAIT_MS)
    expect(bot.nth(1)).to_contain_text("Privacy")
    _say(page, FAQ_QUESTION)
    topic = load_knowledge_base().get("buoni_pasto")
    assert topic is not None
    first_paragraph = render_answer(topic).split("\n\n")[0]
    answer = bot.filter(has_text="Riferimenti")
    expect(answer).to_contain_text(_plain(first_paragraph), timeout=WAIT_MS)
    expect(answer.locator("strong").first).to_be_visible()  # **bold** is rendered, not shown

    # A quick reply: 👍 sends the vote, the bot thanks, the buttons are spent.
    answer.get_by_role("button", name="👍 Utile").click()
    expect(user.last).to_have_text(re.compile("👍 Utile"))
    expect(bot.last).to_contain_text("Grazie", timeout=WAIT_MS)
    expect(answer.get_by_role("button", name="👍 Utile")).to_be_disabled()

    # A reload keeps the conversation: the history comes back from the tracker store.
    # The widget presents a token of an hour ago: still valid, and the server renews it.
    conversation_id = SessionTokens(SESSION_KEY).verify(_stored(page)["token"])
    assert conversation_id is not None
    old_token = _tokens_issued_ago(3600).token_for(conversation_id)
    _store_token(page, old_token)
    page.reload()
    page.locator(".sw-launcher").click()
    expect(user).to_have_count(3, timeout=WAIT_MS)
    expect(user.nth(0)).to_contain_text("ciao")
    expect(user.nth(1)).to_contain_text(FAQ_QUESTION)
    expect(user.nth(2)).to_contain_text("👍 Utile")
    expect(bot.filter(has_text="Riferimenti")).to_contain_text(_plain(first_paragraph))
    expect(bot.last).to_contain_text("Grazie")
    expect(page.get_by_role("button", name="👍 Utile")).to_be_disabled()
    renewed = _stored(page)["token"]
    assert renewed != old_token and SessionTokens(SESSION_KEY).verify(renewed) == conversation_id
    expect(page.locator(".sw-notice")).to_have_count(0)  # resumed: no "new conversation" notice

    # The Rasa server restarts: the widget says so, keeps what is typed meanwhile and
    # sends it once it has reconnected by itself.
    def while_down() -> None:
        expect(page.locator(".sw-status")).to_contain_text("riconnessione", timeout=WAIT_MS)
        _say(page, "come funziona il premio di risultato?")
        expect(page.locator(".sw-queued .sw-note")).to_be_visible()
        assert_accessible(page, "pagina dimostrativa, chat offline con un messaggio in attesa")

    assistant.restart_rasa(while_down)
    expect(page.locator(".sw-status")).to_contain_text("Online", timeout=WAIT_MS)
    expect(page.locator(".sw-queued")).to_have_count(0, timeout=WAIT_MS)
    expect(user).to_have_count(4)
    expect(page.locator(".sw-log > .sw-msg").last).to_have_class(re.compile("sw-bot"), timeout=WAIT_MS)
    expect(page.locator(".sw-typing")).to_be_hidden(timeout=WAIT_MS)

    # An operator's message arrives without the user writing; its Markdown is safe.
    sender = f"web:{conversation_id}"
    pushed = "Sono Anna dello Sportello: leggi il [bando della Regione](https://www.regione.piemonte.it). <b>ok</b>"
    result = assistant.push(sender, [{"text": pushed, "buttons": [{"title": "Grazie", "payload": "/thanks"}]}])
    assert result == {"recorded": 1, "connected": True}
    operator = bot.filter(has_text="Sono Anna")
    expect(operator).to_be_visible(timeout=WAIT_MS)
    expect(operator).to_contain_text("<b>ok</b>")  # shown as text, never as HTML
    assert operator.locator("b").count() == 0
    link = operator.get_by_role("link", name=re.compile("bando della Regione"))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(operator.get_by_role("button", name="Grazie")).to_be_enabled()
    assert_accessible(page, "pagina dimostrativa, chat aperta con una conversazione")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))

    # Esc closes the chat and the focus goes back to the launcher.
    page.keyboard.press("Escape")
    expect(page.locator(".sw-panel")).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert "sw-launcher" in _focused(page)
    assert errors == []
    context.close()


def test_an_expired_token_starts_an_empty_conversation(assistant: Assistant, browser: Any) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{assistant.url('api')}/")
    expect(page.locator(".sw-launcher")).to_be_visible()
    expired = _tokens_issued_ago(31 * DAY_S).issue()  # the default lifetime is 30 days
    page.evaluate(
        "([k, t]) => sessionStorage.setItem(k, JSON.stringify({ token: t, queue: [] }))",
        [_storage_key(page), expired.token],
    )
    page.reload()
    page.locator(".sw-launcher").click()
    expect(page.locator(".sw-notice")).to_have_text(
        "La conversazione precedente non è più disponibile: ne è iniziata una nuova.", timeout=WAIT_MS
    )
    expect(page.locator(".sw-status")).to_contain_text("Online", timeout=WAIT_MS)
    fresh = SessionTokens(SESSION_KEY).verify(_stored(page)["token"])
    assert fresh is not None and fresh != expired.conversation_id
    expect(page.locator(".sw-msg")).to_have_count(1)  # only the welcome message
    assert_accessible(page, "pagina dimostrativa, nuova conversazione dopo un token scaduto")
    _say(page, "ciao")
    expect(page.locator(".sw-msg.sw-bot").nth(1)).to_contain_text("Sportello Welfare", timeout=WAIT_MS)
    assert errors == []
    context.close()


def test_on_a_phone_the_chat_fills_the_screen(assistant: Assistant, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{assistant.url('api')}/")
    page.locator(".sw-launcher").click()
    _say(page, "ciao")
    expect(page.locator(".sw-msg.sw-bot").nth(1)).to_contain_text("Sportello Welfare", timeout=WAIT_MS)
    box = page.locator(".sw-panel").bounding_box()
    assert box is not None and (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 780)
    assert_accessible(page, "pagina dimostrativa su un telefono, chat aperta")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-mobile.png"))
    page.get_by_role("button", name="Chiudi la chat").first.click()
    expect(page.locator(".sw-panel")).to_be_hidden()
    context.close()
