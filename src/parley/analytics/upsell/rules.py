"""Up-sell rules as data: administrators (``upsell:write``) create, change and remove them;
every change is audited and told as an event. A rule::

    {"code": "data-addon", "name": "Data add-on after repeated data-limit enquiries",
     "description": "...", "active": true,
     "productOffering": {"id": "<offering id>"}  |  {"externalId": "<its BSS id>"},
     "signals": [{"kind": "interaction", "code": "usage.data", "weight": 1.0}, ...],
     "windowDays": 30, "halfLifeDays": 14, "threshold": 1.5, "suppressionDays": 90}

``signals`` name what the rule counts: inbound contacts on a reason (``interaction``, the
reason's code), requests of a type (``request``, the type's code) or add-ons selected
(``product``, the offering's id). An offering named by its BSS id is looked up when the rule
is used, so a shipped rule can name one a catalogue import brings later.
"""

import copy
import re
from dataclasses import replace

from parley.analytics.upsell import engine
from parley.analytics.upsell.models import UpsellRule
from parley.analytics.upsell.repository import UpsellRepository
from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.reasons import ReasonCatalogue
from parley.offers import OfferCatalogue
from parley.requests.catalogue import RequestTypeCatalogue

RESOURCE = "upsellRule"
CODE = re.compile(r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*")
FIELDS = {
    "code",
    "name",
    "description",
    "active",
    "productOffering",
    "signals",
    "windowDays",
    "halfLifeDays",
    "threshold",
    "suppressionDays",
}
MAX_SIGNALS = 20
LIMITS = {  # field -> (least, most, whole days only)
    "windowDays": (1, 365, True),
    "halfLifeDays": (0.1, 365, False),
    "threshold": (0.01, 1000, False),
    "suppressionDays": (0, 730, True),
}


class UpsellRules:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = UpsellRepository(uow.session)

    def find(self, active_only: bool = False) -> list[UpsellRule]:
        return self.repo.rules(active_only)

    def get(self, rule_id: str) -> UpsellRule:
        row = self.repo.rule(rule_id) if storable_id(rule_id, 36) else None
        if row is None:
            raise NotFound(f"No up-sell rule with id {rule_id}")
        return row

    def create(self, document: dict) -> UpsellRule:
        checked = self.check(document)
        if self.repo.rule_by_code(checked["code"]) is not None:
            raise Conflict(f"code: a rule {checked['code']} exists already", "code")
        now = utcnow()
        row = UpsellRule(
            code=checked["code"],
            name=checked["name"],
            active=checked["active"],
            document=checked,
            created_at=now,
            updated_at=now,
            updated_by=self.uow.writer().name[:150],
        )
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=checked, event=shown(row))
        return row

    def replace(self, rule_id: str, document: dict) -> UpsellRule:
        row = self.get(rule_id)
        checked, before = self.check(document), copy.deepcopy(row.document)
        if checked["code"] != row.code:
            raise InvalidInput("code: a rule's code cannot change (offers refer to it)", "code")
        row.name, row.active, row.document = checked["name"], checked["active"], checked
        row.updated_at, row.updated_by = utcnow(), self.uow.writer().name[:150]
        self.repo.add(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=checked, event=shown(row))
        return row

    def delete(self, rule_id: str) -> None:
        """Remove a rule; the offers it made keep its code (their figures stay)."""
        row = self.get(rule_id)
        before = shown(row)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, rule_id, before=row.document, event=before)

    # -- for the engine ----------------------------------------------------------------------

    def specs(self) -> list[engine.Rule]:
        """The active rules as the engine reads them; an offering named by its BSS id is
        looked up by ``resolved`` (only for the rules that score)."""
        return [spec(row) for row in self.find(True)]

    def resolved(self, rules: list[engine.Rule]) -> list[engine.Rule]:
        """The rules with the offerings they name by BSS id looked up (None: not there)."""
        catalogue = OfferCatalogue(self.uow)
        return [
            replace(rule, offering_id=_by_external_id(catalogue, rule.offering_external_id))
            if rule.offering_external_id
            else rule
            for rule in rules
        ]

    def offering_of(self, row: UpsellRule):
        """The offering the rule names, if it is in the catalogue."""
        offering_id = _offering_id(OfferCatalogue(self.uow), row.document)
        return OfferCatalogue(self.uow).get(offering_id) if offering_id else None

    # -- checking ----------------------------------------------------------------------------

    def check(self, document: dict) -> dict:
        """The rule as it will be stored, or InvalidInput naming what is wrong."""
        if not isinstance(document, dict):
            raise InvalidInput("a rule is a JSON object")
        unknown = sorted(set(document) - FIELDS - {"id", "createdAt", "updatedAt", "updatedBy"})
        if unknown:
            raise InvalidInput(f"{unknown[0]}: not a field of a rule", unknown[0])
        checked = {
            "code": _code(document.get("code")),
            "name": _text(document.get("name"), "name", 200, required=True),
            "description": _text(document.get("description"), "description", 500),
            "active": _flag(document.get("active", True)),
            "productOffering": self._offering(document.get("productOffering")),
            "signals": self._signals(document.get("signals")),
        }
        for name, (least, most, whole) in LIMITS.items():
            checked[name] = _number(document.get(name), name, least, most, whole)
        return checked

    def _offering(self, reference) -> dict:
        where = "productOffering"
        if not isinstance(reference, dict) or len(reference) != 1:
            raise InvalidInput(f"{where}: {{'id': ...}} or {{'externalId': ...}}", where)
        key, value = next(iter(reference.items()))
        if key not in ("id", "externalId") or not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{where}: {{'id': ...}} or {{'externalId': ...}}", where)
        catalogue, value = OfferCatalogue(self.uow), value.strip()
        found = catalogue.by_external_id(value) if key == "externalId" else None
        if key == "id":
            try:
                found = catalogue.get(value)
            except NotFound:
                found = None
        if found is None:
            raise InvalidInput(f"{where}: no product offering {value} in the catalogue", where)
        return {key: value}

    def _signals(self, signals) -> list[dict]:
        where = "signals"
        if not isinstance(signals, list) or not 1 <= len(signals) <= MAX_SIGNALS:
            raise InvalidInput(f"{where}: a list of 1 to {MAX_SIGNALS} signals", where)
        checked, seen = [], set()
        for index, signal in enumerate(signals):
            at = f"{where}[{index}]"
            if not isinstance(signal, dict) or set(signal) - {"kind", "code", "weight"}:
                raise InvalidInput(f"{at}: kind, code and weight", where)
            kind, code = signal.get("kind"), signal.get("code")
            if kind not in engine.SIGNAL_KINDS:
                raise InvalidInput(f"{at}.kind: one of {', '.join(engine.SIGNAL_KINDS)}", where)
            if not isinstance(code, str) or not code.strip() or len(code) > 64:
                raise InvalidInput(f"{at}.code: what it counts (1 to 64 characters)", where)
            code = code.strip()
            self._known(kind, code, at)
            if (kind, code) in seen:
                raise InvalidInput(f"{at}: {kind} {code} is counted once", where)
            seen.add((kind, code))
            weight = _number(signal.get("weight", 1), f"{at}.weight", 0.01, 100, False)
            checked.append({"kind": kind, "code": code, "weight": weight})
        return checked

    def _known(self, kind: str, code: str, at: str) -> None:
        if kind == engine.INTERACTION:
            try:
                ReasonCatalogue(self.uow).get(code)
            except NotFound:
                raise InvalidInput(f"{at}.code: no interaction reason {code}", "signals") from None
        elif kind == engine.REQUEST:
            if RequestTypeCatalogue(self.uow).by_code(code) is None:
                raise InvalidInput(f"{at}.code: no request type {code}", "signals")
        else:
            try:
                OfferCatalogue(self.uow).get(code)
            except NotFound:
                raise InvalidInput(f"{at}.code: no product offering {code}", "signals") from None


def spec(row: UpsellRule) -> engine.Rule:
    document, reference = row.document, row.document["productOffering"]
    return engine.Rule(
        id=row.id,
        code=row.code,
        name=row.name,
        offering_id=reference.get("id"),
        offering_external_id=reference.get("externalId"),
        counts=tuple(
            engine.Counted(s["kind"], s["code"], float(s["weight"])) for s in document["signals"]
        ),
        window_days=int(document["windowDays"]),
        half_life_days=float(document["halfLifeDays"]),
        threshold=float(document["threshold"]),
        suppression_days=int(document["suppressionDays"]),
    )


def shown(row: UpsellRule) -> dict:
    """The rule as the API answers it."""
    return {
        "id": row.id,
        **row.document,
        "updatedBy": row.updated_by,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


def _offering_id(catalogue: OfferCatalogue, document: dict) -> str | None:
    reference = document.get("productOffering") or {}
    if "id" in reference:
        return reference["id"]
    return _by_external_id(catalogue, reference.get("externalId", ""))


def _by_external_id(catalogue: OfferCatalogue, external_id: str) -> str | None:
    found = catalogue.by_external_id(external_id)
    return found.id if found is not None else None


def _code(value) -> str:
    if not isinstance(value, str) or not CODE.fullmatch(value.strip()) or len(value) > 64:
        raise InvalidInput(
            "code: lower-case letters and digits, parts joined by '.', '-' or '_' "
            "(e.g. data-addon), at most 64 characters",
            "code",
        )
    return value.strip()


def _text(value, where: str, longest: int, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > longest:
        need = "required, " if required else ""
        raise InvalidInput(f"{where}: {need}text of at most {longest} characters", where)
    return value.strip() or None


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("active: true or false", "active")
    return value


def _number(value, where: str, least: float, most: float, whole: bool) -> int | float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or value != value or not least <= value <= most:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(f"{where}: {kind} from {least} to {most}", where.split("[")[0])
    if whole and value != int(value):
        raise InvalidInput(f"{where}: a whole number of days", where)
    return int(value) if whole or float(value).is_integer() else float(value)
