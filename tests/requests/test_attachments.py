"""Attachments through the API: a customer's log-in attaches a file to its own open request
(TMF621 Attachment, base64) and reads it back; the ticket lists it as an AttachmentRef whose
url downloads it; what is empty, too large, not base64 or of another kind (whatever it is
declared to be) is a 400 and nothing is kept; another customer's request and file are not
found by any id; a ticket raised with files keeps them, a PATCH cannot change them; the
store keeps one copy per content and never serves a damaged file."""

import base64
from pathlib import Path

import pytest
from sqlalchemy import func, select

from parley.requests.files import FileStore, safe_name, sniff
from parley.requests.models import RequestAttachment
from tests.auth.helpers import bearer, login, make_customer, make_user
from tests.factories import assert_tmf_error
from tests.requests.files import JPEG, PDF, PNG, TEXT
from tests.requests.helpers import TICKETS, patch, raise_request, ticket_payload

ATTACHMENTS = "/api/v1/attachments"


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def _customer(client, session, settings):
    """A customer, its log-in's headers, and one open fault of its own."""
    customer = make_customer(session, settings)
    user = make_user(session, settings, "customer", kind="customer", customer_id=customer.id)
    headers = bearer(login(client, user.user.username)["access_token"])
    raised = client.post(
        TICKETS,
        json=ticket_payload({"id": customer.id}, ticketType="fault.repair"),
        headers=headers,
    )
    assert raised.status_code == 201, raised.text
    return customer, headers, raised.json()


def _attach(client, ticket: dict, headers: dict | None = None, **body):
    body = {"name": "photo.png", "content": _b64(PNG), **body}
    return client.post(f"/api/v1/requests/{ticket['id']}/attachments", json=body, **_h(headers))


def _h(headers):
    return {"headers": headers} if headers else {}


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(RequestAttachment))


def test_a_customer_attaches_a_file_and_reads_it_back(client, session, settings):
    _, headers, ticket = _customer(client, session, settings)

    added = _attach(
        client, ticket, headers, name="lights.jpeg", content=_b64(JPEG), mimeType="text/html",
        attachmentType="photo", description="The router's lights",
    )  # fmt: skip

    assert added.status_code == 201, added.text
    shown = added.json()
    assert shown["@type"] == "Attachment" and shown["mimeType"] == "image/jpeg"  # not text/html
    assert shown["size"] == {"amount": len(JPEG), "units": "bytes"}
    assert shown["attachmentType"] == "photo" and shown["name"] == "lights.jpeg"
    assert shown["href"] == f"http://testserver{ATTACHMENTS}/{shown['id']}"
    assert shown["url"] == shown["href"] + "/content"
    assert added.headers["location"] == shown["href"]
    listed = client.get(f"{TICKETS}/{ticket['id']}", headers=headers).json()["attachment"]
    assert listed == [
        {
            "@type": "AttachmentRef",
            "@referredType": "Attachment",
            "id": shown["id"],
            "href": shown["href"],
            "name": "lights.jpeg",
            "description": "The router's lights",
            "url": shown["url"],
        }
    ]
    got = client.get(shown["url"], headers=headers)
    assert got.status_code == 200 and got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(shown["href"], headers=headers).json() == shown


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"content": ""}, "content"),
        ({"content": "not base64!"}, "not base64"),
        ({"content": _b64(b"\x7fELF\x02\x01\x01 a program"), "mimeType": "image/png"}, "only"),
        ({"content": _b64(b"<svg onload=alert(1)>\x00")}, "only"),
        ({"content": _b64(PNG + b"\x00" * 4096)}, "at most 4096 bytes"),
    ],
)
def test_bad_files_are_400_and_nothing_is_kept(client, session, settings, body, says):
    settings.attachment_max_bytes = 4096
    _, headers, ticket = _customer(client, session, settings)

    refused = _attach(client, ticket, headers, **body)

    assert_tmf_error(refused, 400)
    assert says in refused.json()["message"]
    assert _count(session) == 0


def test_another_customers_request_and_file_are_not_found(client, session, settings):
    _, mine, my_ticket = _customer(client, session, settings)
    _, theirs, their_ticket = _customer(client, session, settings)
    their_file = _attach(client, their_ticket, theirs).json()

    assert _attach(client, their_ticket, mine).status_code == 404
    for path in (their_file["href"], their_file["url"]):
        answer = client.get(path, headers=mine)
        assert answer.status_code == 404 and answer.content != PNG
    assert client.get(f"{ATTACHMENTS}/nope/content", headers=mine).status_code == 404
    assert _attach(client, my_ticket, mine).status_code == 201
    assert _count(session) == 2


def test_a_closed_request_takes_no_file(client, session, settings):
    _, headers, ticket = _customer(client, session, settings)
    cancel = {"reason": "Works again"}
    cancelled = client.post(f"/api/v1/requests/{ticket['id']}/cancel", json=cancel, headers=headers)
    assert cancelled.status_code == 200

    assert_tmf_error(_attach(client, ticket, headers), 409)
    assert _count(session) == 0


def test_a_ticket_raised_with_files_keeps_them_and_a_patch_cannot_change_them(
    client, session, settings
):
    nora = {"id": make_customer(session, settings).id}
    files = [
        # base64 longer than a TMF text may be (10,000 characters): a file, not a text
        {"@type": "Attachment", "name": "bill.pdf", "content": _b64(PDF + b"%" * 9000),
         "mimeType": "x/y", "attachmentType": "billCopy"},
        {"@type": "Attachment", "name": "notes.txt", "content": _b64(TEXT),
         "mimeType": "text/plain", "attachmentType": "customerNotes"},
    ]  # fmt: skip

    ticket = raise_request(client, nora, attachment=files)

    assert [a["name"] for a in ticket["attachment"]] == ["bill.pdf", "notes.txt"]
    assert all("content" not in a for a in ticket["attachment"])
    kinds = session.scalars(select(RequestAttachment.media_type).order_by("name")).all()
    assert kinds == ["application/pdf", "text/plain"]
    assert patch(client, ticket, {"description": "More detail"}).status_code == 200
    again = patch(client, ticket, {"attachment": ticket["attachment"]})  # as served: unchanged
    assert again.status_code == 200, again.text
    for changed in ([], [*ticket["attachment"], files[0]], ticket["attachment"][:1]):
        assert_tmf_error(patch(client, ticket, {"attachment": changed}), 400)
    assert _count(session) == 2
    bad = client.post(TICKETS, json=ticket_payload(nora, attachment=[{"url": "http://x/y"}]))
    assert_tmf_error(bad, 400)


def test_the_store_keeps_one_copy_and_never_serves_a_damaged_file(tmp_path: Path):
    store = FileStore(tmp_path)

    first, second = store.keep(PNG), store.keep(PNG)

    assert first == second and store.read(first) == PNG
    kept = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert kept == [tmp_path / first[:2] / first[2:4] / first]  # no temporary file left
    kept[0].write_bytes(PNG[:-1] + b"\x00")
    with pytest.raises(Exception, match=first):
        store.read(first)


def test_a_damaged_file_is_not_found_through_the_api(client, session, settings):
    _, headers, ticket = _customer(client, session, settings)
    shown = _attach(client, ticket, headers, content=_b64(TEXT)).json()
    row = session.get(RequestAttachment, shown["id"])
    FileStore(settings.attachment_dir).path(row.sha256).write_bytes(b"changed on disk")

    assert client.get(shown["url"], headers=headers).status_code == 404


def test_types_are_read_from_the_first_bytes_and_names_made_safe():
    assert [sniff(x) for x in (PDF, PNG, JPEG, TEXT)] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/plain",
    ]
    assert (
        sniff(b"GIF89a\x01\x00\x01\x00\x80\x00\x00") is None and sniff(b"plain\x1b[31m red") is None
    )
    assert safe_name("../../etc/passwd", "text/plain") == "passwd.txt"
    assert safe_name('C:\\Users\\a"b;c.PNG', "image/png") == "a_b_c.PNG"
    assert safe_name("", "application/pdf") == "attachment.pdf"
    assert len(safe_name("x" * 500 + ".jpg", "image/jpeg")) == 200


def test_a_body_as_large_as_a_file_may_be_reaches_the_attachments_route_only(
    client, session, settings
):
    settings.max_body_bytes, settings.attachment_max_bytes = 4096, 8192
    _, headers, ticket = _customer(client, session, settings)
    big = PNG + b"\x00" * 6000  # 8 KB of base64: over the body limit, within a file's

    assert _attach(client, ticket, headers, content=_b64(big)).status_code == 201
    elsewhere = client.post(
        f"/api/v1/requests/{ticket['id']}/cancel", json={"reason": "x" * 9000}, headers=headers
    )
    assert_tmf_error(elsewhere, 413)
