"""The portal's offers in a real browser on a phone-sized screen: the demo customer sees its
segment's offers with their prices, selects one (the add-on selection request raised, its
web interaction logged, the order in the outbox), is refused one withdrawn meanwhile, and
does not find another segment's by URL. Each page is checked with axe-core and photographed."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.models import User
from parley.changes import UnitOfWork
from parley.demo.users import DEMO_PASSWORD
from parley.interactions.models import Interaction
from parley.offers import OfferCatalogue
from parley.offers.models import ProductOffering
from parley.outbox.models import OutboxMessage
from tests.web.browser.conftest import check_accessible, look

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _offering(engine, name: str) -> str:
    with sessionmaker(bind=engine)() as session:
        return session.scalars(select(ProductOffering.id).where(ProductOffering.name == name)).one()


def _retire(demo, offering_id: str) -> None:
    with sessionmaker(bind=demo.engine)() as session:
        uow = UnitOfWork(session, demo.settings, Actor("admin", "console"))
        catalogue = OfferCatalogue(uow)
        document = {**catalogue.get(offering_id).document, "lifecycleStatus": "Retired"}
        catalogue.replace(offering_id, document)
        session.commit()


def _sign_in(page, demo, engine) -> str:
    """Sign the demo customer in; its customer id."""
    with sessionmaker(bind=engine)() as session:
        username, customer_id = session.execute(
            select(User.username, User.customer_id).where(User.username.like("customer-%"))
        ).one()
    page.goto(f"{demo.base_url}/portal/sign-in")
    page.keyboard.type(username)  # the field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.base_url}/portal/")
    return customer_id


def test_a_customer_selects_an_eligible_add_on_and_is_refused_a_withdrawn_one(
    new_page, demo, migrated_engine
):
    page = new_page(**PHONE)
    customer_id = _sign_in(page, demo, migrated_engine)

    page.get_by_role("link", name="Offers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offers")
    expect(page.get_by_text("Roaming EU 5 GB")).to_be_visible()
    expect(page.get_by_text("€5.00")).to_be_visible()
    expect(page.get_by_text("Static IP address")).to_have_count(0)  # for businesses
    look(page, "portal-offers")

    page.get_by_role("link", name="Roaming EU 5 GB").click()
    look(page, "portal-offer")
    page.get_by_role("button", name="Select this offer").click()
    expect(page).to_have_url(re.compile(r"/portal/requests/[0-9a-f-]+\?done=raised$"))
    expect(page.get_by_role("status")).to_contain_text("we have received your request")
    look(page, "portal-offer-selected")

    with sessionmaker(bind=migrated_engine)() as session:
        logged = session.scalars(
            select(Interaction.description).where(
                Interaction.customer_id == customer_id, Interaction.channel == "web"
            )
        ).all()
        orders = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    assert any(text.startswith("Request raised: Add-on") for text in logged)
    assert [o.payload["productOrderItem"][0]["productOffering"]["name"] for o in orders] == [
        "Roaming EU 5 GB"
    ]

    # Withdrawn while the customer looked at it: said clearly, nothing ordered.
    sport = _offering(migrated_engine, "TV Sport")
    page.goto(f"{demo.base_url}/portal/offers/{sport}")
    _retire(demo, sport)
    page.get_by_role("button", name="Select this offer").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This offer has been withdrawn and can no longer be ordered."
    )
    expect(page.get_by_role("button", name="Select this offer")).to_have_count(0)
    look(page, "portal-offer-refused")

    # Another segment's offer is not there, whatever the URL says.
    office = _offering(migrated_engine, "Static IP address")
    answer = page.goto(f"{demo.base_url}/portal/offers/{office}")
    assert answer is not None and answer.status == 404
    check_accessible(page, "portal-offer-not-found")
