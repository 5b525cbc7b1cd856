"""What a request handed to the ordering or billing system, as its console page shows it
(requests/handoffs): the correlation id, what the other system calls it and last said, when
it was sent and is due, and every acknowledgement received, as received."""

from dataclasses import dataclass
from datetime import datetime

from parley.requests.service import RequestService
from parley.web.i18n import N_

BODY_SHOWN = 4000  # characters of a received body shown on the page
# The next step while a request waits for the other system, as the console words it.
WAITING_STEPS = {
    "order": N_("Waiting for the ordering system to confirm the order."),
    "billing": N_("Waiting for the billing system to confirm the adjustment."),
}


@dataclass(frozen=True)
class AcknowledgementLine:
    received_at: datetime
    sender: str
    state: str | None
    outcome: str
    note: str | None
    body: str


@dataclass(frozen=True)
class HandoffLine:
    kind: str
    state: str
    correlation_id: str
    external_id: str | None
    external_state: str | None
    reason: str | None
    created_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    acknowledgements: list[AcknowledgementLine]


def handoffs_of(service: RequestService, request_id: str) -> list[HandoffLine]:
    handoffs = service.handoffs.of_request(request_id)
    received = service.handoffs.acknowledgements(handoffs)
    return [
        HandoffLine(
            kind=h.kind,
            state=h.state,
            correlation_id=h.id,
            external_id=h.external_id,
            external_state=h.external_state,
            reason=h.reason,
            created_at=h.created_at,
            due_at=h.due_at,
            delivered_at=h.delivered_at,
            acknowledged_at=h.acknowledged_at,
            acknowledgements=[
                AcknowledgementLine(
                    a.received_at,
                    a.sender,
                    a.reported_state,
                    a.outcome,
                    a.note,
                    _shown(a.body),
                )
                for a in received
                if a.handoff_id == h.id
            ],
        )
        for h in handoffs
    ]


def _shown(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= BODY_SHOWN else text[:BODY_SHOWN] + " …"
