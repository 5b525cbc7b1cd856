"""The request type catalogue (TMF621 troubleTicketSpecification), managed by administrators.

A type names its category, how it is fulfilled (automatic or by a workflow), the
characteristics a request of the type must carry (``specCharacteristic`` with
``minCardinality`` >= 1), its SLA target in hours per priority, the milestones on which the
customer is notified, and the classification rules that recognise it (reason codes of the
interaction, channels, keywords in the text). Its ``code`` is how requests and rules name it,
so it never changes; a type in use is retired, not deleted. Every change is audited.
"""

import copy
import re
from datetime import timedelta

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import new_id, storable_id, utcnow
from parley.db.repository import Page, Reader, conditions_for
from parley.errors import Conflict, InvalidInput
from parley.interactions.reasons import ReasonCatalogue
from parley.requests.lifecycle import PRIORITIES
from parley.requests.models import (
    CATEGORIES,
    FULFILMENT_MODES,
    MILESTONES,
    TYPE_STATUSES,
    RequestType,
)
from parley.requests.repository import RequestRepository
from parley.requests.workflow.repository import WorkflowRepository

RESOURCE = "troubleTicketSpecification"
CODE = re.compile(r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*")
TYPE_COLUMNS = {
    "id": RequestType.id,
    "code": RequestType.code,
    "name": RequestType.name,
    "category": RequestType.category,
    "fulfilmentMode": RequestType.fulfilment_mode,
    "lifecycleStatus": RequestType.lifecycle_status,
}
SERVER_FIELDS = ("id", "href", "creationDate", "lastUpdate")
# How long a request of the type waits for the ordering or billing system's acknowledgement
# before an agent chases it (requests/handoffs/); unset: PARLEY_HANDOFF_TIME_LIMIT_MINUTES.
HANDOFF_TIME_LIMIT = "handoffTimeLimitMinutes"
LONGEST_HANDOFF_WAIT = 43_200  # 30 days, in minutes


class RequestTypeCatalogue:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = RequestRepository(uow.session)

    def get(self, type_id: str, reader: Reader | None = None) -> RequestType:
        readable = self.repo.types_readable_by(reader)
        return self.repo.found(
            RequestType, type_id, readable, f"No trouble ticket specification with id {type_id}"
        )

    def by_code(self, code: str) -> RequestType | None:
        return self.repo.type_by_code(code) if storable_id(code, 64) else None

    def active_types(self) -> list[RequestType]:
        return self.repo.active_types()

    def customerless_types(self) -> list[RequestType]:
        """The active types whose requests may have no customer (internal, network)."""
        return [t for t in self.repo.active_types() if not t.customer_required]

    def self_service_types(self) -> list[RequestType]:
        """The active types a customer may raise on their own."""
        return [t for t in self.repo.active_types() if t.self_service]

    def find(self, page: Page, reader: Reader | None = None):
        conditions = conditions_for(TYPE_COLUMNS, RequestType.document, page)
        return self.repo.list_types([*conditions, self.repo.types_readable_by(reader)], page)

    def create(self, document: dict) -> RequestType:
        document = self._checked(document)
        if self.repo.type_by_code(document["code"]) is not None:
            raise Conflict(f"code: a request type {document['code']} exists already")
        row = new_request_type(document)
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=document, event=document)
        return row

    def replace(self, type_id: str, document: dict) -> RequestType:
        row = self.get(type_id)
        before = copy.deepcopy(row.document)
        if document.get("code", row.code) != row.code:
            raise InvalidInput("code: cannot be changed (requests and rules refer to it)", "code")
        document = self._checked({**document, "code": row.code})
        row.name, row.category = document["name"], document["category"]
        row.fulfilment_mode = document["fulfilmentMode"]
        row.lifecycle_status = document["lifecycleStatus"]
        row.self_service = document["selfService"]
        row.customer_required = document["customerRequired"]
        row.document, row.updated_at = document, utcnow()
        self.repo.add(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=document, event=document)
        return row

    def delete(self, type_id: str) -> None:
        row = self.get(type_id)
        if self.repo.type_in_use(row.id):
            raise Conflict("requests of this type exist: retire it (lifecycleStatus) instead")
        before = row.document
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, type_id, before=before, event=before)

    def _checked(self, document: dict) -> dict:
        document = copy.deepcopy(document)
        for key in SERVER_FIELDS:
            document.pop(key, None)
        code = document.get("code")
        if not isinstance(code, str) or not CODE.fullmatch(code) or len(code) > 64:
            raise InvalidInput(
                "code: lower-case letters and digits in parts joined by '.', '-' or '_' "
                "(e.g. fault.repair), at most 64 characters",
                "code",
            )
        name = document.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InvalidInput("name: required, at most 200 characters", "name")
        _choice(document, "category", CATEGORIES)
        _choice(document, "fulfilmentMode", FULFILMENT_MODES)
        document.setdefault("lifecycleStatus", "active")
        _choice(document, "lifecycleStatus", TYPE_STATUSES)
        if not isinstance(document.setdefault("selfService", False), bool):
            raise InvalidInput("selfService: true or false", "selfService")
        _check_customer_required(document)
        _check_sla(document.get("slaTarget"))
        _check_warning_percent(document.get("slaWarningPercent"))
        _check_handoff_time_limit(document.get(HANDOFF_TIME_LIMIT))
        notify = document.setdefault("notifyOn", [])
        unknown = sorted(set(notify) - set(MILESTONES))
        if unknown:
            raise InvalidInput(f"notifyOn: {unknown[0]} is not one of {', '.join(MILESTONES)}")
        self._check_classification(document.setdefault("classification", {}))
        names = [c.get("name") for c in document.get("specCharacteristic") or []]
        if not all(names) or len(set(names)) != len(names):
            raise InvalidInput("specCharacteristic: each needs a name, used once")
        self._check_workflow(document)
        document["@type"] = "TroubleTicketSpecification"
        return document

    def _check_workflow(self, document: dict) -> None:
        """A workflow type may name the workflow its requests follow (an active one)."""
        code = document.get("workflow")
        if code is None:
            document.pop("workflow", None)
            return
        if document["fulfilmentMode"] != "workflow":
            raise InvalidInput("workflow: only a type with fulfilmentMode workflow names one")
        found = None
        if isinstance(code, str) and storable_id(code, 64):
            found = WorkflowRepository(self.session).workflow_by_code(code)
        if found is None or found.status != "active":
            raise InvalidInput(f"workflow: no active workflow {code!r}", "workflow")

    def _check_classification(self, rule: dict) -> None:
        for key in ("reasonCode", "channel", "keyword"):
            values = rule.setdefault(key, [])
            if not all(isinstance(v, str) and v.strip() for v in values):
                raise InvalidInput(f"classification.{key}: non-empty texts")
        reasons = ReasonCatalogue(self.uow).list_reasons()
        known = {reason.code for reason in reasons}
        unknown = sorted(set(rule["reasonCode"]) - known)
        if unknown:
            raise InvalidInput(
                f"classification.reasonCode: {unknown[0]} is not in the interaction reason "
                "catalogue",
                "classification",
            )


def new_request_type(document: dict) -> RequestType:
    now = utcnow()
    return RequestType(
        id=new_id(),
        code=document["code"],
        name=document["name"],
        category=document["category"],
        fulfilment_mode=document["fulfilmentMode"],
        lifecycle_status=document.get("lifecycleStatus", "active"),
        self_service=document.get("selfService", False) is True,
        customer_required=document.get("customerRequired", True) is not False,
        document=document,
        created_at=now,
        updated_at=now,
    )


def required_characteristics(request_type: RequestType) -> list[str]:
    return [
        c["name"]
        for c in request_type.document.get("specCharacteristic") or []
        if (c.get("minCardinality") or 0) >= 1
    ]


def sla_target(request_type: RequestType, priority: str) -> timedelta:
    hours = {t["priority"]: t["hours"] for t in request_type.document.get("slaTarget") or []}
    return timedelta(hours=hours[priority])


def sla_warning_percent(request_type: RequestType, default: int) -> int:
    """How much of the target may pass before the SLA warning: the type's, else ``default``."""
    given = request_type.document.get("slaWarningPercent")
    return given if given is not None else default


def notifies_on(request_type: RequestType, milestone: str) -> bool:
    return milestone in (request_type.document.get("notifyOn") or [])


def _choice(document: dict, key: str, allowed: tuple[str, ...]) -> None:
    if document.get(key) not in allowed:
        raise InvalidInput(f"{key}: one of {', '.join(allowed)}", key)


def _check_customer_required(document: dict) -> None:
    """Whether a request of the type names a customer Parley holds (default true). Only a
    workflow type may take requests without one: automatic fulfilment acts for a customer
    (their contact details, billing accounts, offers, other requests); a self-service type is
    raised by the customer."""
    required = document.setdefault("customerRequired", True)
    if not isinstance(required, bool):
        raise InvalidInput("customerRequired: true or false", "customerRequired")
    if required:
        return
    if document["fulfilmentMode"] != "workflow":
        raise InvalidInput(
            "customerRequired: an automatic type is fulfilled for a customer; only a workflow "
            "type takes requests without one",
            "customerRequired",
        )
    if document["selfService"]:
        raise InvalidInput(
            "customerRequired: a self-service type is raised by the customer; it cannot be false",
            "customerRequired",
        )


def _check_sla(targets) -> None:
    targets = targets or []
    given = [t.get("priority") for t in targets]
    if sorted(given) != sorted(PRIORITIES):
        raise InvalidInput(
            f"slaTarget: one target per priority ({', '.join(PRIORITIES)})", "slaTarget"
        )
    for target in targets:
        hours = target.get("hours")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            raise InvalidInput("slaTarget.hours: a number of hours above 0", "slaTarget")


def _check_warning_percent(value) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise InvalidInput(
            "slaWarningPercent: a whole percentage of the target from 1 to 99",
            "slaWarningPercent",
        )


def _check_handoff_time_limit(value) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        value = -1
    if not 1 <= value <= LONGEST_HANDOFF_WAIT:
        raise InvalidInput(
            f"{HANDOFF_TIME_LIMIT}: whole minutes from 1 to {LONGEST_HANDOFF_WAIT}",
            HANDOFF_TIME_LIMIT,
        )
