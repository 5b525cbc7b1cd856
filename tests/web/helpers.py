"""Building the customer 360's data for console tests, through the API as a client would."""

import re

from sqlalchemy import func, select

from parley.changes.models import AuditEntry
from parley.requests.models import CustomerRequest
from tests.factories import create_person_customer
from tests.interactions.helpers import log_interaction
from tests.web.conftest import CONSOLE, csrf_in

PIN = "4711"


def make_customer(client, given="Nora", family="Keller", **options) -> dict:
    details = {"city": "Kiel", "phone": "+49 171 3334440", "email": "nora@example.org"}
    return create_person_customer(client, given, family, **{**details, **options})


def secure(client, customer: dict, pin: str = PIN) -> None:
    questions = [{"question": "Name of your first pet?", "answer": "Bello"}]
    response = client.put(
        f"/api/v1/customers/{customer['id']}/security", json={"pin": pin, "questions": questions}
    )
    assert response.status_code == 200, response.text


def history(client, customer: dict, count: int, **overrides) -> list[dict]:
    """``count`` completed interactions, a minute apart, the newest last."""
    made = []
    for n in range(count):
        start = f"2026-01-{1 + n // 60:02d}T{(n // 60) % 24:02d}:{n % 60:02d}:00Z"
        made.append(
            log_interaction(
                client,
                customer,
                status="completed",
                description=f"Contact number {n + 1}",
                interactionDate={"startDateTime": start, "endDateTime": start},
                **overrides,
            )
        )
    return made


def page_of(browser, customer: dict, query: str = "") -> str:
    response = browser.get(f"{CONSOLE}/customers/{customer['id']}{query}")
    assert response.status_code == 200, response.text[:2000]
    return response.text


def post_on(browser, customer: dict, path: str, data: dict, page: str | None = None):
    """Send a form of the customer's page (its CSRF token included), as a person would."""
    token = csrf_in(browser.get(f"{CONSOLE}{page or '/customers/' + customer['id']}").text)
    return browser.post(f"{CONSOLE}{path}", data={"csrf_token": token, **data})


def error_beside(html: str, field_id: str) -> str:
    """The message said beside the field ``field_id`` (and tied to it)."""
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="field-error">([^<]*)</p>', html)
    assert found, f"no message beside {field_id}"
    field = re.search(rf'id="{re.escape(field_id)}"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0), f"{field_id} not marked invalid"
    assert f"{field_id}-error" in field.group(0), f"{field_id} not described by its message"
    return found.group(1)


def counts(session) -> tuple[int, int]:
    """Requests and audit entries (ends the read)."""
    found = (
        session.scalar(select(func.count()).select_from(CustomerRequest)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )
    session.rollback()
    return found
