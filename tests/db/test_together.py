"""Rows for several tables written together (one statement on PostgreSQL)."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.changes.recorder import audit_row, event_row
from parley.db.together import NewRow, insert_together, together
from parley.interactions.models import Interaction
from parley.interactions.service import InteractionService
from parley.outbox.models import OutboxMessage
from tests.factories import create_person_customer

ACTOR = Actor("agent.kim", "phone")


def counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Interaction, AuditEntry, OutboxMessage)
    )


def document(customer_id: str) -> dict:
    return {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "reason": "billing.enquiry",
        "relatedChannel": [{"channel": {"@type": "ChannelRef", "id": "phone"}}],
        "relatedParty": [
            {
                "role": "customer",
                "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"},
            }
        ],
    }


def test_an_interaction_its_audit_line_and_its_event_are_stored_together(client, session, settings):
    customer = create_person_customer(client, "Mira", "Lang")
    before = counts(session)
    session.rollback()

    service = InteractionService(UnitOfWork(session, settings, ACTOR))
    new = service.new_interaction(document(customer["id"]))
    insert_together(session.connection(), new.rows)
    session.commit()

    assert counts(session) == tuple(n + 1 for n in before)
    stored = session.get(Interaction, new.row.id)
    assert stored.customer_id == customer["id"]
    assert stored.party_id == customer["engagedParty"]["id"]
    assert stored.reason_code == "billing.enquiry"
    audit = session.scalars(select(AuditEntry).where(AuditEntry.resource_id == new.row.id)).one()
    assert (audit.action, audit.actor_name) == ("create", "agent.kim")


def test_a_row_that_fails_leaves_none_of_the_others(session, settings):
    before = counts(session)
    ghost = "4b0d1a8e-0000-4000-8000-000000000000"  # the interaction's customer key fails
    new = InteractionService(UnitOfWork(session, settings, ACTOR)).new_interaction(document(ghost))

    with pytest.raises(IntegrityError):
        insert_together(session.connection(), new.rows)
    session.rollback()

    assert counts(session) == before


def test_rows_must_give_the_columns_with_defaults_so_no_two_rows_share_a_name(session):
    audit = audit_row(ACTOR, "create", "thing", "1")
    event = event_row("thing", "create", "1", {})
    incomplete = NewRow(audit.statement, {k: v for k, v in audit.params.items() if k != "at"})

    with pytest.raises(ValueError, match="give at of audit_entry"):
        together([incomplete, event])


def test_parameters_are_named_per_row(session):
    first = audit_row(ACTOR, "create", "thing", "1")
    second = audit_row(ACTOR, "update", "thing", "1")

    _statement, params = together([first, second])

    assert params["w0_action"] == "create" and params["w1_action"] == "update"
