"""The customer 360 in a real browser: an agent finds a demo customer, verifies them, reads
and filters the timeline (scrolling loads more), logs the contact with a reason, raises a
fault request and opens its page; wrong input said beside the field; German; the keyboard;
no JavaScript; a phone-sized screen. Each page is checked with axe-core and photographed
(tests/web/browser/conftest.py)."""

import re

import pytest

from parley.demo.loader import DEMO_PIN
from tests.web.browser.conftest import LONG_HISTORY, look, shoot, shoot_view, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
PAGE = 20  # timeline entries a page


def _open_caller(page, demo) -> None:
    sign_in(page, demo)
    page.keyboard.press("/")
    page.get_by_role("searchbox", name="Find a caller").fill(demo.caller_phone)
    page.locator(".candidates a.candidate-name").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.caller)


def _entries(page):
    return page.locator("#timeline-results li.entry")


def test_an_agent_verifies_reads_the_timeline_logs_the_contact_and_raises_a_fault(page, demo):
    _open_caller(page, demo)
    header = page.locator("#customer-header")
    expect(header.locator(".badge.status-suspended")).to_have_text("Not verified")
    look(page, "customer-360")

    # Verify: a wrong PIN is said beside the field, the right one verifies.
    page.get_by_label("The caller's answer").fill("0000")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#verify-answer-error")).to_contain_text("Not right. 2 attempts left")
    expect(page.get_by_label("The caller's answer")).to_be_focused()
    look(page, "customer-verification-wrong")
    page.get_by_label("The caller's answer").fill(DEMO_PIN)
    page.get_by_role("button", name="Check").click()
    expect(header.locator(".badge.verified")).to_have_text("Verified")
    expect(header).to_contain_text("by you with the PIN")

    # The timeline: a page, and the next as it scrolls into view.
    expect(_entries(page)).to_have_count(PAGE)
    page.locator(".timeline-more a").scroll_into_view_if_needed()
    expect(_entries(page)).to_have_count(PAGE * 2)
    while page.locator(".timeline-more a").count():
        shown = _entries(page).count()
        page.locator(".timeline-more a").scroll_into_view_if_needed()
        expect(_entries(page)).not_to_have_count(shown)
    expect(page.locator(".timeline-end")).to_have_text("That is the whole history.")
    assert _entries(page).count() > LONG_HISTORY

    # Filters: email only, outbound; an entry opens to its details.
    page.locator("#tl-channel").select_option("email")
    expect(page).to_have_url(re.compile(r"/timeline\?channel=email"))
    page.locator("#tl-direction").select_option("outbound")
    expect(page).to_have_url(re.compile(r"channel=email&direction=outbound"))
    expect(_entries(page).first).to_contain_text("Email")
    channels = _entries(page).locator(".entry-channel").all_inner_texts()
    assert channels and all(c.startswith("Email") and "Outbound" in c for c in channels)
    first = _entries(page).first
    first.locator("summary").click()
    expect(first.locator(".entry-body")).to_be_visible()
    expect(first.locator(".entry-body")).to_contain_text("Logged by")
    look(page, "customer-timeline-filtered")
    page.get_by_role("link", name="Show everything").click()

    # Log the contact: fault report, a request of the suggested type.
    page.get_by_role("button", name="Start logging").click()
    panel = page.locator("#contact")
    expect(panel.get_by_role("heading", name="This contact")).to_be_visible()
    panel.get_by_label("Reason").select_option("fault.report")
    panel.get_by_label("Raise a request from this contact").check()
    expect(panel.get_by_label("Type of request")).to_be_visible()
    expect(panel.get_by_label("Type of request")).to_contain_text(
        "Parley's suggestion: Fault repair"
    )
    panel.get_by_label("Outcome").select_option("requestRaised")
    panel.get_by_label("Notes").fill("No mobile data since this morning; phone restarted.")
    look(page, "contact-wrap-up")
    shoot_view(page, "docs-console-wrap-up")
    panel.get_by_role("button", name="Complete the contact").click()

    expect(panel.get_by_role("heading", name="Contact completed")).to_be_visible()
    expect(panel.locator(".raised")).to_contain_text("Request: Fault repair")
    expect(page.locator("#requests")).to_contain_text("Fault repair")
    look(page, "contact-completed")
    shoot_view(page, "docs-console-360")

    panel.get_by_role("link", name="Request: Fault repair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fault repair")
    expect(page.locator(".request-header")).to_contain_text("Workflow stage")
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    look(page, "request")

    # Put it on hold, saying why; the history says so.
    page.get_by_text("Put on hold", exact=True).click()
    page.locator("#hold-reason").fill("Waiting for the customer to try another SIM")
    page.get_by_role("button", name="Put it on hold").click()
    expect(page.locator(".notice.done")).to_have_text("The request is on hold.")
    expect(page.locator(".history")).to_contain_text("Waiting for the customer to try another SIM")
    look(page, "request-held")
    shoot_view(page, "docs-console-request")


def test_wrong_input_is_said_beside_the_field_and_changes_nothing(page, demo):
    _open_caller(page, demo)
    page.get_by_text("Change contact details", exact=True).click()
    page.locator("#cd-phoneNumber").fill("12")
    page.get_by_role("button", name="Save the changes").click()

    expect(page.locator("#cd-phoneNumber-error")).to_contain_text("Not a phone number")
    expect(page.locator("#cd-phoneNumber")).to_be_focused()
    expect(page.locator("#contact-details .contact-value").first).not_to_have_text("12")
    look(page, "customer-contact-details-refused")

    page.get_by_role("button", name="Start logging").click()
    page.locator("#contact").get_by_role("button", name="Complete the contact").click()
    expect(page.locator("#wrap-reason-error")).to_have_text("Choose the reason for the contact.")
    expect(page.locator("#wrap-outcome-error")).to_have_text("Choose how the contact ended.")
    expect(page.locator("#wrap-reason")).to_be_focused()
    look(page, "contact-wrap-up-refused")


def test_the_360_in_german(new_page, demo):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("agent")
    page.get_by_label("Passwort").fill("parley-demo-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url(f"/customers/{demo.caller_id}"))

    expect(page.get_by_role("heading", name="Verlauf der Kontakte")).to_be_visible()
    expect(page.get_by_role("heading", name="Diesen Kontakt erfassen")).to_be_visible()
    # "Prüfen" to verify, or already verified (by the first test of this module)
    expect(page.locator("#verification")).to_contain_text(
        re.compile("Anrufer verifizieren|mit der PIN verifiziert")
    )
    expect(page.locator("#customer-header")).to_contain_text("Kundennummer")
    expect(page.locator(".timeline-more a")).to_have_text("Ältere Einträge")
    look(page, "customer-360-de")
    shoot_view(page, "docs-console-360-de")

    page.get_by_role("button", name="Erfassung beginnen").click()
    page.locator("#contact").get_by_label("Grund").select_option("billing.dispute")
    page.locator("#contact").get_by_label("Aus diesem Kontakt einen Auftrag anlegen").check()
    expect(page.locator("#wrap-request_type")).to_contain_text(
        "Vorschlag von Parley: Rechnungsreklamation"
    )
    expect(page.locator("#wrap-request_type")).to_be_visible()
    expect(page.get_by_label("Rechnungsnummer")).to_be_visible()  # the type needs it
    look(page, "contact-wrap-up-de")


def test_the_timeline_and_the_forms_by_keyboard(page, demo):
    _open_caller(page, demo)
    first = _entries(page).first.locator("summary")
    first.focus()
    page.keyboard.press("Enter")
    expect(_entries(page).first.locator(".entry-body")).to_be_visible()

    more = page.locator(".timeline-more a")
    more.focus()
    page.keyboard.press("Enter")
    expect(_entries(page)).to_have_count(PAGE * 2)

    page.locator("#start-channel").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#start-direction")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Start logging")).to_be_focused()


def test_the_360_reads_without_javascript(new_page, demo):
    page = new_page(java_script_enabled=False)
    sign_in(page, demo)
    page.goto(demo.url(f"/customers/{demo.caller_id}"))

    expect(_entries(page)).to_have_count(PAGE)
    page.locator(".timeline-more a").click()
    expect(page).to_have_url(re.compile(r"/timeline\?cursor="))
    expect(page.locator("#timeline-results")).to_contain_text("Older entries.")
    expect(_entries(page).first).to_be_visible()
    shoot(page, "customer-timeline-older-without-javascript")


def test_the_360_on_a_narrow_screen(new_page, demo):
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, demo)
    page.goto(demo.url(f"/customers/{demo.caller_id}"))

    expect(page.get_by_role("heading", level=1)).to_have_text(demo.caller)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing should scroll sideways on a phone"
    look(page, "customer-360-narrow")
