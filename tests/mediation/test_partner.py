"""Partner messages read through their profiles by the worker: the profile that recognises a
message is chosen; what no profile reads, what is malformed and what names nothing Parley
knows is rejected with the reason and kept, with nothing of it applied; after the profile is
fixed, a replay applies it once. Every command kind reaches its domain."""

import copy

from sqlalchemy import func, select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.interactions.models import Interaction
from parley.mediation import APPLIED, REJECTED, InboundService
from parley.mediation.examples import shipped_profiles
from parley.parties.models import Customer, Party
from parley.requests.models import CustomerRequest
from tests.mediation.conftest import receive_partner, reloaded
from tests.requests.helpers import raise_request
from tests.web.helpers import make_customer

SHIPPED = shipped_profiles()
TROUBLE = (
    b"<TroubleReport xmlns='urn:acme:trouble:1' id='TR-9'><Subscriber><Email>nora@example.org"
    b"</Email></Subscriber><Fault code='SLOW' severity='3'><Summary>Slow data</Summary></Fault>"
    b"</TroubleReport>"
)
ROWS = "contact_id;phone;channel_code;direction;started;ended;topic_code;subject;agent_notes\n"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _rejected(session, received) -> str:
    message = reloaded(session, received.id)
    assert message.state == REJECTED, message.state
    return message.reason


def test_the_profile_that_recognises_the_message_reads_it(
    profiles, store, apply_due, session, client
):
    make_customer(client)
    profiles.create(SHIPPED["acme-trouble-report"])
    other = copy.deepcopy(SHIPPED["acme-trouble-report"])
    other.update(transactionType="planned-work", command="logInteraction")
    other["recognise"]["rootElement"] = "PlannedWork"
    profiles.create(other)
    session.commit()

    received = receive_partner(store, "acme-networks", TROUBLE, "text/xml; charset=utf-8")
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED, message.reason
    assert message.command["profile"]["transactionType"] == "trouble-report"
    request = session.get(CustomerRequest, message.outcome["results"][0]["request"])
    assert request.priority == "medium" and request.document["severity"] == "minor"


def test_what_no_profile_recognises_is_rejected_saying_why(profiles, store, apply_due, session):
    profiles.create(SHIPPED["acme-trouble-report"])
    session.commit()

    nothing = receive_partner(store, "unknown-partner", TROUBLE, "application/xml")
    wrong_root = receive_partner(store, "acme-networks", b"<Invoice/>", "application/xml")
    wrong_type = receive_partner(
        store, "acme-networks", TROUBLE, "application/json", idempotency_key="as-json"
    )
    apply_due()

    assert _rejected(session, nothing) == "profile: no active profile of partner unknown-partner"
    assert _rejected(session, wrong_root) == (
        "profile: no profile recognises it (acme-networks/trouble-report v1: "
        "root element Invoice is not TroubleReport)"
    )
    assert "content type application/json is not application/xml or text/xml" in _rejected(
        session, wrong_type
    )


def test_the_transaction_type_the_sender_names_narrows_the_choice(
    profiles, store, apply_due, session
):
    profiles.create(SHIPPED["acme-trouble-report"])
    session.commit()

    named = receive_partner(
        store, "acme-networks", TROUBLE, "application/xml", transaction_type="invoice"
    )
    apply_due()

    assert _rejected(session, named) == (
        "profile: no active profile of partner acme-networks for invoice"
    )


def test_profiles_recognising_a_message_alike_are_ambiguous(profiles, store, apply_due, session):
    profiles.create(SHIPPED["acme-trouble-report"])
    profiles.create({**SHIPPED["acme-trouble-report"], "version": "2"})
    session.commit()

    received = receive_partner(store, "acme-networks", TROUBLE, "application/xml")
    apply_due()

    assert "several profiles recognise it alike (acme-networks/trouble-report v1, " in (
        _rejected(session, received)
    )


def test_malformed_input_is_rejected_with_the_reason_and_kept(profiles, store, apply_due, session):
    profiles.create(SHIPPED["acme-trouble-report"])
    profiles.create(SHIPPED["shop-order-state"])
    session.commit()
    broken_xml = b"<TroubleReport xmlns='urn:acme:trouble:1'><Subscriber>"
    no_email = TROUBLE.replace(b"<Email>nora@example.org</Email>", b"")

    unclosed = receive_partner(store, "acme-networks", broken_xml, "application/xml")
    incomplete = receive_partner(store, "acme-networks", no_email, "application/xml")
    not_json = receive_partner(store, "shop-ordering", b'{"event": ', "application/json")
    deep = receive_partner(store, "shop-ordering", b"[" * 100_000, "application/json")
    apply_due()

    assert _rejected(session, unclosed).startswith("profile: no profile recognises it (")
    assert "the content is not XML" in _rejected(session, unclosed)
    assert _rejected(session, incomplete) == (
        "acme-networks/trouble-report v1: transform.xslt: "
        "a trouble report needs Subscriber/Email and Fault/Summary"
    )
    assert _rejected(session, not_json).startswith(
        "shop-ordering/order-state-change v1: content: not JSON (Expecting value"
    )
    assert _rejected(session, deep) == (
        "shop-ordering/order-state-change v1: content: JSON nested too deeply"
    )
    assert reloaded(session, unclosed.id).content == broken_xml  # kept as it came


def test_a_command_naming_nothing_known_rejects_the_whole_message(
    profiles, store, apply_due, session, client
):
    make_customer(client, phone="+49 171 5550101")
    profiles.create(SHIPPED["legacy-crm-interactions"])
    session.commit()
    rows = ROWS + (
        "A;+49 171 5550101;TEL;IN;2019-03-04 09:12;2019-03-04 09:20;BIL;Known;\n"
        "B;+49 171 5559999;TEL;IN;2019-03-04 10:12;2019-03-04 10:20;BIL;Unknown;\n"
    )

    received = receive_partner(store, "legacy-crm", rows.encode(), "text/csv")
    apply_due()

    assert _rejected(session, received) == (
        "command[1]: customer.phone: no customer has +49 171 5559999"
    )
    assert _count(session, Interaction) == 0  # the first row's interaction is not left behind


def test_a_message_replayed_after_its_profile_is_fixed_is_applied_once(
    profiles, store, apply_due, session, client, settings
):
    customer = make_customer(client, phone="+49 171 5550101")
    profile = profiles.create(SHIPPED["legacy-crm-interactions"])
    session.commit()
    rows = ROWS + "A;+49 171 5550101;FAX;IN;2019-03-04 09:12;2019-03-04 09:20;BIL;By fax;\n"
    received = receive_partner(store, "legacy-crm", rows.encode(), "text/csv")
    apply_due()
    assert _rejected(session, received) == (
        "legacy-crm/interaction-export v1: command.channel: Field required"
    )
    rejected = reloaded(session, received.id)  # what it is, for whoever fixes the profile
    assert (rejected.profile_id, rejected.transaction_type) == (profile.id, "interaction-export")

    fixed = copy.deepcopy(SHIPPED["legacy-crm-interactions"])
    fixed["transform"]["lookups"]["channels"]["FAX"] = "letter"
    profiles.replace(profile.id, fixed)
    admin = UnitOfWork(session, settings, Actor("ada", "console"))
    InboundService(admin).replay(received.id)
    session.commit()
    apply_due()
    InboundService(admin).replay(received.id)  # applied: stays applied
    session.commit()
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED
    made = session.scalars(select(Interaction).where(Interaction.customer_id == customer["id"]))
    assert [i.channel for i in made] == ["letter"]


def _inline(command: str, jsonata: str) -> dict:
    return {
        "partner": "crm-sync",
        "transactionType": command.lower(),
        "parse": {"format": "json"},
        "transform": {"jsonata": jsonata},
        "command": command,
    }


def test_contact_details_and_request_updates_reach_their_domains(
    profiles, store, apply_due, session, client
):
    customer = make_customer(client)
    request = raise_request(client, customer)
    profiles.create(
        _inline(
            "updateContactDetails",
            '{"customer": {"customerNumber": number}, "emailAddress": mail}',
        )
    )
    profiles.create(
        _inline(
            "updateRequest",
            '{"request": {"id": ticket}, "note": text, "status": "held", "reason": "parts"}',
        )
    )
    session.commit()
    number = session.get(Customer, customer["id"]).customer_number

    contact = receive_partner(
        store,
        "crm-sync",
        f'{{"number": "{number}", "mail": "Nora.New@Example.org"}}'.encode(),
        "application/json",
        transaction_type="updatecontactdetails",
    )
    update = receive_partner(
        store,
        "crm-sync",
        f'{{"ticket": "{request["id"]}", "text": "Waiting for a part"}}'.encode(),
        "application/json",
        transaction_type="updaterequest",
    )
    apply_due()

    assert reloaded(session, contact.id).state == APPLIED, reloaded(session, contact.id).reason
    assert reloaded(session, update.id).state == APPLIED, reloaded(session, update.id).reason
    party = session.get(Party, session.get(Customer, customer["id"]).party_id)
    emails = [m for m in party.document["contactMedium"] if m["@type"] == "EmailContactMedium"]
    assert emails[-1]["emailAddress"] == "Nora.New@example.org" and emails[-1]["preferred"]
    row = session.get(CustomerRequest, request["id"])
    session.refresh(row)
    assert row.status == "held"
    assert row.document["note"][-1]["text"] == "Waiting for a part"
    assert row.document["note"][-1]["author"] == "crm-sync"
