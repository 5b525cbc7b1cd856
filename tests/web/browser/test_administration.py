"""Administration in a real browser: an administrator creates a user and grants them a
role and a telephone extension (one already taken refused beside the field), previews a
message template live (an error said beside the text, then a good wording), changes a
request type's SLA targets and a reason's summary policy, and sends a dead letter again.
Each page checked with axe-core and photographed; German; an agent sees none of it."""

import re

import pytest
from sqlalchemy.orm import sessionmaker

from parley.demo.users import DEMO_PASSWORD
from tests.web.browser import work
from tests.web.browser.conftest import look, shoot_view, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
NEW_PASSWORD = "Harbour-Lantern-2031"


@pytest.fixture(scope="module")
def letter(demo):
    with sessionmaker(bind=demo.engine, expire_on_commit=False)() as session:
        return work.dead_letter(session, demo.settings)


def _nav(page):
    return page.get_by_role("navigation", name="Console")


def test_users_created_granted_and_signed_in(new_page, demo):
    page = new_page()
    sign_in(page, demo, "admin")
    _nav(page).get_by_role("link", name="Users").click()
    look(page, "admin-users")
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("lea.fischer")
    page.get_by_label("Name", exact=True).fill("Lea Fischer")
    page.get_by_label("First password").fill("short")
    page.get_by_role("button", name="Create the user").click()
    expect(page.locator("#user-password-error")).to_contain_text("at least")
    expect(page.get_by_label("First password")).to_be_focused()
    look(page, "admin-user-new-refused")
    page.get_by_label("First password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create the user").click()
    expect(page.locator(".notice.done")).to_contain_text("The user is created")

    page.get_by_role("checkbox", name="Supervisor").check()
    page.get_by_role("button", name="Save the roles").click()
    expect(page.locator(".notice.done")).to_contain_text("Their roles are changed")
    expect(page.locator(".request-header")).to_contain_text("Agent, Supervisor")

    extension = page.get_by_label("Extension", exact=True)
    extension.fill("101")  # the demo agent's
    page.get_by_role("button", name="Save the extension").click()
    expect(page.locator("#user-extension-extension-error")).to_have_text(
        "Another active user has this extension."
    )
    expect(extension).to_be_focused()
    look(page, "admin-user-extension-taken")
    page.get_by_label("Extension", exact=True).fill("140")
    page.get_by_role("button", name="Save the extension").click()
    expect(page.locator(".notice.done")).to_contain_text("The extension is saved")
    expect(page.locator(".request-header")).to_contain_text("Extension140")
    look(page, "admin-user")

    lea = new_page()
    sign_in(lea, demo, "lea.fischer", NEW_PASSWORD)
    expect(_nav(lea).get_by_role("link", name="Approvals")).to_be_visible()
    expect(_nav(lea).get_by_role("link", name="Users")).to_have_count(0)


def test_a_template_previewed_live(page, demo):
    sign_in(page, demo, "admin")
    _nav(page).get_by_role("link", name="Message templates").click()
    look(page, "admin-templates")
    page.get_by_role("row", name=re.compile(r"interaction\.summary Email en")).get_by_role(
        "link"
    ).click()
    preview = page.locator("#template-preview")
    expect(preview).to_contain_text("Dear Anna Schmidt,")

    text = page.get_by_label("Text")
    text.fill("Dear {{ customerName }},\n\nhere is what we did: {{ summary ")
    expect(page.locator("#tpl-body-problem .field-error")).to_contain_text("This is not valid")
    expect(preview).to_contain_text("No preview")
    look(page, "admin-template-error")
    text.fill("Dear {{ customerName }},\n\nhere is what we did: {{ summary }}\n\n{{ signature }}")
    expect(page.locator("#tpl-samples-problem .field-error")).to_contain_text("signature")
    page.get_by_label("Sample values for the preview").press("Control+End")
    page.get_by_label("Sample values for the preview").type("\nsignature = Your Parley team")
    expect(preview).to_contain_text("here is what we did: We reset your line")
    expect(preview).to_contain_text("Your Parley team")
    expect(page.locator("#tpl-body-problem")).to_be_empty()
    look(page, "admin-template-preview")
    shoot_view(page, "admin-template-preview-view")


def test_sla_targets_and_a_reason(page, demo):
    sign_in(page, demo, "admin")
    _nav(page).get_by_role("link", name="Request types").click()
    look(page, "admin-request-types")
    page.get_by_role("link", name="Fault repair").click()
    page.get_by_label("Critical").fill("0")
    page.get_by_role("button", name="Save the targets").click()
    expect(page.locator("#sla-hours_critical-error")).to_contain_text("A number of hours")
    page.get_by_label("Critical").fill("3")
    page.get_by_role("button", name="Save the targets").click()
    expect(page.locator(".notice.done")).to_have_text("Saved.")
    look(page, "admin-request-type")

    _nav(page).get_by_role("link", name="Interaction reasons").click()
    row = page.locator("li").filter(has=page.locator("text=fault.report"))
    row.get_by_label("Summary to the customer").select_option("always")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".notice.done")).to_have_text("Saved.")
    row = page.locator("li").filter(has=page.locator("text=fault.report"))
    expect(row.get_by_label("Summary to the customer")).to_have_value("always")
    look(page, "admin-reasons")


def test_a_dead_letter_sent_again(page, demo, letter):
    sign_in(page, demo, "admin")
    _nav(page).get_by_role("link", name="Dead letters").click()
    card = page.locator("li.dead-letter")
    expect(card).to_contain_text("HTTP 503 from ordering.example.net")
    look(page, "admin-dead-letters")
    card.get_by_role("button", name=re.compile("Send again")).click()
    expect(page.locator(".notice.done")).to_contain_text("It is queued again")
    expect(page.locator("li.dead-letter")).to_have_count(0)


def test_administration_in_german_and_out_of_an_agents_reach(new_page, demo):
    page = new_page(locale="de-DE")
    page.goto(demo.url("/sign-in"))
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(demo.url("/admin/reasons"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontaktgründe")
    look(page, "admin-reasons-de")

    agent = new_page()
    sign_in(agent, demo, "agent")
    for name in ("Users", "Request types", "Message templates", "Dead letters"):
        expect(_nav(agent).get_by_role("link", name=name)).to_have_count(0)
    assert agent.goto(demo.url("/admin/templates")).status == 403
