"""Leads in a real browser: an agent creates a lead for a prospect who is already a demo
customer (the suspect shown with its score and reasons, created anyway), logs a contact that
reaches them, qualifies it, and converts it: the duplicate customer shown again before the
conversion is forced. Each page checked with axe-core and photographed; the keyboard."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from parley.parties.models import Customer, Party, PartyKey
from tests.web.browser.conftest import look, sign_in

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def known(demo):
    """A demo customer's name, phone and city: the prospect the agent is about to enter."""
    with sessionmaker(bind=demo.engine)() as session:
        row = session.execute(
            select(Party.given_name, Party.family_name, PartyKey.value, Party.city)
            .join(Customer, Customer.party_id == Party.id)
            .join(PartyKey, PartyKey.party_id == Party.id)
            .where(Customer.status == "active", PartyKey.kind == "phone", Party.city.is_not(None))
            .where(PartyKey.valid_to.is_(None), Party.kind == "Individual")
            .order_by(Customer.customer_number.desc())
            .limit(1)
        ).one()
    return row


def test_a_lead_converted_with_a_duplicate_suspect_shown(page, demo, known):
    given, family, phone, city = known
    sign_in(page, demo, "agent")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="New lead").click()
    look(page, "lead-new")

    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Street and number").fill("Hafenstraße 12")
    page.get_by_label("Postcode").fill("20459")
    page.get_by_label("City").fill(city)
    page.get_by_label("What they are interested in").fill("Fibre 1000 and a second SIM")
    page.get_by_role("button", name="Create the lead").click()

    suspects = page.locator("section.suspects")
    expect(page.locator(".notice.error")).to_contain_text("someone Parley knows already")
    expect(suspects).to_contain_text(f"{given} {family}")
    expect(suspects.locator(".score").first).to_contain_text("% match")
    expect(suspects.locator(".match").first).to_contain_text("exact")
    look(page, "lead-new-duplicate")
    page.get_by_label(re.compile("None of these: create the lead anyway")).check()
    page.get_by_role("button", name="Create the lead").click()
    expect(page.locator(".notice.done")).to_have_text("The lead is created.")
    expect(page.locator("section.suspects")).to_be_visible()

    # A contact that reached them on their number, then qualified.
    page.get_by_label("Number or address used").select_option(index=1)
    page.get_by_label("Reached them on it").check()
    page.get_by_label("What was said").fill("Called back; wants fibre from next month")
    page.get_by_role("button", name="Log the contact").click()
    expect(page.locator(".notice.done")).to_have_text("The contact is logged.")
    page.get_by_text("Qualify", exact=True).click()
    page.get_by_role("button", name="Qualify the lead").click()
    expect(page.locator(".notice.done")).to_contain_text("The lead is qualified")
    look(page, "lead-qualified")

    # Converting: the duplicate customer is shown again, and must be confirmed.
    page.get_by_label("They pay by").select_option("BankAccountDebit")
    page.get_by_label("Mandate, account or card reference").fill("SEPA-2026-0042")
    page.get_by_role("button", name="Convert", exact=True).click()
    form = page.locator("form[action$='/convert']")
    expect(form.locator("section.suspects")).to_contain_text(f"{given} {family}")
    look(page, "lead-convert-duplicate")
    form.get_by_label(re.compile("None of these: convert anyway")).check()
    form.get_by_role("button", name="Convert", exact=True).click()
    expect(page.locator(".notice.done")).to_have_text("Converted: the prospect is a customer now.")
    expect(page.locator(".badge.lead-converted")).to_have_text("Converted")
    page.get_by_role("link", name="Open the customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")


def test_the_leads_list_by_keyboard(page, demo, known):
    sign_in(page, demo, "agent")
    page.goto(demo.url("/leads"))
    look(page, "leads")
    status = page.get_by_label("Status")
    status.focus()
    status.select_option("converted")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=converted"))
    expect(page.locator(".result-count")).to_have_text(re.compile(r"\d+ leads?"))
