"""Whatever is sent to the 360's and the request page's routes, no page answers 5xx: odd ids,
cursors, dates and form values are a refusal (4xx, said beside the field where there is one)
or ignored, and change nothing."""

import pytest
from sqlalchemy import func, select

from parley.interactions.models import Interaction
from parley.requests.models import CustomerRequest
from tests.requests.helpers import raise_request
from tests.web.conftest import CONSOLE, csrf_in, sign_in
from tests.web.helpers import make_customer

ODD = ["", " ", "x" * 5000, "\u202e\u0000", "😀", "../../etc", "' OR 1=1 --", "%00", "9" * 40]


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


@pytest.mark.parametrize("value", ODD)
def test_odd_timeline_queries_are_never_a_server_error(signed_in, nora, value):
    base = f"{CONSOLE}/customers/{nora['id']}"
    for name in ("cursor", "channel", "direction", "reason", "since", "until", "contact"):
        for path in (base, f"{base}/timeline"):
            for headers in ({}, {"HX-Request": "true"}):
                answer = signed_in.get(path, params={name: value}, headers=headers)
                assert answer.status_code < 500, (path, name, value, answer.status_code)


@pytest.mark.parametrize(
    "dates",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"since": "2026-02-30"},
        {"since": "2026-05-01", "until": "2026-04-01"},
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_refused_or_read(signed_in, nora, dates):
    answer = signed_in.get(f"{CONSOLE}/customers/{nora['id']}/timeline", params=dates)

    assert answer.status_code == 200


@pytest.mark.parametrize("value", ODD)
def test_odd_forms_are_refused_and_change_nothing(signed_in, client, session, nora, value):
    request = raise_request(client, nora, ticketType="contact.change")
    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text
    token = csrf_in(page)
    before = _counts(session)
    in_path = value[:60].replace("\x00", "") or "x"  # (a client sends no NUL in a path)
    posts = {
        f"/customers/{nora['id']}/verification": {"method": value, "answer": value},
        f"/customers/{nora['id']}/notes": {"text": value if value.strip() else ""},
        f"/customers/{nora['id']}/contact-details": {"phoneNumber": value, "city": value},
        # (no channel at all is the phone, the default: an odd one is refused)
        f"/customers/{nora['id']}/interactions": {"channel": value or "pigeon", "direction": "x"},
        f"/customers/{nora['id']}/interactions/{in_path}/wrap-up": {"reason": value},
        f"/requests/{request['id']}/hold": {"version": value, "reason": value},
        f"/requests/{request['id']}/close": {"version": "1", "outcome": value},
        f"/requests/{in_path}/cancel": {"version": "1", "reason": "x"},
    }
    for path, data in posts.items():
        answer = signed_in.post(f"{CONSOLE}{path}", data={"csrf_token": token, **data})
        assert answer.status_code < 500, (path, value, answer.status_code)
    # A note of odd (but printable) text is a note: anything else changed nothing.
    assert _counts(session)[1:] == before[1:]


def _counts(session) -> tuple[int, int, int]:
    from parley.parties.models import CustomerNote

    found = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (CustomerNote, CustomerRequest, Interaction)
    )
    session.rollback()
    return found


def test_a_wrap_up_of_another_customers_contact_is_not_done(signed_in, client, session, nora):
    other = make_customer(client, "Otto", "Brenner", phone="+49 171 3334441", email="o@b.org")
    page = signed_in.get(f"{CONSOLE}/customers/{other['id']}").text
    started = signed_in.post(
        f"{CONSOLE}/customers/{other['id']}/interactions",
        data={"csrf_token": csrf_in(page), "channel": "phone", "direction": "inbound"},
    )
    interaction_id = started.headers["location"].split("contact=")[1].split("#")[0]

    crossed = signed_in.post(
        f"{CONSOLE}/customers/{nora['id']}/interactions/{interaction_id}/wrap-up",
        data={"csrf_token": csrf_in(page), "reason": "complaint", "outcome": "resolved"},
    )

    assert crossed.status_code == 303
    assert crossed.headers["location"] == f"{CONSOLE}/customers/{nora['id']}"
    session.expire_all()
    assert session.get(Interaction, interaction_id).status == "inProgress"
    session.rollback()


@pytest.mark.parametrize("value", ODD)
def test_odd_wrap_up_choices_are_never_a_server_error(signed_in, nora, value):
    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text
    started = signed_in.post(
        f"{CONSOLE}/customers/{nora['id']}/interactions",
        data={"csrf_token": csrf_in(page), "channel": "phone", "direction": "inbound"},
    )
    url = started.headers["location"].replace("?contact=", "/interactions/").split("#")[0]
    params = {
        "reason": value,
        "request_type": value,
        "raise_request": value,
        "priority": value,
        "notes": value,
        "char.billNumber": value,
    }

    answer = signed_in.get(f"{url}/wrap-up", params=params, headers={"HX-Request": "true"})

    if "\x00" in value:  # NUL in a query is refused before any route (api/limits.py)
        assert answer.status_code == 400
    else:
        assert answer.status_code == 200
        assert 'id="wrap-up-choices"' in answer.text


def test_the_choices_of_a_contact_completed_meanwhile_send_htmx_to_the_page(signed_in, nora):
    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text
    token = csrf_in(page)
    started = signed_in.post(
        f"{CONSOLE}/customers/{nora['id']}/interactions",
        data={"csrf_token": token, "channel": "phone", "direction": "inbound"},
    )
    url = started.headers["location"].replace("?contact=", "/interactions/").split("#")[0]
    signed_in.post(
        f"{url}/wrap-up",
        data={"csrf_token": token, "reason": "complaint", "outcome": "resolved"},
    )

    answer = signed_in.get(f"{url}/wrap-up", headers={"HX-Request": "true"})

    assert answer.status_code == 200 and answer.text == ""
    assert "?wrapped=" in answer.headers["hx-redirect"]


@pytest.fixture
def administrator(new_browser, users):
    made = users.make("administrator", username="odd.admin")
    browser = new_browser()
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


@pytest.mark.parametrize("value", ODD)
def test_odd_input_to_the_supervisors_leads_and_administration_pages(
    administrator, client, session, nora, value
):
    """Every form and query of the board, the approval inbox, leads and administration."""
    fault = raise_request(client, nora)
    page = administrator.get(f"{CONSOLE}/admin/users").text
    token = csrf_in(page)
    in_path = value[:60].replace("\x00", "") or "x"
    gets = [
        "/supervisor",
        "/supervisor/approvals",
        "/leads",
        "/leads/new",
        "/admin/users",
        "/admin/request-types",
        "/admin/reasons",
        "/admin/templates",
        "/admin/dead-letters",
    ]
    for path in gets:
        for name in ("queue", "status", "page", "done", "assigned", "decided"):
            answer = administrator.get(f"{CONSOLE}{path}", params={name: value})
            assert answer.status_code < 500, (path, name, value, answer.status_code)
    for path in (
        f"/leads/{in_path}",
        f"/admin/users/{in_path}",
        f"/admin/templates/{in_path}",
        f"/admin/request-types/{in_path}",
    ):
        assert administrator.get(f"{CONSOLE}{path}").status_code < 500, (path, value)
    task = _task_of(session, fault)
    before = _admin_counts(session)
    reason = "fault.report"
    template = _a_template(session)
    posts = {
        f"/supervisor/tasks/{task}/assign": {"assignee": value, "version": value},
        f"/supervisor/tasks/{in_path}/assign": {"assignee": "odd.admin", "version": "1"},
        f"/supervisor/approvals/{in_path}/approve": {"version": value, "note": value},
        "/leads": {
            "givenName": value,
            "familyName": value,
            "phone": value,
            "email": value,
            "channel": value,
            "rating": value,
            "street1": value,
            "interest": value,
        },
        f"/leads/{in_path}/qualify": {"updated": value},
        "/admin/users": {"username": value, "password": value, "role": value},
        f"/admin/users/{in_path}/roles": {"role": value, "updated": value},
        f"/admin/request-types/{in_path}": {"hours_low": value},
        "/admin/reasons": {"code": value, "label": value, "category": value, "policy": value},
        f"/admin/reasons/{reason}": {"label": value, "policy": value, "updated": value},
        f"/admin/templates/{template}/preview": {"body": value, "subject": value, "samples": value},
        f"/admin/templates/{template}": {"body": value, "subject": value, "updated": value},
        f"/admin/dead-letters/{in_path}/retry": {},
    }
    for path, data in posts.items():
        for headers in ({}, {"HX-Request": "true"}):
            answer = administrator.post(
                f"{CONSOLE}{path}", data={"csrf_token": token, **data}, headers=headers
            )
            assert answer.status_code < 500, (path, value, answer.status_code)
    assert _admin_counts(session) == before


def _task_of(session, request: dict) -> str:
    from parley.requests.workflow.models import RequestTask

    found = session.scalars(
        select(RequestTask.id).where(RequestTask.request_id == request["id"])
    ).one()
    session.rollback()
    return found


def _a_template(session) -> str:
    from parley.notifications.models import MessageTemplate

    found = session.scalars(select(MessageTemplate.id).limit(1)).one()
    session.rollback()
    return found


def _admin_counts(session) -> tuple:
    from parley.auth.models import User
    from parley.interactions.models import InteractionReason
    from parley.leads.models import SalesLead
    from parley.requests.workflow.models import RequestTask

    found = (
        *(
            session.scalar(select(func.count()).select_from(model))
            for model in (User, InteractionReason, SalesLead)
        ),
        session.scalar(
            select(func.count())
            .select_from(RequestTask)
            .where(RequestTask.assignee_id.is_not(None))
        ),
    )
    session.rollback()
    return found
