"""Importing a BSS's export of its offerings into the catalogue: a CSV file or a JSON array.

Each row is an offering in the BSS's flat shape (the columns below) or, in JSON, a TMF620
``ProductOffering`` document. Rows are matched to offerings by their BSS id (``externalId``,
the offering's ``externalIdentifier``): a known one is updated, a new one created. Every row
is checked; when any is wrong nothing is imported and every problem is told with its row
(the CSV's line, the JSON array's item, both counted from 1).
"""

import csv
import io
import json
from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.errors import DomainError
from parley.offers.catalogue import OfferCatalogue

COLUMNS = (
    "externalId",  # the offering's id in the BSS (required)
    "name",
    "description",
    "lifecycleStatus",  # Active, Launched, Retired, ... (default Active)
    "priceType",  # recurring, oneTime or usage
    "price",  # the amount, e.g. 9.99
    "currency",  # ISO 4217, e.g. EUR
    "period",  # of a recurring price: month, week, ...
    "validFrom",  # ISO 8601 with a zone, e.g. 2027-01-01T00:00:00Z
    "validTo",
    "segments",  # the customer segments it is for, separated by "|" (none: everyone)
)
REQUIRED = ("externalId", "name", "priceType", "price", "currency")


@dataclass(frozen=True)
class ImportProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int


class OfferImport:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.catalogue = OfferCatalogue(uow)

    def rows_of(self, text: str, filename: str) -> list[tuple[int, dict]]:
        return read_rows(text, filename, COLUMNS, "offerings")

    def run(self, text: str, filename: str) -> Imported:
        """Import every row, or none (ImportFailed naming each wrong row)."""
        counts = take_all_or_none(self.uow, self.rows_of(text, filename), self._take)
        return Imported(counts["created"], counts["updated"])

    def _take(self, row) -> str:
        document = _document(row)
        known = self.catalogue.by_external_id(document["externalIdentifier"][0]["id"])
        if known is None:
            self.catalogue.create(document)
            return "created"
        self.catalogue.replace(known.id, document)
        return "updated"


def take_all_or_none(uow, rows: list[tuple[int, dict]], take) -> dict[str, int]:
    """``take(row)`` for every row, each in a savepoint, counting what each says it did
    ("created" or "updated"); if any row is refused, nothing is kept and ImportFailed names
    every refused row."""
    problems: list[ImportProblem] = []
    counts = {"created": 0, "updated": 0}
    everything = uow.session.begin_nested()
    for number, row in rows:
        try:
            with uow.session.begin_nested():
                counts[take(row)] += 1
        except DomainError as error:
            problems.append(ImportProblem(number, error.message))
    if problems:
        everything.rollback()
        raise ImportFailed(problems)
    everything.commit()
    return counts


def read_rows(text: str, filename: str, columns, what: str) -> list[tuple[int, dict]]:
    """The rows of a CSV file (with a header line naming some of ``columns``) or a JSON array
    of ``what``, with their numbers; a file that is not one: ImportFailed."""
    if filename.lower().endswith(".json"):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFailed([ImportProblem(error.lineno, f"not JSON: {error.msg}")]) from None
        if not isinstance(items, list):
            raise ImportFailed([ImportProblem(1, f"a JSON array of {what} is expected")])
        return list(enumerate(items, start=1))
    if filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        unknown = sorted(set(reader.fieldnames or ()) - set(columns))
        if unknown or not reader.fieldnames:
            said = f"unknown column {unknown[0]}" if unknown else "no header line"
            raise ImportFailed([ImportProblem(1, f"{said}; the columns: {', '.join(columns)}")])
        return [(reader.line_num, dict(row)) for row in reader]
    raise ImportFailed([ImportProblem(0, "a .csv or .json file is expected")])


class ImportFailed(ValueError):
    """Rows that are wrong, each with its number: nothing was imported."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _document(row) -> dict:
    """The TMF620 document of a row: one given as such, or made from the flat columns."""
    if not isinstance(row, dict):
        raise DomainError("an object is expected")
    if row.get("@type") == "ProductOffering":
        if not (row.get("externalIdentifier") or [{}])[0].get("id"):
            raise DomainError("externalIdentifier: the offering's id in the BSS is required")
        return {**row, "lifecycleStatus": row.get("lifecycleStatus") or "Active"}
    flat = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    unknown = sorted(set(flat) - set(COLUMNS))
    if unknown:
        raise DomainError(f"{unknown[0]}: not a column; the columns: {', '.join(COLUMNS)}")
    missing = [name for name in REQUIRED if flat.get(name) in (None, "")]
    if missing:
        raise DomainError(f"{', '.join(missing)}: required")
    try:
        amount = float(flat["price"])
    except (TypeError, ValueError):
        raise DomainError(f"price: an amount is expected, not {flat['price']!r}") from None
    price = {
        "@type": "ProductOfferingPrice",
        "name": flat["name"],
        "priceType": flat["priceType"],
        "price": {"unit": flat["currency"], "value": amount},
    }
    if flat.get("period"):
        price["recurringChargePeriodType"] = flat["period"]
    document = {
        "@type": "ProductOffering",
        "name": flat["name"],
        "lifecycleStatus": flat.get("lifecycleStatus") or "Active",
        "externalIdentifier": [
            {"@type": "ExternalIdentifier", "id": str(flat["externalId"]), "owner": "BSS"}
        ],
        "productOfferingPrice": [price],
    }
    if flat.get("description"):
        document["description"] = flat["description"]
    period = {
        key: flat[column]
        for key, column in (("startDateTime", "validFrom"), ("endDateTime", "validTo"))
        if flat.get(column)
    }
    if period:
        document["validFor"] = period
    segments = [s.strip() for s in str(flat.get("segments") or "").split("|") if s.strip()]
    if segments:
        document["marketSegment"] = [
            {"@type": "MarketSegmentRef", "id": s, "name": s} for s in segments
        ]
    return document
