"""Acknowledged hand-offs: a request that hands work to another system (an add-on order to
the ordering system, an adjustment to billing) waits, ``inProgress``, until that system says
how it went, and only then closes: completed, or unfulfilled with the other system's reason.

- ``order_addon`` / ``to_billing``: the hand-off is recorded (its id is the correlation id),
  the order or adjustment is queued through the outbox in the same transaction (its subject
  the hand-off, so the worker tells us when it was delivered or could not be), the request's
  ``correlationId`` characteristic set and the request moved to ``inProgress`` with the next
  step "waiting for ordering/billing".
- ``settle``: what the other system reported (requests/handoffs/receiving.py takes it in):
  completed closes the request completed (an order gives the customer the product:
  offers.products), rejected/failed/cancelled closes it unfulfilled with the reason, a
  partial order is a task for an agent, any other state is noted and the request waits on.
- ``overdue``: no answer within the type's ``handoffTimeLimitMinutes`` (else
  PARLEY_HANDOFF_TIME_LIMIT_MINUTES), or an order the outbox could not deliver: a task for an
  agent in the queue of the kind (``customer-care`` for orders, ``billing`` for adjustments).
- ``ended``: the request ended otherwise (an agent closed or cancelled it): the hand-off stops
  waiting and its task, if any, is cancelled.

Every change of a hand-off is audited (``requestHandoff``). The service never commits.
"""

import copy
from datetime import datetime, timedelta

import structlog

from parley.changes import CREATE, UnitOfWork
from parley.db.base import iso, new_id, utcnow
from parley.offers import CustomerProducts, OfferCatalogue
from parley.outbox.service import OutboxService
from parley.requests import lifecycle as lc
from parley.requests.catalogue import HANDOFF_TIME_LIMIT
from parley.requests.characteristics import set_characteristic
from parley.requests.handoffs.models import (
    BILLING,
    COMPLETED,
    ENDED,
    ORDER,
    UNFULFILLED,
    WAITING,
    Handoff,
)
from parley.requests.handoffs.orders import ATTENTION, Report, add_on_order, outcome_of
from parley.requests.handoffs.repository import HandoffRepository
from parley.requests.models import CustomerRequest
from parley.requests.options import RequestOptions
from parley.requests.workflow.models import UNFINISHED
from parley.requests.workflow.repository import WorkflowRepository
from parley.requests.workflow.task_records import TaskRecords

log = structlog.get_logger("parley.handoffs")
RESOURCE = "requestHandoff"  # outbox messages name their hand-off as subject of this type
CORRELATION_ID, PRODUCT_ORDER_ID = "correlationId", "productOrderId"
SYSTEMS = {ORDER: "the ordering system", BILLING: "the billing system"}
OUTBOX_KIND = {ORDER: "order", BILLING: "billing"}
QUEUES = {ORDER: "customer-care", BILLING: "billing"}
STAGE = "handoff"  # the stage of the tasks made here (they belong to no workflow)
NEXT_STEP = {
    ORDER: "Waiting for the ordering system to confirm the order.",
    BILLING: "Waiting for the billing system to confirm the adjustment.",
}
RESOLUTION = {
    (ORDER, COMPLETED): "ordered",
    (BILLING, COMPLETED): "adjusted",
    (ORDER, "rejected"): "orderRejected",
    (ORDER, "failed"): "orderFailed",
    (ORDER, "cancelled"): "orderCancelled",
    (BILLING, "rejected"): "adjustmentRejected",
    (BILLING, "failed"): "adjustmentFailed",
}


class Handoffs:
    def __init__(self, uow: UnitOfWork, requests):
        """``requests``: the RequestService whose transitions move the request."""
        self.uow, self.requests = uow, requests
        self.repo = HandoffRepository(uow.session)

    # -- handing over ----------------------------------------------------------------------

    def order_addon(self, row: CustomerRequest, offering_id: str) -> None:
        """The add-on's ProductOrder to the ordering system; the request waits for it."""
        item = OfferCatalogue(self.uow).order_item(offering_id)
        handoff = self._new(row, ORDER)
        self._send(
            handoff, add_on_order(row, item, handoff.id, row.reference), f"addon-order:{row.id}"
        )
        name = item["productOffering"]["name"]
        self._wait(row, handoff, f"Add-on {name} handed to the ordering system")

    def to_billing(self, row: CustomerRequest, adjustment: dict, key: str, said: str) -> None:
        """The adjustment to billing (its payload carries the correlation id); the request
        waits for billing's acknowledgement."""
        handoff = self._new(row, BILLING)
        self._send(handoff, {**adjustment, CORRELATION_ID: handoff.id}, key)
        self._wait(row, handoff, said)

    def _new(self, row: CustomerRequest, kind: str) -> Handoff:
        now = utcnow()
        handoff = Handoff(
            id=new_id(),
            request_id=row.id,
            kind=kind,
            state=WAITING,
            created_at=now,
            due_at=now + self._time_limit(row),
            payload={},
            updated_at=now,
        )
        self.repo.add(handoff)
        shown = handoff_view(handoff)
        self.uow.record(RESOURCE, CREATE, handoff.id, after=shown)
        return handoff

    def _send(self, handoff: Handoff, payload: dict, key: str) -> None:
        queued = OutboxService(self.uow).enqueue(
            OUTBOX_KIND[handoff.kind], {}, payload, idempotency_key=key,
            subject=(RESOURCE, handoff.id),
        )  # fmt: skip
        handoff.outbox_message_id, handoff.payload = queued.id, payload
        self.repo.add(handoff)

    def _wait(self, row: CustomerRequest, handoff: Handoff, said: str) -> None:
        reason = f"{said} (correlation id {handoff.id}); waiting for its confirmation"
        values = {CORRELATION_ID: handoff.id}
        if row.status == lc.IN_PROGRESS:
            self._set_characteristics(row, values)
        else:
            self.requests._transition(row, lc.IN_PROGRESS, reason, characteristics=values)

    def _time_limit(self, row: CustomerRequest) -> timedelta:
        request_type = self.requests.catalogue.get(row.type_id)
        minutes = request_type.document.get(HANDOFF_TIME_LIMIT)
        if minutes is None:
            minutes = self.uow.options(RequestOptions).handoff_time_limit_minutes
        return timedelta(minutes=minutes)

    # -- what the request shows ------------------------------------------------------------

    def of_request(self, request_id: str) -> list[Handoff]:
        return self.repo.of_request(request_id)

    def acknowledgements(self, handoffs: list[Handoff]):
        return self.repo.acknowledgements_of([h.id for h in handoffs])

    def waiting_for(self, request_ids: list[str]) -> dict[str, str]:
        """request id -> ORDER or BILLING, for the requests waiting for an acknowledgement."""
        return self.repo.waiting_of(request_ids)

    def status_extras(self, row: CustomerRequest, for_customer: bool = False) -> dict:
        """What Provide Request Status adds: the step waited for, and (for staff) the
        hand-offs with their correlation ids and what the other systems said."""
        handoffs = self.repo.of_request(row.id)
        if not handoffs:
            return {}
        extras: dict = {} if for_customer else {"handoffs": [handoff_view(h) for h in handoffs]}
        waiting = [h for h in handoffs if h.state == WAITING]
        if waiting and row.status not in lc.FINAL:
            extras["nextExpectedStep"] = NEXT_STEP[waiting[0].kind]
            extras["waitingFor"] = waiting[0].kind
        return extras

    # -- hearing back ----------------------------------------------------------------------

    def settle(self, row: CustomerRequest, handoff: Handoff, report: Report) -> str:
        """Apply what the other system reported (the request and the hand-off are locked);
        what was done, for the acknowledgement's record."""
        before, now = handoff_view(handoff), utcnow()
        learned = report.external_id and handoff.external_id != report.external_id
        if learned:
            handoff.external_id = report.external_id[:100]
        if report.state:
            handoff.external_state = report.state[:32]
        if learned and row.status not in lc.FINAL and handoff.kind == ORDER:
            self._set_characteristics(row, {PRODUCT_ORDER_ID: handoff.external_id})
        outcome = outcome_of(handoff.kind, report.state)
        system = SYSTEMS[handoff.kind]
        if handoff.state in (COMPLETED, UNFULFILLED):
            done = f"already settled ({handoff.state}); {report.state or 'no state'} noted only"
        elif outcome in (COMPLETED, UNFULFILLED):
            handoff.state, handoff.acknowledged_at = outcome, now
            handoff.reason = (report.reason or None) and report.reason[:500]
            done = self._close(row, handoff, outcome, report)
        elif outcome == ATTENTION and handoff.state == WAITING:
            text = f"{system} reported the order {report.state}: check it with them"
            self._task(row, handoff, f"{text[0].upper()}{text[1:]}")
            done = f"{report.state}: a task for an agent"
        else:
            done = f"{report.state or 'no state'}: noted; the request waits on"
        handoff.updated_at = now
        self.repo.add(handoff)
        self._audit(handoff, before, "acknowledge")
        return done

    def _close(self, row: CustomerRequest, handoff: Handoff, outcome: str, report: Report):
        system = SYSTEMS[handoff.kind]
        order = f" {handoff.external_id}" if handoff.external_id else ""
        what = "order" if handoff.kind == ORDER else "adjustment"
        if outcome == COMPLETED:
            text = f"{system[0].upper()}{system[1:]} completed the {what}{order}."
            if handoff.kind == ORDER:
                text = self._product(row, handoff, text)
        else:
            text = f"{system[0].upper()}{system[1:]} reported the {what}{order} {report.state}"
            text += f": {report.reason}" if report.reason else "."
        self._finish_task(handoff, text)
        if row.status in lc.FINAL:
            return f"{outcome}; the request was {row.status} already: {text}"
        _add_note(row, text)
        code = RESOLUTION[(handoff.kind, COMPLETED if outcome == COMPLETED else report.state)]
        if outcome == COMPLETED:
            if row.status in (lc.ACKNOWLEDGED, lc.PENDING, lc.HELD):
                self.requests._transition(row, lc.IN_PROGRESS, text)
            if row.status == lc.IN_PROGRESS:
                self.requests._transition(row, lc.RESOLVED, text)
            self.requests._transition(row, lc.CLOSED, text, "completed", code)
        else:
            if row.status == lc.ACKNOWLEDGED:
                self.requests._transition(row, lc.IN_PROGRESS, text)
            self.requests._transition(row, lc.CLOSED, text, "unfulfilled", code)
        return f"{outcome}: the request is closed {row.outcome} ({code})"

    def _product(self, row: CustomerRequest, handoff: Handoff, text: str) -> str:
        """The customer holds the product now (also when the request ended meanwhile: the
        ordering system delivered it)."""
        items = handoff.payload.get("productOrderItem") or []
        if not items:
            return text
        item = items[0]
        catalogue = OfferCatalogue(self.uow)
        offering = catalogue.ordered(str((item.get("productOffering") or {}).get("id") or ""))
        product = CustomerProducts(self.uow).record_ordered(
            row.customer_id, offering, item, row.id, handoff.external_id, utcnow()
        )
        return f"{text} The customer has {product.name} now."

    # -- chasing ---------------------------------------------------------------------------

    def overdue(self, row: CustomerRequest, handoff: Handoff, why: str | None = None) -> bool:
        """No answer in time (or ``why``: the outbox could not deliver it): a task for an agent,
        once. False when there is nothing to chase any more."""
        if handoff.state != WAITING or handoff.task_id is not None or row.status in lc.FINAL:
            return False
        system = SYSTEMS[handoff.kind]
        what = "order" if handoff.kind == ORDER else "adjustment"
        if why is None:
            minutes = int((handoff.due_at - handoff.created_at).total_seconds() // 60)
            why = f"no answer from {system} within {minutes} minutes"
        name = f"Chase the {what} with {system} ({why}); correlation id {handoff.id}"
        self._task(row, handoff, name)
        return True

    def undeliverable(self, row: CustomerRequest, handoff: Handoff, error: str) -> None:
        """The outbox gave up on the order or adjustment (a dead letter): chase it now."""
        self.overdue(row, handoff, f"it could not be delivered: {error}"[:150])

    def delivered(self, handoff: Handoff, at: datetime) -> None:
        before = handoff_view(handoff)
        handoff.delivered_at = handoff.updated_at = at
        self.repo.add(handoff)
        self._audit(handoff, before, "deliver")

    def _task(self, row: CustomerRequest, handoff: Handoff, name: str) -> None:
        if handoff.task_id is not None:
            return
        records = TaskRecords(self.uow)
        task = records.create(row, records.queue_by_code(QUEUES[handoff.kind]), STAGE, name[:200])
        before = handoff_view(handoff)
        handoff.task_id, handoff.updated_at = task.id, utcnow()
        self.repo.add(handoff)
        self._audit(handoff, before, "chase")
        log.info("hand-off to chase", request=row.id, handoff=handoff.id, task=task.id)

    def _finish_task(self, handoff: Handoff, reason: str) -> None:
        """The task made to chase it is moot once the other system answered."""
        if handoff.task_id is None:
            return
        task = WorkflowRepository(self.uow.session).task(handoff.task_id)
        if task is not None and task.status in UNFINISHED:
            TaskRecords(self.uow).change(
                task, "cancel", status="cancelled", reason=reason[:500], completed_at=utcnow()
            )

    # -- the request ending otherwise --------------------------------------------------------

    def ended(self, row: CustomerRequest, reason) -> None:
        """The request reached a final status while a hand-off waited: it waits no more."""
        for handoff in self.repo.of_request(row.id):
            if handoff.state != WAITING:
                continue
            before = handoff_view(handoff)
            handoff.state, handoff.updated_at = ENDED, utcnow()
            handoff.reason = f"request {row.status}: {reason or ''}".strip(": ")[:500]
            self.repo.add(handoff)
            self._audit(handoff, before, "end")
            self._finish_task(handoff, handoff.reason)

    # -- shared ------------------------------------------------------------------------------

    def _audit(self, handoff: Handoff, before: dict, action: str) -> None:
        self.uow.record(RESOURCE, action, handoff.id, before=before, after=handoff_view(handoff))

    def _set_characteristics(self, row: CustomerRequest, values: dict[str, str]) -> None:
        before = copy.deepcopy(row.document)
        document = copy.deepcopy(row.document)
        for name, value in values.items():
            set_characteristic(document, name, value)
        row.document, row.updated_at = document, utcnow()
        self.requests.repo.add(row)
        self.requests._updated(row, before)


def _add_note(row: CustomerRequest, text: str) -> None:
    """A note by Parley, kept with the request's next recorded change."""
    note = {"@type": "Note", "author": "Parley", "date": iso(utcnow()), "text": text}
    row.document = {**row.document, "note": [*(row.document.get("note") or []), note]}


def handoff_view(handoff: Handoff) -> dict:
    """A hand-off as the request's status shows it (and its audit lines keep it)."""

    def when(moment):
        return iso(moment) if moment else None

    return {
        "correlationId": handoff.id,
        "kind": handoff.kind,
        "state": handoff.state,
        "externalId": handoff.external_id,
        "externalState": handoff.external_state,
        "reason": handoff.reason,
        "createdAt": when(handoff.created_at),
        "dueAt": when(handoff.due_at),
        "deliveredAt": when(handoff.delivered_at),
        "acknowledgedAt": when(handoff.acknowledged_at),
        "task": {"id": handoff.task_id} if handoff.task_id else None,
    }
