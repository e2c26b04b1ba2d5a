"""A dashboard table as CSV, the way Italian spreadsheets open it.

Semicolons between fields and a decimal comma (Excel and LibreOffice in Italian read
them so), UTF-8 with a byte order mark (so accents and 👍 survive a double click),
the columns' Italian labels as the header.
"""

from __future__ import annotations

import csv
import io

from api.monitoring.metrics import Table, Value

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.get(column.key)) for column in table.columns])
    return BOM + out.getvalue()


def file_name(table: Table, start: str, end: str) -> str:
    return f"sportello-{table.name}-{start}-{end}.csv"
