"""Exports of any size: a report's table or every closed request behind a number, as CSV or
XLSX, and a report as PDF (``pdf.py``: its chart and table). Rows are written as they are read
(the facts with a streaming cursor) into a temporary file that the edge streams out, so memory
stays flat whatever the number of rows; XLSX is written by xlsxwriter in constant-memory mode.
No row caps."""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

import xlsxwriter

from parley.analytics.pdf import Heading, write_pdf
from parley.errors import InvalidInput

CSV, XLSX, PDF = "csv", "xlsx", "pdf"
FORMATS = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PDF: "application/pdf",
}
TABLES = (CSV, XLSX)  # the formats of a plain table (the drill-down's many columns)
IN_MEMORY_BYTES = 1 << 20  # a small export never touches the disk
CHUNK = 64 * 1024
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows below its header; more go on the next sheet


def export(
    columns: list[str], rows: Iterable[list], kind: str, heading: Heading | None = None
) -> IO[bytes]:
    """The table as a file of ``kind``, rewound, for the edge to stream and close
    (``chunks``); closed here if writing it fails. A PDF says what ``heading`` gives."""
    # Not a with-block: the file outlives this call, until the edge has streamed it.
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        if kind == PDF:
            write_pdf(file, columns, rows, heading or Heading("Parley"))
        else:
            (_csv if kind == CSV else _xlsx)(columns, rows, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def checked_format(given: str, formats=tuple(FORMATS)) -> str:
    if given not in formats:
        raise InvalidInput(f"format: one of {', '.join(formats)}", "format")
    return given


def attachment(name: str, kind: str) -> dict[str, str]:
    """The headers of a download of ``kind`` named after ``name`` (a safe file name)."""
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"
    return {
        "Content-Type": FORMATS[kind],
        "Content-Disposition": f'attachment; filename="{filename}.{kind}"',
    }


def chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := file.read(CHUNK):
            yield block
    finally:
        file.close()


def _csv(columns, rows, file) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_plain(value) for value in row])
    text.flush()
    text.detach()  # the bytes file stays open for the edge


def _xlsx(columns, rows, file) -> None:
    # constant_memory: each row goes to a temporary file as it is written, not into memory.
    book = xlsxwriter.Workbook(
        file, {"constant_memory": True, "remove_timezone": True, "in_memory": False}
    )
    bold = book.add_format({"bold": True})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet, line = None, XLSX_MAX_ROWS
    for row in rows:
        if line >= XLSX_MAX_ROWS:
            sheet, line = book.add_worksheet(), 0
            sheet.write_row(0, 0, columns, bold)
        line += 1
        for index, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(line, index, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(line, index, datetime(value.year, value.month, value.day), day)
            else:
                sheet.write(line, index, value)
    if sheet is None:
        book.add_worksheet().write_row(0, 0, columns, bold)
    book.close()


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value
