"""The dashboard (`/console/cruscotto`): how the assistant is doing, for every operator.

The figures are api/monitoring/metrics.py's (daily counters: a few hundred rows for a
year); this module picks the period, formats the tables in Italian and describes the
charts that api/static/console/dashboard.js draws with Chart.js from a JSON block (the
console's CSP allows no inline script). Every chart has its table on the page, which is
what a screen reader or a keyboard reads, and every table its CSV (export.to_csv), the
same file the service API gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from api.console.auth import ConsoleError, OperatorDep, require_csrf
from api.console.knowledge import KnowledgeBaseDep, titles
from api.console.pages import channel_label, render
from api.deps import SessionDep
from api.monitoring import metrics, outcomes
from api.monitoring.days import days_between
from api.monitoring.export import MEDIA_TYPE, file_name, to_csv
from api.monitoring.metrics import Dashboard, Table, Value
from api.monitoring.routes import BAD_PERIOD, FIRST_DAY, LAST_DAY, MAX_DAYS

PAGE = "/console/cruscotto"
DEFAULT_DAYS = 30
BAD_DATE = "Data non valida: scrivila come gg/mm/aaaa (per esempio 02/03/2026)."
NO_TABLE = "Non c'è una tabella con questo nome nel cruscotto."
# Values that are shares (0–1), shown as percentages: by column, and by row of the
# tables of single figures (metrics.py names each measure in its `misura` column).
SHARE_COLUMNS = frozenset({"quota_domande", "quota_utili"})
SHARE_MEASURES = frozenset({"Contenimento (senza ticket / tutte)", "Tasso di passaggio a un operatore"})
# Columns that describe a row rather than count something: left-aligned.
TEXT_COLUMNS = frozenset({"giorno", "canale", "esito", "codice", "argomento", "misura", "fascia"})
# Horizontal bars need height for their category names: a taller box past these counts.
TALL_CHART_LABELS = 5
TALLER_CHART_LABELS = 12

router = APIRouter(prefix=PAGE, include_in_schema=False, dependencies=[Depends(require_csrf)])
DayText = Annotated[str, Query(max_length=32)]


# --- the period -----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def query(self) -> str:
        return urlencode({"dal": self.start.isoformat(), "al": self.end.isoformat()})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class InvalidPeriod(ValueError):
    """The message says what to fix, in Italian."""


def parse_day(text: str) -> date | None:
    """`2026-03-02` (what a date field sends) or `02/03/2026` (typed by hand); empty: None."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidPeriod(BAD_DATE)


def read_period(dal: str, al: str, today: date | None = None) -> Period:
    """The period of the form: the last 30 days by default, 30 days from or up to a lone day."""
    start, end = parse_day(dal), parse_day(al)
    if any(day is not None and not FIRST_DAY <= day <= LAST_DAY for day in (start, end)):
        raise InvalidPeriod(BAD_PERIOD)
    if start is None and end is None:
        return Period(*metrics.default_period(today, DEFAULT_DAYS))
    if end is None:
        assert start is not None
        end = min(start + timedelta(days=DEFAULT_DAYS - 1), LAST_DAY)
    if start is None:
        start = max(end - timedelta(days=DEFAULT_DAYS - 1), FIRST_DAY)
    if start > end or (end - start).days >= MAX_DAYS:
        raise InvalidPeriod(BAD_PERIOD)
    return Period(start, end)


# --- Italian formats ------------------------------------------------------------------


def number_it(value: float | int | None, decimals: int = 1) -> str:
    """`1.234`, `2,5`, `60`: thousands with a dot, a decimal comma, no useless zeros."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{round(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def share_it(value: float | None) -> str:
    """A share as a percentage with one decimal when it matters: `50%`, `16,7%`."""
    return "—" if value is None else f"{number_it(round(value * 100, 1))}%"


def day_it(text: str) -> str:
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _cell(table: Table, key: str, row: Mapping[str, Value], titles: Mapping[str, str]) -> str:
    value = row.get(key)
    if key in SHARE_COLUMNS or (key == "valore" and row.get("misura") in SHARE_MEASURES):
        return share_it(value if isinstance(value, (int, float)) else None)
    if key == "giorno" and isinstance(value, str):
        return day_it(value)
    if key == "canale" and isinstance(value, str):
        return channel_label(value)
    if key == "argomento" and isinstance(value, str):
        title = titles.get(value)
        return f"{title} ({value})" if title else value
    if value is None or isinstance(value, (int, float)):
        return number_it(value, 2 if table.name == "confidenza" else 1)
    return str(value)


# --- what the template shows ----------------------------------------------------------


@dataclass
class TableView:
    name: str
    title: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    csv_url: str


@dataclass
class Chart:
    """One chart: the canvas's id and description, and what dashboard.js gives Chart.js."""

    id: str
    kind: str  # "line" or "bar"
    title: str
    summary: str  # the canvas's accessible name: what the chart shows, where its data is
    labels: list[str]
    series: list[dict[str, Any]]
    unit: str = ""  # "%" or nothing
    horizontal: bool = False
    table: str = ""  # the id of the table with its data

    @property
    def size(self) -> str:
        """The CSS class of the chart's box (api/static/console/console.css)."""
        if not self.horizontal or len(self.labels) <= TALL_CHART_LABELS:
            return ""
        return "altissimo" if len(self.labels) > TALLER_CHART_LABELS else "alto"

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "series": self.series,
            "unit": self.unit,
            "horizontal": self.horizontal,
        }


@dataclass
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass
class DashboardView:
    period: Period
    figures: list[Figure]
    tables: dict[str, TableView]
    charts: dict[str, Chart]
    warnings: list[str] = field(default_factory=list)

    def specs(self) -> dict[str, dict[str, Any]]:
        return {chart.id: chart.spec() for chart in self.charts.values()}


def csv_url(name: str, period: Period) -> str:
    return f"{PAGE}/{name}.csv?{period.query()}"


def table_view(table: Table, period: Period, titles: Mapping[str, str]) -> TableView:
    return TableView(
        name=table.name,
        title=table.title,
        headers=[column.label for column in table.columns],
        numeric=[column.key not in TEXT_COLUMNS for column in table.columns],
        rows=[[_cell(table, column.key, row, titles) for column in table.columns] for row in table.rows],
        csv_url=csv_url(table.name, period),
    )


def _measures(table: Table) -> dict[str, Value]:
    return {str(row["misura"]): row["valore"] for row in table.rows}


def _listing(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label} {value}" for label, value in pairs)


def _traffic_charts(table: Table, period: Period) -> list[Chart]:
    channels = sorted({str(row["canale"]) for row in table.rows})
    if not channels:
        return []
    days = days_between(period.start, period.end)
    found = {(str(row["giorno"]), str(row["canale"])): row for row in table.rows}
    labels = [day.strftime("%d/%m") for day in days]
    charts = []
    for key, what in (("conversazioni", "Conversazioni"), ("messaggi", "Messaggi")):
        series = []
        totals = []
        for channel in channels:
            values = [int(found.get((day.isoformat(), channel), {}).get(key) or 0) for day in days]
            series.append({"label": channel_label(channel), "data": values})
            totals.append((channel_label(channel), number_it(sum(values))))
        summary = (
            f"Grafico a linee: {what.lower()} per giorno e canale, dal {labels[0]} al {labels[-1]}. "
            f"Totali del periodo: {_listing(totals)}. I dati giorno per giorno sono nella tabella sotto i grafici."
        )
        charts.append(
            Chart(f"grafico-{key}", "line", f"{what} per giorno", summary, labels, series, table="tabella-traffico")
        )
    return charts


def _outcomes_chart(table: Table) -> Chart | None:
    rows = [row for row in table.rows if row["codice"] in outcomes.QUESTION_OUTCOMES]
    if all(row["quota_domande"] is None for row in rows):
        return None
    labels = [str(row["esito"]) for row in rows]
    values = [round(float(row["quota_domande"] or 0) * 100, 1) for row in rows]
    pairs = [(label, share_it(value / 100)) for label, value in zip(labels, values, strict=True)]
    summary = (
        f"Grafico a barre: quota delle domande per esito. {_listing(pairs)}. I dati sono nella tabella qui accanto."
    )
    return Chart(
        "grafico-esiti",
        "bar",
        "Quota delle domande per esito",
        summary,
        labels,
        [{"label": "Quota delle domande", "data": values}],
        unit="%",
        horizontal=True,
        table="tabella-esiti",
    )


def _topic_label(topic: str, titles: Mapping[str, str]) -> str:
    return titles.get(topic, topic)


def _topics_chart(table: Table, titles: Mapping[str, str]) -> Chart | None:
    if not table.rows:
        return None
    labels = [_topic_label(str(row["argomento"]), titles) for row in table.rows]
    answered = [int(row["risposte"] or 0) for row in table.rows]
    proposed = [int(row["proposte"] or 0) for row in table.rows]
    first = ", ".join(f"{label} {number_it(n)}" for label, n in list(zip(labels, answered, strict=True))[:3])
    summary = (
        f"Grafico a barre: gli argomenti più richiesti, con le risposte date (barre piene) e le volte in cui "
        f"l'argomento è stato proposto (barre a righe). In testa: {first}. I dati sono nella tabella qui accanto."
    )
    series = [{"label": "Risposte", "data": answered}, {"label": "Volte proposto", "data": proposed}]
    return Chart(
        "grafico-argomenti",
        "bar",
        "Risposte e proposte per argomento",
        summary,
        labels,
        series,
        horizontal=True,
        table="tabella-argomenti",
    )


def _votes_chart(table: Table, titles: Mapping[str, str]) -> Chart | None:
    if not table.rows:
        return None
    labels = [_topic_label(str(row["argomento"]), titles) for row in table.rows]
    up = [int(row["utili"] or 0) for row in table.rows]
    down = [int(row["non_utili"] or 0) for row in table.rows]
    summary = (
        f"Grafico a barre: voti 👍 (barre piene) e 👎 (barre a righe) per argomento, prima i più 👎. "
        f"Totale: {number_it(sum(up))} 👍 e {number_it(sum(down))} 👎. I dati sono nella tabella qui accanto."
    )
    series = [{"label": "👍 utile", "data": up}, {"label": "👎 non utile", "data": down}]
    return Chart(
        "grafico-voti", "bar", "Voti per argomento", summary, labels, series, horizontal=True, table="tabella-voti"
    )


def _confidence_chart(table: Table) -> Chart | None:
    counts = [int(row["domande"] or 0) for row in table.rows]
    if not any(counts):
        return None
    labels = [str(row["fascia"]) for row in table.rows]
    low = sum(counts[:5])
    summary = (
        f"Istogramma: domande per fascia di confidenza dell'argomento migliore, da 0 a 1. "
        f"Sotto 0,5: {number_it(low)} domande su {number_it(sum(counts))}. I dati sono nella tabella qui accanto."
    )
    return Chart(
        "grafico-confidenza",
        "bar",
        "Domande per fascia di confidenza",
        summary,
        labels,
        [{"label": "Domande", "data": counts}],
        table="tabella-confidenza",
    )


def _figures(board: Dashboard) -> list[Figure]:
    sums = _measures(board.table("contenimento"))
    tickets = _measures(board.table("ticket"))
    answered = next(row for row in board.table("esiti").rows if row["codice"] == outcomes.ANSWERED)

    def share(key: str) -> str:
        value = sums.get(key)
        return share_it(value if isinstance(value, (int, float)) else None)

    def count(found: Mapping[str, Value], key: str) -> str:
        value = found.get(key)
        return number_it(value if isinstance(value, (int, float)) else None)

    messages = sum(int(row["messaggi"] or 0) for row in board.table("traffico").rows)
    first_reply = tickets.get("Mediana del tempo alla prima risposta (minuti)")
    resolution = tickets.get("Mediana del tempo alla risoluzione (ore)")
    return [
        Figure("Conversazioni", count(sums, "Conversazioni")),
        Figure("Messaggi degli utenti", number_it(messages)),
        Figure(
            "Risposte dirette",
            share_it(answered["quota_domande"] if isinstance(answered["quota_domande"], float) else None),
            "sulle domande",
        ),
        Figure("Contenimento", share("Contenimento (senza ticket / tutte)"), "conversazioni senza ticket"),
        Figure("Passaggi a un operatore", share("Tasso di passaggio a un operatore"), "sulle conversazioni"),
        Figure("Ticket aperti", count(tickets, "Ticket aperti")),
        Figure(
            "Prima risposta",
            f"{number_it(first_reply)} min" if isinstance(first_reply, (int, float)) else "—",
            "mediana",
        ),
        Figure(
            "Risoluzione",
            f"{number_it(resolution)} ore" if isinstance(resolution, (int, float)) else "—",
            "mediana",
        ),
    ]


def _warnings(board: Dashboard) -> list[str]:
    ingest = _measures(board.table("raccolta"))
    dropped = ingest.get("Eventi persi dal server Rasa (coda piena)") or 0
    rejected = ingest.get("Eventi scartati perché non validi") or 0
    found = []
    if isinstance(dropped, (int, float)) and dropped > 0:
        found.append(
            f"Nel periodo il server Rasa ha perso {number_it(dropped)} eventi di monitoraggio (la sua coda era "
            "piena mentre l'API non rispondeva): le cifre sono un po' più basse del vero."
        )
    if isinstance(rejected, (int, float)) and rejected > 0:
        found.append(f"{number_it(rejected)} eventi arrivati nel periodo erano malformati e sono stati scartati.")
    return found


def build_view(board: Dashboard, period: Period, titles: Mapping[str, str]) -> DashboardView:
    tables = {name: table_view(board.table(name), period, titles) for name in metrics.TABLE_NAMES}
    charts = [
        *_traffic_charts(board.table("traffico"), period),
        _outcomes_chart(board.table("esiti")),
        _topics_chart(board.table("argomenti"), titles),
        _votes_chart(board.table("voti"), titles),
        _confidence_chart(board.table("confidenza")),
    ]
    return DashboardView(
        period=period,
        figures=_figures(board),
        tables=tables,
        charts={chart.id: chart for chart in charts if chart is not None},
        warnings=_warnings(board),
    )


# --- routes ---------------------------------------------------------------------------


@router.get("")
def dashboard_page(
    request: Request, db: SessionDep, user: OperatorDep, kb: KnowledgeBaseDep, dal: DayText = "", al: DayText = ""
) -> Response:
    try:
        period = read_period(dal, al)
    except InvalidPeriod as exc:
        context = {"view": None, "form": {"dal": dal, "al": al}, "error": str(exc)}
        return render(request, "dashboard.html", context, user=user, status_code=status.HTTP_400_BAD_REQUEST)
    view = build_view(metrics.dashboard(db, period.start, period.end), period, titles(kb.folder))
    form = {"dal": period.start.isoformat(), "al": period.end.isoformat()}
    return render(request, "dashboard.html", {"view": view, "form": form}, user=user)


@router.get("/{tabella}.csv")
def dashboard_csv(db: SessionDep, _user: OperatorDep, tabella: str, dal: DayText = "", al: DayText = "") -> Response:
    if tabella not in metrics.TABLE_NAMES:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=NO_TABLE)
    try:
        period = read_period(dal, al)
    except InvalidPeriod as exc:
        raise ConsoleError(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    table = metrics.dashboard(db, period.start, period.end).table(tabella)
    name = file_name(table, period.start.isoformat(), period.end.isoformat())
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(to_csv(table), media_type=MEDIA_TYPE, headers=headers)
