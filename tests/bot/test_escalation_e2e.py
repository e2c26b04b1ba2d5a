"""Reaching a person through the real assistant on the web chat (slow).

A web chat user asks for a person, fills the form, and gets a ticket number. Then the
same with the ticket store down at the moment of consent: the request is kept, the
action server is restarted, the API comes back, and exactly one ticket exists and its
number reaches the user in the chat.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.run_all import ROOT, Service, assistant_running, service_ports, start, stop_all, wait_healthy
from tests.bot.channels.conftest import ChatClient

pytestmark = pytest.mark.slow
MODEL = ROOT / "models" / "sportello.tar.gz"
TOKEN = "token-e2e-richieste"
NUMBER_WAIT_S = 120


class Running:
    def __init__(self, env: dict[str, str], services: dict[str, Service]) -> None:
        self.env = env
        self.services = services

    @property
    def rasa_url(self) -> str:
        return self.services["rasa"].public_url

    def stop(self, name: str) -> None:
        stop_all([self.services[name]])

    def start(self, name: str) -> None:
        start(self.services[name], self.env)
        wait_healthy([self.services[name]], timeout_s=120)

    def tickets(self, conversation_id: str) -> list[dict[str, Any]]:
        url = f"{self.services['api'].public_url}/api/v1/tickets?conversation_id={conversation_id}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            items: list[dict[str, Any]] = json.loads(resp.read())["items"]
            return items


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    assert MODEL.exists(), "Modello assente: esegui `make train`"
    var_dir: Path = tmp_path_factory.mktemp("var")
    overrides = {
        "SPORTELLO_VAR_DIR": str(var_dir),
        **service_ports(),
        "SPORTELLO_SERVICE_TOKEN": TOKEN,
        "SPORTELLO_OFFICE_HOURS": "",
    }
    with assistant_running(overrides, timeout_s=240) as (env, by_name):
        yield Running(env, by_name)


@pytest.fixture
async def user(assistant: Running) -> AsyncIterator[ChatClient]:
    client = ChatClient()
    await client.connect(assistant.rasa_url)
    await client.session()
    yield client
    await client.close()


async def _fill_form_until_consent(client: ChatClient) -> None:
    assert "Come ti chiami" in await client.reply("voglio parlare con un operatore")
    assert "email o un numero di telefono" in await client.reply("Maria Rossi")
    assert "Non riconosco" in await client.reply("maria.rossi@")  # invalid first: asked again
    assert "Tu sei" in await client.reply("maria.rossi@esempio.it")
    assert "azienda o cooperativa" in await client.reply("Socio o socia di cooperativa")
    assert "Descrivi" in await client.reply("salta")
    summary = await client.reply("Vorrei sapere se il premio di risultato può diventare welfare")
    assert "maria.rossi@esempio.it" in summary and "informativa privacy" in summary


async def test_a_web_user_reaches_a_person_and_gets_a_ticket_number(assistant: Running, user: ChatClient) -> None:
    await _fill_form_until_consent(user)
    done = await user.reply("sì")
    assert "SW-" in done and "a che punto è la mia richiesta" in done
    status = await user.reply("a che punto è la mia richiesta?")
    assert "ricevuta, in attesa di un operatore" in status


async def test_a_correction_and_a_cancel_store_nothing(assistant: Running, user: ChatClient) -> None:
    assert "Come ti chiami" in await user.reply("vorrei parlare con una persona")
    await user.reply("Luca Bianchi")
    corrected = await user.reply("cambia nome")
    assert "correggiamo" in corrected and "Come ti chiami" in corrected
    await user.reply("Luca Verdi")
    cancelled = await user.reply("annulla")
    assert "non ho salvato nessun dato" in cancelled


async def test_with_the_ticket_store_down_nothing_is_lost_and_the_number_arrives(
    assistant: Running, user: ChatClient
) -> None:
    await _fill_form_until_consent(user)
    assistant.stop("api")
    queued = await user.reply("sì")
    assert "appena possibile" in queued and "SW-" not in queued

    assistant.stop("azioni")  # the outbox is on disk: a restart loses nothing
    assistant.start("azioni")
    assistant.start("api")

    deadline = time.monotonic() + NUMBER_WAIT_S
    pushed = ""
    while "SW-" not in pushed:
        assert time.monotonic() < deadline, "il numero della richiesta non è arrivato"
        _, data = await user.next_any(("bot_uttered",), timeout_s=deadline - time.monotonic())
        pushed = data["text"]
    number = pushed.split("**")[1]
    tickets = assistant.tickets(user.sender_id)
    assert [t["number"] for t in tickets] == [number]
