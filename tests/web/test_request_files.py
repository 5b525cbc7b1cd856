"""Files on a request's console page: an agent adds one and downloads it; a file of another
kind is said beside the field and nothing is kept; a role that may only read requests sees
the files but no form, and a forged upload is refused; a file id of another request is not
found under this one."""

import base64

from sqlalchemy import func, select

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.interactions.models import Interaction
from parley.requests.models import RequestAttachment
from tests.requests.files import PDF, PNG
from tests.requests.helpers import raise_request
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside, make_customer


def _send(browser, request: dict, name: str, content: bytes):
    token = csrf_in(browser.get(f"{CONSOLE}/requests/{request['id']}").text)
    return browser.post(
        f"{CONSOLE}/requests/{request['id']}/attachment",
        data={"csrf_token": token},
        files={"file": (name, content, "application/pdf")},
    )


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(RequestAttachment))


def test_an_agent_adds_a_file_and_downloads_it(signed_in, client, session):
    request = raise_request(client, make_customer(client))

    sent = _send(signed_in, request, "Rechnung März.pdf", PDF)

    assert sent.status_code == 303
    page = main_text(signed_in.get(sent.headers["location"]).text)
    assert "File added." in page and "Rechnung März.pdf PDF" in page and "kim.agent" in page
    row = session.scalars(select(RequestAttachment)).one()
    got = signed_in.get(f"{CONSOLE}/requests/{request['id']}/attachments/{row.id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf"
    )
    assert got.headers["x-content-type-options"] == "nosniff"
    # An agent's file is no contact of the customer's (a customer's own is: tests/web/portal).
    made = session.scalars(select(Interaction.description)).all()
    assert not any(d and d.startswith("Attachment on request") for d in made)


def test_a_file_of_another_kind_is_said_beside_the_field(signed_in, client, session):
    request = raise_request(client, make_customer(client))

    refused = _send(signed_in, request, "invoice.pdf", b"MZ\x90\x00\x03 not a PDF at all")

    assert refused.status_code == 422
    assert error_beside(refused.text, "attachment-file").startswith("Only these kinds of file")
    assert _count(session) == 0


def test_a_reader_sees_the_files_but_may_not_add_one(browser, users, client, session, settings):
    request = raise_request(client, make_customer(client))
    assert (
        client.post(
            f"/api/v1/requests/{request['id']}/attachments",
            json={"name": "photo.png", "content": _b64(PNG)},
        ).status_code
        == 201
    )
    RoleService(UnitOfWork(session, settings, Actor("test-admin", "test"))).create_role(
        "watcher", ["customer:read", "request:read"]
    )
    users.commit()
    sign_in(browser, users.make("watcher").user.username)

    page = browser.get(f"{CONSOLE}/requests/{request['id']}").text
    assert "photo.png" in main_text(page) and 'type="file"' not in page
    forged = browser.post(
        f"{CONSOLE}/requests/{request['id']}/attachment",
        data={"csrf_token": csrf_in(page)},
        files={"file": ("x.png", PNG, "image/png")},
    )

    assert forged.status_code == 403 and _count(session) == 1


def test_a_file_is_found_under_its_own_request_only(signed_in, client, session):
    nora = make_customer(client)
    first, second = raise_request(client, nora), raise_request(client, nora)
    assert _send(signed_in, first, "a.pdf", PDF).status_code == 303
    row = session.scalars(select(RequestAttachment)).one()

    elsewhere = signed_in.get(f"{CONSOLE}/requests/{second['id']}/attachments/{row.id}")

    assert elsewhere.status_code == 404
    assert signed_in.get(f"{CONSOLE}/requests/{first['id']}/attachments/nope").status_code == 404


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()
