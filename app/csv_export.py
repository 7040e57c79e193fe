"""CSV files for spreadsheets: the one place that makes exported cells safe to open, and that
sends them — as a stream, row by row, so an export of 10,000 trainees is never one string in
memory.

One rule for every export (README, "CSV exports"): the header row is in the exporting user's
language (`header_row`), the values stay machine-readable whatever the language: ISO dates
(2026-12-07), a decimal point (7.5), plain whole numbers (10000), codes as stored."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows are sent in pieces of about this many characters: one write per row would cost a system
#: call per row, one piece for everything would hold the whole file.
CHUNK_CHARS = 64 * 1024
#: The byte-order mark makes Excel read the file as UTF-8 (names like Šimić, João).
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula (a name typed as
    "=HYPERLINK(...)" would run on the coordinator's machine): make such text plain."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header_row(columns: Sequence[str], labels: Mapping[str, Any]) -> list[str]:
    """The export's header in the exporting user's language: each column's label (a lazy
    gettext), in the columns' order. `columns` stay the machine names (the API's)."""
    return [str(labels[column]) for column in columns]


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header and then each row as one CSV line, formula-safe, read from `rows` as they come."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def taken() -> str:
        line = out.getvalue()
        out.seek(0)
        out.truncate()
        return line

    writer.writerow(header)
    yield taken()
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield taken()


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    return "".join(csv_lines(header, rows))


def _pieces(lines: Iterator[str]) -> Iterator[str]:
    piece, size = [BOM], len(BOM)
    for line in lines:
        piece.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def _headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


def csv_stream(header: list[str], rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A streamed CSV download: `rows` (a generator reading the database as it goes) is consumed
    while the response is sent, inside the request's context (the database session stays open)."""
    return Response(stream_with_context(_pieces(csv_lines(header, rows))), mimetype="text/csv",
                    headers=_headers(filename))


def csv_response(text: str, filename: str) -> Response:
    return Response(BOM + text, mimetype="text/csv", headers=_headers(filename))
