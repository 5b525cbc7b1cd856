"""Report exports benchmark: how long a report's table of N rows takes to write as CSV, XLSX
and PDF (``analytics.exports.export``, as the API and the scheduled delivery call it), how
large each file is and, for the PDF, how many pages; no database (the rows are made here, a
report by area with four measures). Prints one JSON line per format and size, with the load
average of the machine while it ran.

    .venv/bin/python benchmarks/exports.py --rows 7500 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from parley.analytics.exports import CSV, PDF, XLSX, export
from parley.analytics.pdf import Heading

COLUMNS = ["area", "outcome", "closed", "completionRate", "slaCompliance", "resolutionP90Seconds"]


def rows(count: int):
    for number in range(count):
        yield [
            f"{10000 + number:05d}",
            "completed" if number % 5 else "unfulfilled",
            1 + number % 97,
            (number % 100) / 100,
            ((number * 7) % 100) / 100,
            3600.0 + number % 7200,
        ]


def run(kind: str, count: int) -> dict:
    heading = Heading(
        "Closed requests by area",
        "en",
        {"from": "2026-07-01", "to": "2026-10-01"},
        None,
        ["area", "outcome"],
        "closed",
    )
    started = time.perf_counter()
    with export(COLUMNS, rows(count), kind, heading) as file:
        content = file.read()
    seconds = time.perf_counter() - started
    shown = {"format": kind, "rows": count, "seconds": round(seconds, 2), "bytes": len(content)}
    if kind == PDF:
        shown["pages"] = content.count(b"/Type /Page\n") or content.count(b"/Type /Page ")
    return shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[7_500, 100_000])
    parser.add_argument("--formats", nargs="+", default=[CSV, XLSX, PDF])
    options = parser.parse_args()
    for count in options.rows:
        for kind in options.formats:
            figures = run(kind, count)
            figures["maxRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            figures["load"] = [round(value, 2) for value in os.getloadavg()]
            print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
