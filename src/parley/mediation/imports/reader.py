"""Reading an import file a row at a time: CSV (a header row naming the fields; a nested
field as ``customer.email``) or JSON lines (one object per line). The file is streamed: a
row is read when the loader asks for it, and at most one buffer of the file is in memory.

Row numbers are what a person finds in the file: in a CSV file the records after the header
(the first is row 1; a record spanning lines is one row), in a JSON lines file the lines
(blank ones are skipped, not counted as errors).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from parley.errors import InvalidInput
from parley.mediation.imports.models import CSV, FORMATS, JSONL

MAX_FIELD = 1_000_000  # characters in one CSV cell


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    message: str


@dataclass(frozen=True)
class Row:
    number: int
    values: dict | None  # None: the row could not be read (``error`` says why)
    error: RowError | None = None


class FileRefused(InvalidInput):
    """The file as a whole cannot be imported (its format, its header, its encoding)."""


def format_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower().lstrip(".")
    found = {"csv": CSV, "jsonl": JSONL, "ndjson": JSONL}.get(suffix)
    if found is None:
        raise FileRefused(f"file: a .csv or .jsonl file, not {file_name!r}", "file")
    assert found in FORMATS
    return found


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it (the progress of a stream)."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def rows(stream: CountingReader, fmt: str, fields: Iterable[str]) -> Iterator[Row]:
    """The rows of ``stream``, each a nested dict of the cells given (empty cells left out).
    ``fields``: the names a CSV header may use (``customer.email``); any other is refused
    before the first row, since every row would be refused for it."""
    text = io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8-sig", newline="")
    try:
        if fmt == CSV:
            yield from _csv_rows(text, set(fields))
        else:
            yield from _jsonl_rows(text)
    except UnicodeDecodeError:
        raise FileRefused("file: not UTF-8 text", "file") from None


def _csv_rows(text: io.TextIOBase, allowed: set[str]) -> Iterator[Row]:
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        raise FileRefused(f"file: not CSV ({error})", "file") from None
    unknown = [name for name in header if name not in allowed]
    if unknown or len(set(header)) != len(header):
        problem = f"unknown column {unknown[0]!r}" if unknown else "a column named twice"
        raise FileRefused(f"file: {problem}; the columns are {', '.join(sorted(allowed))}", "file")
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(number, None, RowError(number, None, f"not CSV: {error}"))
            continue
        if len(cells) > len(header):
            message = f"{len(cells)} values for {len(header)} columns"
            yield Row(number, None, RowError(number, None, message))
            continue
        yield Row(number, nested(zip(header, cells, strict=False)))


def nested(cells: Iterable[tuple[str, str]]) -> dict:
    """``customer.email = a@b`` -> ``{"customer": {"email": "a@b"}}``; empty cells left out."""
    values: dict = {}
    for name, cell in cells:
        if cell == "":
            continue
        *parents, last = name.split(".")
        place = values
        for parent in parents:
            place = place.setdefault(parent, {})
        place[last] = cell
    return values


def _jsonl_rows(text: io.TextIOBase) -> Iterator[Row]:
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            yield Row(number, None, RowError(number, None, f"not JSON: {error}"))
            continue
        if not isinstance(value, dict):
            yield Row(number, None, RowError(number, None, "not a JSON object"))
            continue
        yield Row(number, value)
