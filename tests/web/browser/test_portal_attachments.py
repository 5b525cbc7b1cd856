"""Files on the portal in a real browser on a phone-sized screen: the demo customer sends a
photo to an open request of theirs and downloads it back; a file that is not what its name
says is refused beside the field; one too large is said before it is sent; German too; and
another customer's file is not found by URL. Each page is checked with axe-core and
photographed (portal-attachment*.png)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.auth.models import User
from parley.changes import UnitOfWork
from parley.demo.users import DEMO_PASSWORD
from parley.parties.models import Customer
from parley.requests.attachments import Upload
from parley.requests.models import RequestAttachment
from parley.requests.service import RequestService
from tests.requests.files import JPEG, PDF
from tests.web.browser.conftest import check_accessible, look

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _demo_customer(engine) -> tuple[str, str]:
    with sessionmaker(bind=engine)() as session:
        username, customer_id = session.execute(
            select(User.username, User.customer_id).where(User.username.like("customer-%"))
        ).one()
    return username, customer_id


def _fault(demo, customer_id: str, attach: bytes | None = None) -> tuple[str, str | None]:
    """A fault of the customer's, raised by them (and a file on it); their ids."""
    with sessionmaker(bind=demo.engine)() as session:
        actor = Actor("customer", "web", customer_id=customer_id, self_service=True)
        requests = RequestService(UnitOfWork(session, demo.settings, actor))
        row = requests.create(
            {
                "@type": "TroubleTicket",
                "ticketType": "fault.repair",
                "description": "The router's lights blink red",
                "relatedParty": [
                    {"role": "customer",
                     "partyOrPartyRole": {"id": customer_id, "@referredType": "Customer"}}
                ],
            }
        )  # fmt: skip
        added = requests.add_attachment(row.id, Upload("theirs.pdf", attach)) if attach else None
        session.commit()
        return row.id, added.id if added else None


def _sign_in(page, demo, username: str) -> None:
    page.goto(f"{demo.base_url}/portal/sign-in")
    page.keyboard.type(username)  # the field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.base_url}/portal/")


def _stored(engine, request_id: str) -> int:
    with sessionmaker(bind=engine)() as session:
        owned = RequestAttachment.request_id == request_id
        return session.scalar(select(func.count()).select_from(RequestAttachment).where(owned))


def test_a_customer_sends_a_photo_and_downloads_it(new_page, demo, migrated_engine):
    username, customer_id = _demo_customer(migrated_engine)
    request_id, _ = _fault(demo, customer_id)
    page = new_page(**PHONE)
    _sign_in(page, demo, username)
    page.goto(f"{demo.base_url}/portal/requests/{request_id}")
    look(page, "portal-attachment-empty")

    picker = page.get_by_label("Send us a file")
    picker.set_input_files({"name": "router.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    page.get_by_role("button", name="Send the file").click()

    expect(page).to_have_url(re.compile(r"\?done=attachment$"))
    expect(page.get_by_role("status")).to_have_text("Your file was added.")
    link = page.get_by_role("link", name="router.jpg")
    expect(link).to_be_visible()
    expect(page.locator(".attachments")).to_contain_text("JPEG")
    look(page, "portal-attachment")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "router.jpg"
    assert Path(download.path()).read_bytes() == JPEG

    # Not what its name says: refused beside the field, nothing kept.
    picker.set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 a program"}
    )
    page.get_by_role("button", name="Send the file").click()
    error = page.locator("#attachment-file-error")
    expect(error).to_have_text(re.compile(r"^Only these kinds of file can be sent: PDF, PNG"))
    expect(picker).to_have_attribute("aria-invalid", "true")
    assert _stored(migrated_engine, request_id) == 1
    look(page, "portal-attachment-refused")

    # Larger than a file may be: said at once, not sent.
    picker.set_input_files(
        {"name": "video.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"\x00" * 5_300_000}
    )
    expect(error).to_have_text("This file is larger than 5 MB. Please send a smaller one.")
    page.get_by_role("button", name="Send the file").click()
    expect(picker).to_be_focused()
    assert _stored(migrated_engine, request_id) == 1
    check_accessible(page, "portal-attachment-too-large")


def test_in_german_and_never_another_customers_file(new_page, demo, migrated_engine):
    username, customer_id = _demo_customer(migrated_engine)
    mine, _ = _fault(demo, customer_id)
    with sessionmaker(bind=migrated_engine)() as session:
        someone = session.scalars(
            select(Customer.id).where(Customer.id != customer_id).order_by(Customer.id).limit(1)
        ).one()
    theirs, their_file = _fault(demo, someone, attach=PDF)
    page = new_page(locale="de-DE", **PHONE)
    _sign_in(page, demo, username)
    page.goto(f"{demo.base_url}/portal/requests/{mine}")

    expect(page.get_by_role("heading", name="Dateien")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(
        ["Start", "Anliegen", "Angebote", "Nachrichten", "Konten", "Profil"]
    )
    page.get_by_label("Senden Sie uns eine Datei").set_input_files(
        {"name": "Zählerstand.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Datei senden").click()
    expect(page.get_by_role("status")).to_have_text("Ihre Datei wurde hinzugefügt.")
    expect(page.get_by_role("link", name="Zählerstand.pdf")).to_be_visible()
    look(page, "portal-attachment-de")

    for path in (f"/requests/{theirs}/attachments/{their_file}",
                 f"/requests/{mine}/attachments/{their_file}"):  # fmt: skip
        answer = page.goto(f"{demo.base_url}/portal{path}")
        assert answer is not None and answer.status == 404, path
    check_accessible(page, "portal-attachment-not-found")
