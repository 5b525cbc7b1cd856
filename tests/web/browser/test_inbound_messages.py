"""Inbound messages in a real browser: an administrator finds a partner's rejected message,
reads why, its raw content and history, and applies it again once the partner's profile
knows the code it was missing; English and German pages checked with axe-core and
photographed; an agent sees none of it."""

import copy

import pytest
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.demo.users import DEMO_PASSWORD
from parley.mediation import InboundApplier, InboundStore
from parley.mediation.examples import shipped_profiles
from parley.mediation.profile_service import ProfileService
from tests.mediation.conftest import receive_partner
from tests.web.browser.conftest import look, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
HEADER = "contact_id;phone;channel_code;direction;started;ended;topic_code;subject;agent_notes\n"


@pytest.fixture(scope="module")
def inbound(demo) -> dict:
    """The legacy CRM's profile, a CSV it reads (applied), one with a channel code it does not
    know (rejected), and a message no profile of its partner reads (rejected)."""
    sessions = sessionmaker(bind=demo.engine, expire_on_commit=False)
    profile = shipped_profiles()["legacy-crm-interactions"]
    with sessions() as session:
        made = ProfileService(UnitOfWork(session, demo.settings, Actor("ida", "test"))).create(
            profile
        )
        session.commit()
        profile_id = made.id
    store = InboundStore(sessions)
    row = f"L-7;{demo.phone};{{code}};IN;2019-03-04 09:12;2019-03-04 09:20;BIL;Invoice question;\n"
    good = receive_partner(
        store, "legacy-crm", (HEADER + row.format(code="TEL")).encode(), "text/csv"
    )
    fax = receive_partner(
        store, "legacy-crm", (HEADER + row.format(code="FAX")).encode(), "text/csv"
    )
    stray = receive_partner(store, "acme-networks", b"<TroubleReport/>", "application/xml")
    with sessions() as session:
        InboundApplier(session, demo.settings).apply_due(10)
        session.commit()
    return {"profile": profile_id, "good": good.id, "fax": fax.id, "stray": stray.id}


def _nav(page):
    return page.get_by_role("navigation", name="Console")


def test_a_rejected_message_read_and_applied_again(page, demo, inbound):
    sign_in(page, demo, "admin")
    _nav(page).get_by_role("link", name="Inbound messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbound messages")
    expect(page.locator("main table")).to_contain_text("command.channel: Field required")
    look(page, "admin-inbound-messages")

    page.get_by_role("link", name=inbound["fax"][:8]).click()
    expect(page.locator(".notice.error")).to_contain_text(
        "legacy-crm/interaction-export v1: command.channel: Field required"
    )
    expect(page.locator("pre.raw").first).to_contain_text("L-7;")
    look(page, "admin-inbound-message-rejected")

    fixed = copy.deepcopy(shipped_profiles()["legacy-crm-interactions"])
    fixed["transform"]["lookups"]["channels"]["FAX"] = "letter"
    with sessionmaker(bind=demo.engine)() as session:
        ProfileService(UnitOfWork(session, demo.settings, Actor("ida", "test"))).replace(
            inbound["profile"], fixed
        )
        session.commit()
    page.get_by_role("button", name="Apply again").click()
    expect(page.locator(".notice.done")).to_contain_text("It is back to be applied")
    expect(page.get_by_role("button", name="Apply again")).to_have_count(0)
    with sessionmaker(bind=demo.engine)() as session:
        InboundApplier(session, demo.settings).apply_due(10)
        session.commit()
    page.reload()
    expect(page.locator("h1 .badge")).to_have_text("Applied")
    expect(page.locator("main")).to_contain_text('"interaction"')
    look(page, "admin-inbound-message-applied")


def test_the_pages_in_german_and_out_of_an_agents_reach(new_page, demo, inbound):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url(f"/admin/inbound-messages/{inbound['stray']}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eingehende Nachricht")
    expect(page.locator(".notice.error")).to_contain_text("no active profile of partner")
    look(page, "admin-inbound-message-de")

    agent = new_page()
    sign_in(agent, demo, "agent")
    expect(_nav(agent).get_by_role("link", name="Inbound messages")).to_have_count(0)
    assert agent.goto(demo.url("/admin/inbound-messages")).status == 403
