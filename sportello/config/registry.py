"""Every `SPORTELLO_*` variable of the project: name, default, meaning, who reads it.

The one list: the settings class of each process takes its defaults from here, the
README's table is generated from it (`make docs-config`), and a test fails when code
reads a variable that is not listed here (or when one listed here is read nowhere).
"""

from __future__ import annotations

from dataclasses import dataclass

# The processes (and tools) that read variables.
LAUNCHER = "launcher"  # scripts/run_all.py (make run)
RASA = "rasa"  # the Rasa server and its channels (python -m bot.server)
ACTIONS = "actions"  # the action server (python -m bot.actions.server)
API = "api"  # the FastAPI app (uvicorn api.main:app)
TELEGRAM = "telegram"  # the Telegram bridge (python -m connectors.telegram)
SETUP = "setup"  # make / scripts/*.sh
TESTS = "tests"  # the test suite only
SERVICES = (LAUNCHER, RASA, ACTIONS, API, TELEGRAM)


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | int | float | None
    meaning: str
    readers: tuple[str, ...]
    # How the README shows a default computed at run time (None: shows `default`).
    default_doc: str | None = None
    # Secrets: generated once into this file of the var dir when the variable is unset.
    secret_file: str | None = None

    @property
    def field(self) -> str:
        """The settings field name (pydantic settings read it with the SPORTELLO_ prefix)."""
        return self.name.removeprefix("SPORTELLO_").lower()


VARIABLES: tuple[Variable, ...] = (
    # Everywhere
    Variable(
        "SPORTELLO_ENV",
        "development",
        "`development` or `production`; production refuses to start with embedded or unsafe defaults",
        SERVICES,
    ),
    Variable(
        "SPORTELLO_VAR_DIR",
        None,
        "where the embedded databases and the generated secrets live",
        SERVICES,
        default_doc="`.var` in the repository",
    ),
    Variable(
        "SPORTELLO_BIND_HOST",
        "127.0.0.1",
        "interface the services listen on (action server, Rasa, API, Telegram bridge); "
        "put a reverse proxy in front for public access",
        (LAUNCHER, RASA, ACTIONS, TELEGRAM),
    ),
    # Secrets shared by the processes
    Variable(
        "SPORTELLO_SERVICE_TOKEN",
        None,
        "bearer token of trusted services: actions → API, bridge → Rasa, pushes and deliveries",
        (LAUNCHER, RASA, ACTIONS, API, TELEGRAM),
        default_doc="generated in `<var dir>/service_token`",
        secret_file="service_token",
    ),
    Variable(
        "SPORTELLO_BUTTON_SECRET",
        None,
        "key that signs button payloads and web-chat resume tokens",
        (LAUNCHER, RASA, TELEGRAM),
        default_doc="generated in `<var dir>/button_secret`",
        secret_file="button_secret",
    ),
    Variable(
        "SPORTELLO_ACTIONS_SECRET",
        None,
        "shared secret the Rasa server presents to the action server (which refuses anything else)",
        (LAUNCHER, RASA, ACTIONS),
        default_doc="generated in `<var dir>/actions_secret`",
        secret_file="actions_secret",
    ),
    # Ports and internal URLs
    Variable("SPORTELLO_ACTIONS_PORT", 5055, "port of the action server", (LAUNCHER, ACTIONS)),
    Variable("SPORTELLO_RASA_PORT", 5005, "port of the Rasa server", (LAUNCHER, RASA, API)),
    Variable("SPORTELLO_API_PORT", 8000, "port of the API", (LAUNCHER,)),
    Variable(
        "SPORTELLO_ACTIONS_URL",
        None,
        "the action server's webhook, as the Rasa server calls it",
        (LAUNCHER, RASA),
        default_doc="`http://127.0.0.1:<actions port>/webhook`",
    ),
    Variable(
        "SPORTELLO_API_URL",
        None,
        "the API, as the action server and the Rasa server's channels (who answers a conversation?) call it",
        (LAUNCHER, RASA, ACTIONS),
        default_doc="`http://127.0.0.1:<API port>`",
    ),
    Variable(
        "SPORTELLO_RASA_URL",
        None,
        "the Rasa server, as the Telegram bridge, the action server and the API (operators' replies) call it",
        (LAUNCHER, TELEGRAM, ACTIONS, API),
        default_doc="`http://127.0.0.1:<Rasa port>`",
    ),
    Variable(
        "SPORTELLO_TELEGRAM_URL",
        None,
        "the Telegram bridge's HTTP server, as the action server and the Rasa server call it to deliver messages",
        (LAUNCHER, RASA, ACTIONS),
        default_doc="`http://127.0.0.1:<Telegram port>`",
    ),
    Variable(
        "SPORTELLO_MODEL",
        None,
        "the trained model the Rasa server loads",
        (LAUNCHER, RASA),
        default_doc="`models/sportello.tar.gz`",
    ),
    # Stores
    Variable(
        "SPORTELLO_DATABASE_URL",
        None,
        "the API's database (tickets, votes); e.g. `postgresql+psycopg://user:pw@host/db`",
        (API,),
        default_doc="`sqlite:///<var dir>/sportello.db`",
    ),
    Variable(
        "SPORTELLO_TRACKER_DIALECT",
        "sqlite",
        "Rasa's conversation store: SQLAlchemy dialect, e.g. `postgresql`",
        (LAUNCHER, RASA),
    ),
    Variable(
        "SPORTELLO_TRACKER_URL",
        None,
        "Rasa's conversation store, e.g. `postgresql://user:pw@host:5432/db` (the API purges and erases in it)",
        (LAUNCHER, RASA, API),
        default_doc="`sqlite:///<var dir>/tracker.db`",
    ),
    Variable(
        "SPORTELLO_REDIS_URL",
        "",
        "Redis, when several bridge processes must share which Telegram updates were handled",
        (TELEGRAM,),
        default_doc="unset (SQLite `<var dir>/telegram_updates.db`)",
    ),
    # The assistant's behaviour
    Variable(
        "SPORTELLO_FAQ_ANSWER_THRESHOLD",
        0.5,
        "minimum topic confidence to answer directly; below it the closest topics are proposed",
        (ACTIONS,),
    ),
    Variable(
        "SPORTELLO_SUGGEST_MIN_CONFIDENCE",
        0.05,
        "minimum confidence of a topic to be proposed as a button",
        (ACTIONS,),
    ),
    Variable("SPORTELLO_MAX_SUGGESTIONS", 3, "how many topics are proposed at most", (ACTIONS,)),
    Variable(
        "SPORTELLO_API_TIMEOUT_S",
        2.0,
        "timeout of each call from the action server and the Rasa server's channels to the API",
        (RASA, ACTIONS),
    ),
    Variable(
        "SPORTELLO_CONTACT_INFO",
        "scrivi allo Sportello Welfare della tua cooperativa o della tua associazione, "
        "che ti metterà in contatto con un operatore.",
        "how to reach the Sportello's people, shown to users (never invented by an answer)",
        (ACTIONS,),
        default_doc="a generic Italian sentence",
    ),
    Variable(
        "SPORTELLO_PRIVACY_NOTICE_URL",
        None,
        "the privacy notice users consent to when they ask for a person (https in production)",
        (ACTIONS,),
        default_doc="the example notice on the API's demo page",
    ),
    Variable(
        "SPORTELLO_PRIVACY_NOTICE_VERSION",
        "2026-11",
        "version of that notice, stored with each ticket's consent",
        (ACTIONS,),
    ),
    Variable(
        "SPORTELLO_OFFICE_HOURS",
        "",
        "when operators answer, Europe/Rome, e.g. `lun-ven 9:00-13:00,14:00-17:00; sab 9-12`; "
        "Italian public holidays are closed",
        (ACTIONS,),
        default_doc="unset (no hours are promised to users)",
    ),
    Variable(
        "SPORTELLO_OFFICE_PROVINCE",
        "",
        "province whose patron saint's day is also closed, e.g. `TO`",
        (ACTIONS,),
    ),
    Variable("SPORTELLO_MAX_MESSAGE_CHARS", 1000, "longer user messages are refused politely", (RASA,)),
    # Web chat
    Variable(
        "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS",
        "*",
        "sites allowed to open the chat socket, comma-separated (the resume token, not the origin, "
        "protects a conversation; empty = leave CORS to `rasa run --cors`)",
        (RASA,),
    ),
    Variable("SPORTELLO_WEBCHAT_HISTORY_LIMIT", 200, "messages replayed when a web conversation is resumed", (RASA,)),
    Variable(
        "SPORTELLO_WEBCHAT_TOKEN_TTL_HOURS",
        720,
        "lifetime of a web chat resume token (each resume issues a fresh one); "
        "older tokens start a new, empty conversation",
        (RASA,),
    ),
    Variable(
        "SPORTELLO_WEBCHAT_SERVER_URL",
        "",
        "public URL of the Rasa server that the demo page at `/` embeds",
        (API,),
        default_doc="page host + Rasa port",
    ),
    # Operators' console
    Variable(
        "SPORTELLO_CONSOLE_IDLE_MINUTES",
        30,
        "an operator's console session ends after this many minutes without a request",
        (API,),
    ),
    Variable(
        "SPORTELLO_CONSOLE_SESSION_HOURS",
        10,
        "a console session ends this many hours after the login, however active (a working day)",
        (API,),
    ),
    Variable(
        "SPORTELLO_CONSOLE_LOGIN_MAX_FAILURES",
        5,
        "failed console logins allowed per username and address within the window below; then 429",
        (API,),
    ),
    Variable(
        "SPORTELLO_CONSOLE_LOGIN_WINDOW_MINUTES",
        15,
        "the window of that limit: a blocked login may try again when its oldest failure leaves it",
        (API,),
    ),
    # Telegram
    Variable(
        "SPORTELLO_TELEGRAM_TOKEN",
        "",
        "bot token from @BotFather; when set, `make run` starts the bridge",
        (LAUNCHER, TELEGRAM),
        default_doc="unset (Telegram off)",
    ),
    Variable(
        "SPORTELLO_TELEGRAM_WEBHOOK_URL",
        "",
        "public https URL for Telegram's webhook",
        (TELEGRAM,),
        default_doc="unset (long polling)",
    ),
    Variable(
        "SPORTELLO_TELEGRAM_WEBHOOK_SECRET",
        None,
        "checks webhook requests (A-Z, a-z, 0-9, `_`, `-`)",
        (TELEGRAM,),
        default_doc="generated in `<var dir>/telegram_webhook_secret`",
        secret_file="telegram_webhook_secret",
    ),
    Variable(
        "SPORTELLO_TELEGRAM_PORT",
        8081,
        "the bridge's HTTP server (health, deliveries, webhook)",
        (LAUNCHER, TELEGRAM),
    ),
    Variable(
        "SPORTELLO_TELEGRAM_API_BASE_URL",
        "https://api.telegram.org",
        "Bot API server (a self-hosted one, or the tests' fake)",
        (TELEGRAM,),
    ),
    Variable("SPORTELLO_RASA_TIMEOUT_S", 15.0, "timeout of the bridge's and the API's calls to Rasa", (API, TELEGRAM)),
    # Monitoring, review and retention (bot/monitoring/, api/monitoring/)
    Variable(
        "SPORTELLO_MONITORING_BROKER",
        "api",
        "where the Rasa server sends every conversation event: `api` (batches to the API, no other service), "
        "`rabbitmq` (Rasa's Pika broker, read by `python -m api.monitoring.consumer`) or `off`",
        (RASA,),
    ),
    Variable(
        "SPORTELLO_MONITORING_QUEUE_EVENTS",
        10000,
        "events the Rasa server keeps in memory while the monitoring store cannot take them; "
        "beyond that the oldest are dropped, counted and logged",
        (RASA,),
    ),
    Variable(
        "SPORTELLO_RABBITMQ_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2F",
        "RabbitMQ for the `rabbitmq` monitoring broker (Rasa's side and the consumer)",
        (RASA, API),
    ),
    Variable(
        "SPORTELLO_RABBITMQ_QUEUE",
        "sportello_monitoring",
        "the durable RabbitMQ queue of conversation events",
        (RASA, API),
    ),
    Variable(
        "SPORTELLO_MONITORING_KEY",
        None,
        "key of the pseudonyms that replace conversation ids in the monitoring tables (kept out of the database)",
        (API,),
        default_doc="generated in `<var dir>/monitoring_key`",
        secret_file="monitoring_key",
    ),
    Variable(
        "SPORTELLO_REVIEW_LOW_CONFIDENCE",
        0.6,
        "an answer given with a topic confidence below this goes to the review inbox",
        (API,),
    ),
    Variable(
        "SPORTELLO_RETENTION_DAYS",
        180,
        "conversation data (Rasa's tracker store, monitoring messages, votes' questions, ticket transcripts) "
        "older than this is purged by `make purge`",
        (API,),
    ),
    Variable(
        "SPORTELLO_TICKET_RETENTION_DAYS",
        365,
        "resolved or closed tickets (contacts, notes, audit trail) not updated for this long are deleted by "
        "`make purge`",
        (API,),
    ),
    # Setup and tests
    Variable(
        "SPORTELLO_NLU_CONFIG",
        "config.yml",
        "NLU pipeline used by `make train/run/test` (see the opt-in spaCy model below)",
        (SETUP,),
    ),
    Variable(
        "SPORTELLO_PYTHON310",
        "",
        "Python 3.10 interpreter for the Rasa environment, when not found under pyenv or on the PATH",
        (SETUP,),
        default_doc="found automatically",
    ),
    Variable(
        "SPORTELLO_PYTHON_APP",
        "",
        "Python 3.10–3.13 interpreter for the app environment",
        (SETUP,),
        default_doc="found automatically",
    ),
    Variable(
        "SPORTELLO_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "PostgreSQL server the database tests and benchmarks use",
        (TESTS,),
    ),
)

BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES}


def variable(name: str) -> Variable:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name} non è nel registro delle variabili (sportello/config/registry.py)") from None


def default(name: str) -> str | int | float | None:
    """The embedded default of a variable (None: computed at run time, see `resolve`)."""
    return variable(name).default


def read_by(process: str) -> tuple[Variable, ...]:
    return tuple(v for v in VARIABLES if process in v.readers)
