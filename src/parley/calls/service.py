"""Calls as the phone system reports them (``POST /api/v1/calls``): a new call, its answer,
its hang-up.

A new call identifies the caller by number (the identification service: the customer, or the
candidates when the number is ambiguous) and rings for the agents the report names (by
username or extension; the dialled number of an inbound call, or the calling number of an
outbound one, when it is an agent's extension). The answer opens an interaction with the
identified customer (channel phone, the call's direction, in progress) and narrows the call
to the agent who took it; the hang-up keeps the duration and leaves that interaction open for
the agent's wrap-up (after-call work: the reason, notes and outcome) for
``PARLEY_CALL_WRAP_UP_SECONDS``, after which the worker completes it, ending when the call
ended (``complete_wrap_ups``; 0: the hang-up completes it). A call hung up unanswered is
missed, and an inbound one needs a callback.
Each event counts once per call (gateways retry): a repeated one changes nothing.
"""

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from parley.auth.users import UserService
from parley.calls.models import (
    ANSWERED,
    CALLBACK_DONE,
    CALLBACK_NEEDED,
    CALLBACK_TASK,
    COMPLETED,
    MISSED,
    RINGING,
    PhoneCall,
)
from parley.calls.options import CallOptions
from parley.calls.repository import CallRepository
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, new_id, storable_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.service import InteractionService
from parley.live.messages import LiveMessage
from parley.parties.identification.matching import Identifier
from parley.requests.service import RequestService

RESOURCE = "call"
NEW_CALL, ANSWER, HANGUP = "newCall", "answer", "hangup"
EVENTS = (NEW_CALL, ANSWER, HANGUP)
MAX_CANDIDATES = 5
CALLBACK_TYPE = "callback"  # requests/defaults.py


@dataclass(frozen=True)
class CallEvent:
    """One report of the phone system, whichever format it came in."""

    event: str
    call_ref: str
    caller: str = ""  # "from"
    callee: str = ""  # "to"
    direction: str = "inbound"
    users: list[str] = field(default_factory=list)  # usernames or extensions
    answering_number: str | None = None
    cause: str | None = None


class CallService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = CallRepository(uow.session)

    def get(self, call_id: str) -> PhoneCall:
        call = self.repo.one(PhoneCall, call_id) if storable_id(call_id, 36) else None
        if call is None:
            raise NotFound(f"No call with id {call_id}")
        return call

    def journal(self, callbacks_only=False, offset=0, limit=50) -> list[PhoneCall]:
        return self.repo.journal(callbacks_only, offset, limit)

    # -- the phone system's reports ---------------------------------------------------------

    def report(self, event: CallEvent) -> PhoneCall:
        _check(event)
        call = self.repo.by_ref(event.call_ref, for_update=True)
        if call is not None and event.event in call.events:
            return call  # a retry: taken already
        if call is None:
            try:
                with self.uow.session.begin_nested():
                    call = self._new(event)
            except IntegrityError:  # the same report, retried at the same moment
                return self.report(event)
            if event.event == NEW_CALL:
                return call
        elif event.event == NEW_CALL:  # after its answer or hang-up (out of order)
            return self._change(call, events=[*call.events, NEW_CALL])
        if event.event == ANSWER:
            return self._answer(call, event)
        return self._hang_up(call, event)

    def mark_called_back(self, call_id: str) -> PhoneCall:
        call = self.get(call_id)
        if call.callback not in (CALLBACK_NEEDED, CALLBACK_TASK):
            raise Conflict("call: it needs no callback")
        return self._change(call, callback=CALLBACK_DONE)

    def callback_task(self, call_id: str) -> PhoneCall:
        """Make a missed call's callback a task: a ``callback`` request for the caller, whose
        workflow puts "Call the customer back" in the customer-care queue."""
        call = self.get(call_id)
        if call.callback != CALLBACK_NEEDED:
            raise Conflict("call: it needs no callback, or is a task already")
        if call.customer_id is None:
            raise Conflict("call: the caller is no known customer; call them back directly")
        number = call.caller if call.direction == "inbound" else call.callee
        party = {"@type": "PartyRoleRef", "id": call.customer_id, "@referredType": "Customer"}
        request = RequestService(self.uow).create(
            {
                "@type": "TroubleTicket",
                "ticketType": CALLBACK_TYPE,
                "description": f"Missed call from {number} at {iso(call.started_at)}",
                "severity": "minor",
                # The type the self-service channels use too: the number, and as soon as can be.
                "troubleTicketCharacteristic": [
                    {"@type": "StringCharacteristic", "name": "callbackNumber", "value": number},
                    {"@type": "StringCharacteristic", "name": "callbackWindow", "value": "asap"},
                ],
                "relatedParty": [
                    {
                        "@type": "RelatedPartyOrPartyRole",
                        "role": "customer",
                        "partyOrPartyRole": party,
                    }
                ],
            }
        )
        return self._change(call, callback=CALLBACK_TASK, callback_request_id=request.id)

    # -- steps -------------------------------------------------------------------------------

    def _new(self, event: CallEvent) -> PhoneCall:
        number = event.caller if event.direction == "inbound" else event.callee
        candidates = self._candidates(number)
        current = [c for c in candidates if not c["historical"]]
        now = utcnow()
        call = PhoneCall(
            id=new_id(),
            call_ref=event.call_ref,
            direction=event.direction,
            caller=event.caller[:64],
            callee=event.callee[:64],
            state=RINGING,
            ring_to=[user.id for user in self._agents(event)],
            customer_id=current[0]["customerId"] if len(current) == 1 else None,
            candidates=candidates,
            events=[event.event],
            started_at=now,
            updated_at=now,
        )
        self.repo.add(call)
        shown = call_view(call)
        self.uow.record(RESOURCE, CREATE, call.id, after=shown, event=shown)
        return call

    def _answer(self, call: PhoneCall, event: CallEvent) -> PhoneCall:
        if call.state != RINGING:
            return self._change(call, events=[*call.events, ANSWER])
        agents = self._agents(event, answering=True)
        agent = agents[0] if agents else None
        values = dict(state=ANSWERED, answered_at=utcnow(), events=[*call.events, ANSWER])
        if agent is not None:
            values.update(answered_by_id=agent.id, answered_by=agent.username, ring_to=[agent.id])
        if call.customer_id is not None:
            values["interaction_id"] = self._open_interaction(call)
        return self._change(call, **values)

    def _hang_up(self, call: PhoneCall, event: CallEvent) -> PhoneCall:
        now = utcnow()
        values = dict(ended_at=now, cause=(event.cause or None), events=[*call.events, HANGUP])
        if call.state == ANSWERED:
            values["state"] = COMPLETED
            values["duration_seconds"] = int((now - call.answered_at).total_seconds())
            wrap_up = self.uow.options(CallOptions).wrap_up_seconds
            if call.interaction_id is not None and not wrap_up:
                self._complete_interaction(call.interaction_id, now)
            elif call.interaction_id is not None:
                values["wrap_up_due"] = now + timedelta(seconds=wrap_up)
        elif call.state == RINGING:
            values["state"] = MISSED
            if call.direction == "inbound":
                values["callback"] = CALLBACK_NEEDED
        return self._change(call, **values)

    def complete_wrap_ups(self, now: datetime | None = None, batch: int = 200) -> int:
        """The contacts of calls hung up longer ago than the wrap-up time and not wrapped up
        by the agent: completed, ending when the call ended. How many calls were seen to."""
        calls = self.repo.wrap_ups_due(now or utcnow(), batch)
        for call in calls:
            self._complete_interaction(call.interaction_id, call.ended_at)
            self._change(call, wrap_up_due=None)
        return len(calls)

    def _change(self, call: PhoneCall, **values) -> PhoneCall:
        before = call_view(call)
        for key, value in values.items():
            setattr(call, key, value)
        call.updated_at = utcnow()
        self.repo.add(call)
        after = call_view(call)
        self.uow.record(RESOURCE, UPDATE, call.id, before=before, after=after, event=after)
        return call

    # -- what a call touches -------------------------------------------------------------------

    def _candidates(self, number: str) -> list[dict]:
        if not number.strip():
            return []
        found = Identifier(self.uow).identify(number, limit=MAX_CANDIDATES)
        return [
            {
                "customerId": c.customer.id,
                "customerNumber": c.customer.customer_number,
                "name": c.customer.name,
                "status": c.customer.status,
                "historical": c.historical,
            }
            for c in found
            if c.customer is not None
        ]

    def _agents(self, event: CallEvent, answering: bool = False):
        """Whom the call rings for: the users it names, else the agent's extension."""
        keys = list(event.users)
        if answering and event.answering_number:
            keys.insert(0, event.answering_number)
        if not keys:
            own_end = event.callee if event.direction == "inbound" else event.caller
            keys = [own_end]
        users = UserService(self.uow).staff_reached_by(keys)
        order = {key.lower(): position for position, key in enumerate(keys)}
        return sorted(
            users,
            key=lambda u: min(order.get(u.username, 99), order.get(u.extension or "", 99)),
        )

    def _open_interaction(self, call: PhoneCall) -> str:
        other_end = call.caller if call.direction == "inbound" else call.callee
        document = {
            "@type": "PartyInteraction",
            "direction": call.direction,
            "status": "inProgress",
            "description": f"Telephone call ({other_end})",
            "relatedChannel": [
                {
                    "@type": "RelatedChannel",
                    "role": "contact",
                    "channel": {"@type": "ChannelRef", "id": "phone", "name": "phone"},
                }
            ],
            "relatedParty": [
                {
                    "@type": "RelatedPartyOrPartyRole",
                    "role": "customer",
                    "partyOrPartyRole": {
                        "@type": "PartyRoleRef",
                        "id": call.customer_id,
                        "@referredType": "Customer",
                    },
                }
            ],
        }
        return InteractionService(self.uow).create(document).id

    def _complete_interaction(self, interaction_id: str, ended_at: datetime) -> None:
        interactions = InteractionService(self.uow)
        interaction = interactions.get(interaction_id)
        if interaction.status == "completed":  # wrapped up by the agent
            return
        document = copy.deepcopy(interaction.document)
        document["status"] = "completed"
        document["interactionDate"] = {
            **document.get("interactionDate", {}),
            "endDateTime": iso(ended_at),
        }
        interactions.replace(interaction_id, document)


def call_view(call: PhoneCall) -> dict:
    return {
        "id": call.id,
        "callId": call.call_ref,
        "direction": call.direction,
        "from": call.caller,
        "to": call.callee,
        "state": call.state,
        "ringTo": list(call.ring_to),
        "answeredBy": call.answered_by,
        "customerId": call.customer_id,
        "candidates": copy.deepcopy(call.candidates),
        "interactionId": call.interaction_id,
        "cause": call.cause,
        "callback": call.callback,
        "callbackRequestId": call.callback_request_id,
        "duration": call.duration_seconds,
        "startDate": iso(call.started_at),
        "answerDate": iso(call.answered_at) if call.answered_at else None,
        "endDate": iso(call.ended_at) if call.ended_at else None,
        # Until then the agent may wrap the call's contact up; then the worker completes it.
        "wrapUpDue": iso(call.wrap_up_due) if call.wrap_up_due else None,
    }


def _check(event: CallEvent) -> None:
    if event.event not in EVENTS:
        raise InvalidInput(f"event: one of {', '.join(EVENTS)}", "event")
    if not event.call_ref.strip() or len(event.call_ref) > 150:
        raise InvalidInput("callId: required, at most 150 characters", "callId")
    if event.direction not in ("inbound", "outbound"):
        raise InvalidInput("direction: in or out (inbound, outbound)", "direction")
    for name, value in (("from", event.caller), ("to", event.callee)):
        if len(value) > 64:
            raise InvalidInput(f"{name}: at most 64 characters", name)


def live_message_of(event: dict) -> LiveMessage:
    """The live message of a call's event: for the agents it rings for."""
    document = event["document"]
    data = {"state": document.get("state"), "kind": event.get("kind")}
    return LiveMessage("call", event["resourceId"], data, users=tuple(document.get("ringTo") or ()))
