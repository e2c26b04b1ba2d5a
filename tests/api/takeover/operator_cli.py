"""An operator at the console, for end-to-end tests: `python -m tests.api.takeover.operator_cli`.

The end-to-end tests of the Rasa side run in the Rasa environment, which cannot import
the API; they start this in the app environment (with the running assistant's
`SPORTELLO_*` variables) to do what the console's buttons do, through the same service:

    take <conversation_id>              "Prendi in carico" on the conversation's open ticket
    send <conversation_id> <text>       send a reply
    release <conversation_id>           "Restituisci all'assistente"
    messages <conversation_id>          the ticket's live messages, as JSON

The operator is `anna.e2e` («Anna»), created on first use. Prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import create_db_engine
from api.operators.models import Operator
from api.settings import Settings
from api.takeover import rasa_client, service
from api.tickets import queries

USERNAME = "anna.e2e"
DISPLAY_NAME = "Anna"


def _operator(session: Session) -> Operator:
    operator = session.scalars(select(Operator).where(Operator.username == USERNAME)).one_or_none()
    if operator is None:
        operator = Operator(username=USERNAME, display_name=DISPLAY_NAME, password_hash="-")
        session.add(operator)
        session.commit()
    return operator


async def run(argv: Sequence[str]) -> dict[str, Any]:
    command, conversation_id, *rest = argv
    settings = Settings()
    rasa_client.install(
        rasa_client.RasaClient(settings.rasa_url, settings.service_token.get_secret_value(), settings.rasa_timeout_s)
    )
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            ticket = queries.open_ticket(session, conversation_id)
            if ticket is None:
                raise SystemExit(f"nessuna richiesta aperta per {conversation_id}")
            operator = _operator(session)
            if command == "take":
                await service.take(session, ticket.number, operator)
            elif command == "send":
                await service.send(session, ticket.number, operator, rest[0])
            elif command == "release":
                await service.release(session, ticket.number, operator)
            elif command != "messages":
                raise SystemExit(f"comando sconosciuto: {command}")
            messages = [
                {"who": m.who, "text": m.text, "intent": m.intent} for m in service.messages(session, ticket.number)
            ]
            owner = service.owner(session, conversation_id)
            return {
                "number": ticket.number,
                "owner": owner.operator_name if owner else None,
                "messages": messages,
            }
    finally:
        engine.dispose()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1:])), ensure_ascii=False))
