"""Files on the portal: a customer sends one to an open request of theirs, finds it listed and
downloads it back as sent; what is too large, empty or of another kind (whatever its name
says) is said beside the field and nothing is kept; another customer's file is never found,
whatever URL or id is tried; sending one is the customer's web interaction."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from parley.interactions.models import Interaction
from parley.requests.models import RequestAttachment
from tests.requests.files import JPEG, PDF, PNG, TEXT
from tests.web.conftest import csrf_in, main_text
from tests.web.portal.helpers import PORTAL, portal_customer, post_form, register


@pytest.fixture
def signed_in(client, browser, session):
    register(browser, session, portal_customer(client))
    return browser


def _raise_fault(browser) -> str:
    form = {"type": "fault.repair", "description": "The router's lights blink red"}
    raised = post_form(browser, "/requests/new", form, "/requests/new")
    assert raised.status_code == 303, main_text(raised.text)
    return raised.headers["location"].split("/requests/")[1].split("?")[0]


def _send(browser, request_id: str, name: str, content: bytes, kind="application/octet-stream"):
    token = csrf_in(browser.get(f"{PORTAL}/requests/{request_id}").text)
    return browser.post(
        f"{PORTAL}/requests/{request_id}/attachment",
        data={"csrf_token": token},
        files={"file": (name, content, kind)},
    )


def _stored(settings) -> set[Path]:
    return {p for p in Path(settings.attachment_dir).rglob("*") if p.is_file()}


def _kept(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(RequestAttachment))


def test_a_customer_sends_a_photo_and_downloads_it_back(signed_in, session):
    request_id = _raise_fault(signed_in)

    sent = _send(signed_in, request_id, "router lights.jpg", JPEG, "image/jpeg")

    assert sent.status_code == 303
    page = signed_in.get(sent.headers["location"])
    assert "Your file was added." in main_text(page.text)
    assert "router lights.jpg" in main_text(page.text) and "JPEG" in main_text(page.text)
    row = session.scalars(select(RequestAttachment)).one()
    got = signed_in.get(f"{PORTAL}/requests/{request_id}/attachments/{row.id}")
    assert got.status_code == 200 and got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"].startswith('attachment; filename="router lights.jpg"')
    assert got.headers["x-content-type-options"] == "nosniff"
    contacts = session.scalars(
        select(Interaction.description).where(Interaction.channel == "web")
    ).all()
    assert any(d.startswith("Attachment on request") and "router lights.jpg" in d for d in contacts)


def test_the_type_is_read_from_the_content_not_the_name(signed_in, session):
    request_id = _raise_fault(signed_in)

    sent = _send(signed_in, request_id, "bill.html", PDF, "text/html")

    assert sent.status_code == 303
    row = session.scalars(select(RequestAttachment)).one()
    assert (row.media_type, row.name) == ("application/pdf", "bill.html.pdf")


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("script.pdf", b"<script>alert(1)</script>\x00\x01", "Only these kinds of file"),
        ("nothing.txt", b"", "This file is empty."),
        ("huge.png", PNG + b"\x00" * 2048, "This file is larger than 2 KB"),
    ],
)
def test_a_refused_file_is_said_beside_the_field_and_nothing_is_kept(
    signed_in, session, settings, name, content, said
):
    settings.attachment_max_bytes = 2048
    request_id = _raise_fault(signed_in)
    files_before = _stored(settings)

    refused = _send(signed_in, request_id, name, content)

    assert refused.status_code == 422
    assert said in main_text(refused.text)
    assert 'aria-invalid="true"' in refused.text
    assert _kept(session) == 0 and _stored(settings) == files_before


def test_a_closed_request_takes_no_file(signed_in, session):
    request_id = _raise_fault(signed_in)
    cancelled = post_form(
        signed_in, f"/requests/{request_id}/cancel", {"text": "Works again"}, "/requests"
    )
    assert cancelled.status_code == 303
    assert 'type="file"' not in signed_in.get(f"{PORTAL}/requests/{request_id}").text

    refused = _send(signed_in, request_id, "late.txt", TEXT)

    assert refused.status_code == 422 and _kept(session) == 0


def test_another_customers_file_is_never_found(client, signed_in, new_browser, session):
    request_id = _raise_fault(signed_in)
    assert _send(signed_in, request_id, "mine.png", PNG).status_code == 303
    mine = session.scalars(select(RequestAttachment)).one()
    other = new_browser()
    other_customer = portal_customer(client, "Otto", "Brandt", phone="+49 171 5556667",
                                     email="otto@example.org")  # fmt: skip
    register(other, session, other_customer, "+49 171 5556667")
    own_request = _raise_fault(other)

    tries = [
        f"/requests/{request_id}/attachments/{mine.id}",  # her request, her file
        f"/requests/{own_request}/attachments/{mine.id}",  # his request, her file's id
    ]
    for path in tries:
        answer = other.get(f"{PORTAL}{path}")
        assert answer.status_code == 404, path
        assert answer.content != PNG
    assert _send(other, request_id, "into-hers.txt", TEXT).status_code == 404
    assert _kept(session) == 1
