"""The next best offer in a real browser: a customer who asked about their data allowance
twice this week; the agent opens the customer, sees the demo catalogue's data add-on offered
by the shipped rule with why, records the customer's acceptance, and the add-on request is
raised (its order in the outbox). In German too. Each page is checked with axe-core and
photographed (tests/web/browser/conftest.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.analytics.upsell import UpsellService
from parley.changes import UnitOfWork
from parley.db.base import iso, utcnow
from parley.demo.users import DEMO_PASSWORD
from parley.interactions.service import InteractionService
from parley.outbox.models import OutboxMessage
from parley.parties.service import PartyService
from parley.requests.models import CustomerRequest
from tests.web.browser.conftest import look, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


def _interested_customer(demo, given: str) -> str:
    """A new residential customer who called twice about their data allowance; their id."""
    with sessionmaker(bind=demo.engine, expire_on_commit=False)() as session:
        uow = UnitOfWork(session, demo.settings, Actor("anna.k", "phone"))
        parties = PartyService(uow)
        person = parties.create_party(
            "Individual",
            {"@type": "Individual", "givenName": given, "familyName": "Datenreich"},
        )
        customer = parties.create_customer(
            {
                "@type": "Customer",
                "name": f"{given} Datenreich",
                "engagedParty": {"id": person.id, "@referredType": "Individual"},
                "characteristic": [
                    {"@type": "StringCharacteristic", "name": "segment", "value": "residential"}
                ],
            },
            force=True,
        )
        for days in (0, 3):
            start = utcnow() - timedelta(days=days, hours=1)
            InteractionService(uow).create(
                {
                    "@type": "PartyInteraction",
                    "direction": "inbound",
                    "status": "completed",
                    "reason": "usage.data",
                    "description": "Asked how much data is left this month",
                    "interactionDate": {
                        "startDateTime": iso(start),
                        "endDateTime": iso(start + timedelta(minutes=5)),
                    },
                    "relatedChannel": [{"role": "contact", "channel": {"id": "phone"}}],
                    "relatedParty": [
                        {
                            "role": "customer",
                            "partyOrPartyRole": {"id": customer.id, "@referredType": "Customer"},
                        }
                    ],
                }
            )
        session.commit()
        return customer.id


def _raised(demo, customer_id: str) -> list[CustomerRequest]:
    with sessionmaker(bind=demo.engine)() as session:
        query = select(CustomerRequest).where(CustomerRequest.customer_id == customer_id)
        return list(session.scalars(query))


def test_the_agent_offers_the_data_add_on_and_the_acceptance_raises_the_request(page, demo):
    customer_id = _interested_customer(demo, "Dora")
    sign_in(page, demo)
    page.goto(demo.url(f"/customers/{customer_id}"))

    panel = page.get_by_role("region", name="Next best offer")
    expect(panel).to_contain_text("Extra 10 GB")
    expect(panel).to_contain_text("€9.99 once")
    expect(panel).to_contain_text("Why: 2 contacts about Data allowance or usage, the latest on")
    expect(panel).to_contain_text("rule: Data add-on after repeated data-limit enquiries")
    look(page, "upsell-offer")

    panel.get_by_label("Note (optional)").fill("Wants it before the holiday")
    panel.get_by_role("button", name="Accepted").click()
    expect(page).to_have_url(f"{demo.url(f'/customers/{customer_id}')}?offer=accepted#offer")
    notice = page.get_by_role("region", name="Next best offer").get_by_role("status")
    expect(notice).to_contain_text("Accepted: the add-on request was raised.")
    expect(page.get_by_role("region", name="Next best offer")).to_contain_text(
        "Extra 10 GB (accepted)"
    )
    look(page, "upsell-accepted")

    raised = _raised(demo, customer_id)
    assert [(r.status, r.outcome) for r in raised] == [("inProgress", None)]  # awaits ordering
    characteristic = raised[0].document["troubleTicketCharacteristic"][0]
    assert characteristic["name"] == "productOffering"
    with sessionmaker(bind=demo.engine)() as session:
        orders = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    assert any(
        o.payload["productOrderItem"][0]["productOffering"]["id"] == "DEMO-DATA-10" for o in orders
    )
    page.get_by_role("link", name="Open the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add-on or bundle selection")


def test_the_offer_in_german(new_page, demo):
    customer_id = _interested_customer(demo, "Dieter")
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("agent")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url(f"/customers/{customer_id}"))
    panel = page.get_by_role("region", name="Nächstes Angebot")
    expect(panel).to_contain_text("Warum: 2 Kontakte zu Datenvolumen oder Datennutzung")
    expect(panel.get_by_role("button", name="Später")).to_be_visible()
    look(page, "upsell-offer-de")
    panel.get_by_role("button", name="Später").click()
    expect(page.get_by_role("region", name="Nächstes Angebot")).to_contain_text(
        "Der Kunde überlegt es sich"
    )
    assert _raised(demo, customer_id) == []


def test_a_supervisor_sees_up_sell_acceptance_on_the_dashboard(page, demo):
    customer_id = _interested_customer(demo, "Doris")
    with sessionmaker(bind=demo.engine, expire_on_commit=False)() as session:
        uow = UnitOfWork(session, demo.settings, Actor("anna.k", "phone"))
        offer = UpsellService(uow).next_offer(customer_id).offer
        UpsellService(uow).answer(customer_id, offer.id, "refused")
        session.commit()
    sign_in(page, demo, "supervisor")
    page.get_by_role("link", name="Dashboard").click()
    rules = page.get_by_role("region", name="Up-sell offers by rule")
    expect(rules.locator("tbody tr", has_text="data-addon")).to_be_visible()
    expect(page.locator(".chart-canvas canvas").last).to_be_visible()
    look(page, "upsell-dashboard")
