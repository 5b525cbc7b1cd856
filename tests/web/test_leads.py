"""Sales leads in the console through the TestClient: the list by status, a new lead (wrong
input beside its field, likely duplicates shown with scores and reasons before it may be
forced), logging a contact, qualifying (what is missing said), converting (duplicate
customers shown before forcing), a stale form refused; all through the leads domain."""

import re

from sqlalchemy import func, select

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.leads.models import SalesLead
from parley.parties.models import Customer, Party
from tests.leads.helpers import create_lead, new_prospect
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside, make_customer

PROSPECT = {
    "givenName": "Lena",
    "familyName": "Vogt",
    "phone": "0176 5550101",
    "email": "lena.vogt@example.org",
    "street1": "Lindenstr. 4",
    "postCode": "50674",
    "city": "Köln",
    "country": "DE",
    "channel": "phone",
    "rating": "hot",
    "interest": "Fibre 1000 at home",
}


def _post(browser, path: str, data: dict, page: str):
    token = csrf_in(browser.get(f"{CONSOLE}{page}").text)
    return browser.post(f"{CONSOLE}{path}", data={"csrf_token": token, **data})


def _create(browser, **changes):
    return _post(browser, "/leads", {**PROSPECT, **changes}, "/leads/new")


def _counts(session) -> tuple[int, int, int]:
    found = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (SalesLead, Party, Customer)
    )
    session.rollback()
    return found


def _lead(session, lead_id: str) -> tuple[str, list, str | None]:
    session.rollback()
    row = session.get(SalesLead, lead_id)
    found = (row.status, list(row.verified_contacts), row.customer_id)
    session.rollback()
    return found


def _act(browser, lead_id: str, action: str, data: dict, stamp: str | None = None):
    page = browser.get(f"{CONSOLE}/leads/{lead_id}").text
    if stamp is None:
        found = re.search(r'name="updated" value="([^"]+)"', page)
        stamp = found.group(1) if found else ""
    body = {"csrf_token": csrf_in(page), "updated": stamp, **data}
    return browser.post(f"{CONSOLE}/leads/{lead_id}/{action}", data=body)


def _new_lead(signed_in) -> str:
    made = _create(signed_in)
    assert made.status_code == 303, main_text(made.text)[:1000]
    return made.headers["location"].split("/leads/")[1].split("?")[0]


def test_the_list_filters_by_status(signed_in, client):
    hot = create_lead(client, new_prospect(client))
    create_lead(
        client,
        new_prospect(client, "Jonas", "Brandt", phone="+49 176 5550199", email="jonas@example.org"),
        status=None,
    )
    response = signed_in.get(f"{CONSOLE}/leads")
    assert response.status_code == 200
    words = main_text(response.text)
    assert "2 leads" in words and "Fibre for Lena" in words and "Fibre for Jonas" in words
    signed_in.get(f"{CONSOLE}/leads?status=qualified")
    assert "0 leads" in main_text(signed_in.get(f"{CONSOLE}/leads?status=qualified").text)
    assert "Fibre for Lena" in main_text(signed_in.get(f"{CONSOLE}/leads?status=acknowledged").text)
    assert hot["status"] == "acknowledged"
    for odd in ("?status=%00", "?status=x" * 50, "?page=-1", "?page=99999999999"):
        assert signed_in.get(f"{CONSOLE}/leads{odd}").status_code in (200, 400)


def test_a_new_lead_is_created_with_its_prospect(signed_in, session):
    before = _counts(session)

    lead_id = _new_lead(signed_in)

    assert _counts(session) == (before[0] + 1, before[1] + 1, before[2])
    words = main_text(signed_in.get(f"{CONSOLE}/leads/{lead_id}?done=create").text)
    assert "The lead is created." in words
    assert "Lena Vogt New Hot" in words
    assert "+49 176 5550101" in words and "Fibre 1000 at home" in words
    assert "Lindenstr. 4, 50674 Köln, DE" in words


def test_wrong_input_is_said_beside_the_field_and_nothing_is_made(signed_in, session):
    before = _counts(session)

    blank = _create(signed_in, givenName=" ", phone="", email="")
    wrong = _create(signed_in, phone="12", email="not-an-email", postCode="", channel="fax")

    assert blank.status_code == wrong.status_code == 422
    assert error_beside(blank.text, "lead-givenName") == "Required."
    assert error_beside(blank.text, "lead-phone").startswith("Give a phone number or an email")
    assert error_beside(wrong.text, "lead-phone") == "Not a phone number that can be used."
    assert error_beside(wrong.text, "lead-email").startswith("Not an email address")
    assert error_beside(wrong.text, "lead-postCode") == "Needed for a postal address."
    assert error_beside(wrong.text, "lead-channel") == "Choose where the lead came from."
    assert 'value="Lena"' in wrong.text  # what was typed is kept
    assert _counts(session) == before


def test_a_likely_duplicate_is_shown_with_its_score_before_forcing(signed_in, client, session):
    known = make_customer(client, "Lena", "Vogt", phone="+49 176 5550101", city="Köln")
    before = _counts(session)

    suspected = _create(signed_in)

    assert suspected.status_code == 422
    words = main_text(suspected.text)
    assert "This looks like someone Parley knows already" in words
    assert "Likely already known Lena Vogt" in words and known["id"] in suspected.text
    assert re.search(r"\d+% match Phone \+491765550101 exact", words)
    assert "None of these: create the lead anyway" in words
    assert _counts(session) == before

    forced = _create(signed_in, force="yes")

    assert forced.status_code == 303
    assert _counts(session)[0] == before[0] + 1
    forced_entries = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create_forced")
    )
    session.rollback()
    assert forced_entries == 1


def test_contact_qualify_and_convert_with_a_duplicate_customer_shown(signed_in, client, session):
    lead_id = _new_lead(signed_in)
    early = _act(signed_in, lead_id, "qualify", {})
    assert early.status_code == 422
    assert "Not ready to be qualified: a verified contact medium" in main_text(early.text)

    silent = _act(
        signed_in,
        lead_id,
        "contact",
        {"direction": "outbound", "channel": "phone", "medium": "+4917655501", "reached": "yes"},
    )
    assert silent.status_code == 422
    assert error_beside(silent.text, "contact-description") == "Say what was said."
    logged = _act(
        signed_in,
        lead_id,
        "contact",
        {
            "direction": "outbound",
            "channel": "phone",
            "medium": "+491765550101",
            "reached": "yes",
            "description": "Called back; wants fibre",
        },
    )
    assert logged.status_code == 303, main_text(logged.text)[:800]
    assert _lead(session, lead_id)[:2] == ("inProgress", ["+491765550101"])
    assert _act(signed_in, lead_id, "qualify", {}).status_code == 303
    assert _lead(session, lead_id)[0] == "qualified"
    # Meanwhile the same person became a customer through another way in.
    make_customer(
        client,
        "Lena",
        "Vogt",
        phone="+49 176 5550101",
        city="Köln",
        email="lena.vogt@example.org",
        force=True,
    )

    missing = _act(signed_in, lead_id, "convert", {"payment_type": "", "payment_reference": ""})
    suspected = _act(
        signed_in,
        lead_id,
        "convert",
        {"payment_type": "BankAccountDebit", "payment_reference": "SEPA-77"},
    )

    assert missing.status_code == suspected.status_code == 422
    assert error_beside(missing.text, "convert-payment_type") == "Choose how they will pay."
    words = main_text(suspected.text)
    assert "Likely already known Lena Vogt" in words and "% match" in words
    assert "None of these: convert anyway" in words
    assert _lead(session, lead_id)[0] == "qualified"

    converted = _act(
        signed_in,
        lead_id,
        "convert",
        {"payment_type": "BankAccountDebit", "payment_reference": "SEPA-77", "force": "yes"},
    )

    assert converted.status_code == 303, main_text(converted.text)[:800]
    status, _, customer_id = _lead(session, lead_id)
    assert status == "converted" and customer_id
    page = main_text(signed_in.get(converted.headers["location"]).text)
    assert "Converted: the prospect is a customer now." in page and "Open the customer" in page
    assert "Work it" not in page


def test_a_stale_form_changes_nothing(signed_in, session):
    lead_id = _new_lead(signed_in)
    stale = _act(signed_in, lead_id, "qualify", {}, stamp="2020-01-01T00:00:00+00:00")
    assert stale.status_code == 422
    assert "Someone else changed this since you opened it" in main_text(stale.text)
    assert _lead(session, lead_id)[0] == "acknowledged"


def test_a_user_without_lead_rights_neither_sees_nor_reaches_them(
    new_browser, users, session, settings
):
    roles = RoleService(UnitOfWork(session, settings, Actor("test-setup", "test")))
    roles.create_role("lookup", ["identify:use", "customer:read"])
    session.commit()
    reader = users.make("lookup", username="rita.lookup")
    browser = new_browser()
    assert sign_in(browser, reader.user.username).status_code == 303
    home = browser.get(f"{CONSOLE}/").text

    assert "/console/leads" not in home
    for path in ("/leads", "/leads/new"):
        assert browser.get(f"{CONSOLE}{path}").status_code == 403
    posted = browser.post(f"{CONSOLE}/leads", data={"csrf_token": csrf_in(home), **PROSPECT})
    assert posted.status_code == 403
