"""Who may call what: every route of the application against every built-in role.

The routes are enumerated from the app, so a new route fails here until it declares its access
and is given its row in EXPECTED.
"""

import re
import uuid

import pytest

from parley.api.security import route_access, undeclared_routes
from parley.api.tmf.account.routes import UNSERVED as UNSERVED_ACCOUNTS
from parley.api.tmf.product_catalog.routes import UNSERVED as UNSERVED_CATALOGUE
from parley.auth.permissions import BUILTIN_ROLE_NAMES
from tests.auth.helpers import bearer, login, make_customer, make_user

STAFF = {"agent", "supervisor", "administrator"}
EVERYONE = STAFF | {"integration", "customer"}
SYSTEMS_AND_STAFF = STAFF | {"integration"}
SELF_SERVICE = STAFF | {"customer"}
# TMF632 and TMF629 in v5 and v4 (the same parties and customers: the same rights).
PARTIES = ("/tmf-api/partyManagement/v5", "/tmf-api/partyManagement/v4")
CUSTOMERS = ("/tmf-api/customerManagement/v5", "/tmf-api/customerManagement/v4")
V1 = "/api/v1/customers/{customer_id}"
TMF672 = "/tmf-api/userRolesAndPermissions/v4"
INTERACTIONS = ("/tmf-api/partyInteractionManagement/v5", "/tmf-api/partyInteraction/v4")
REASONS = "/api/v1/interaction-reasons"
TEMPLATES = "/api/v1/message-templates"
MESSAGES = "/tmf-api/communicationManagement/v4/communicationMessage"
BILLING_ACCOUNT = "/tmf-api/accountManagement/v5/billingAccount"
SALES_LEAD = "/tmf-api/salesManagement/v4/salesLead"
UNSERVED = {
    (method, f"/tmf-api/accountManagement/v5/{collection}{suffix}")
    for collection in UNSERVED_ACCOUNTS
    for method, suffix in (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PATCH", "/{id}"))
} | {
    ("DELETE", f"/tmf-api/accountManagement/v5/{collection}/{{id}}")
    for collection in UNSERVED_ACCOUNTS
}
PRODUCT_CATALOG = "/tmf-api/productCatalogManagement/v5"
OFFERING = f"{PRODUCT_CATALOG}/productOffering"
UNSERVED_OFFERS = {
    (method, f"{PRODUCT_CATALOG}/{collection}{suffix}")
    for collection in UNSERVED_CATALOGUE
    for method, suffix in (
        ("GET", ""),
        ("POST", ""),
        ("GET", "/{id}"),
        ("PATCH", "/{id}"),
        ("DELETE", "/{id}"),
    )
}
EVENTS = "/tmf-api/event/v4"
# TMF688's topics are not served (501) to those who may read events.
UNSERVED_TOPICS = {
    (method, f"{EVENTS}/topic{suffix}")
    for method, suffix in (
        ("GET", ""),
        ("POST", ""),
        ("GET", "/{id}"),
        ("PATCH", "/{id}"),
        ("DELETE", "/{id}"),
    )
}
LEAD_V1 = "/api/v1/sales-leads/{lead_id}"
TROUBLE_TICKET = "/tmf-api/troubleTicket/v5"
REQUEST_V1 = "/api/v1/requests/{request_id}"
PROFILES = "/api/v1/message-profiles"
# Every TMF API's hub, with who may subscribe: event:subscribe and the API's read permission.
HUBS = {
    **dict.fromkeys(PARTIES, {"administrator", "integration"}),
    **dict.fromkeys(CUSTOMERS, {"administrator", "integration"}),
    INTERACTIONS[0]: {"administrator", "integration"},
    INTERACTIONS[1]: {"administrator", "integration"},
    TMF672: {"administrator"},
    "/tmf-api/salesManagement/v4": {"administrator", "integration"},
    "/tmf-api/accountManagement/v5": {"administrator", "integration"},
    "/tmf-api/communicationManagement/v4": {"administrator", "integration"},
    "/tmf-api/troubleTicket/v5": {"administrator", "integration"},
    PRODUCT_CATALOG: {"administrator", "integration"},
    EVENTS: {"administrator", "integration"},
}

# (method, path) -> roles allowed; routes needing no token are listed in PUBLIC.
EXPECTED: dict[tuple[str, str], set[str]] = {
    **{
        (method, f"{api}/{collection}{suffix}"): allowed
        for api, collections in (
            *((party, ("individual", "organization")) for party in PARTIES),
            *((customer, ("customer",)) for customer in CUSTOMERS),
        )
        for collection in collections
        for method, suffix, allowed in (
            ("GET", "", EVERYONE),
            ("POST", "", SYSTEMS_AND_STAFF),
            ("GET", "/{id}", EVERYONE),
            ("PATCH", "/{id}", SYSTEMS_AND_STAFF),
            ("DELETE", "/{id}", SYSTEMS_AND_STAFF),
        )
    },
    ("GET", "/api/v1/identify"): SYSTEMS_AND_STAFF,
    ("GET", f"{V1}/notes"): STAFF,
    ("POST", f"{V1}/notes"): STAFF,
    ("GET", f"{V1}/security"): SELF_SERVICE,
    ("PUT", f"{V1}/security"): SELF_SERVICE,
    ("GET", f"{V1}/verification"): STAFF,
    ("POST", f"{V1}/verification"): STAFF,
    **{
        (method, f"{api}/partyInteraction{suffix}"): allowed
        for api in INTERACTIONS
        for method, suffix, allowed in (
            ("GET", "", EVERYONE),
            ("POST", "", SYSTEMS_AND_STAFF),
            ("GET", "/{id}", EVERYONE),
            ("PATCH", "/{id}", SYSTEMS_AND_STAFF),
            ("DELETE", "/{id}", {"administrator"}),
        )
    },
    ("GET", f"{V1}/interactions"): EVERYONE,
    ("POST", "/api/v1/interactions/{interaction_id}/summary"): SYSTEMS_AND_STAFF,
    ("GET", REASONS): EVERYONE,
    ("POST", REASONS): {"administrator"},
    ("PATCH", f"{REASONS}/{{code}}"): {"administrator"},
    ("GET", MESSAGES): EVERYONE,  # a customer: the messages sent to it
    ("POST", MESSAGES): SYSTEMS_AND_STAFF,
    ("GET", f"{MESSAGES}/{{id}}"): EVERYONE,
    ("PATCH", f"{MESSAGES}/{{id}}"): SYSTEMS_AND_STAFF,
    ("DELETE", f"{MESSAGES}/{{id}}"): SYSTEMS_AND_STAFF,
    ("GET", TEMPLATES): STAFF,
    ("POST", TEMPLATES): {"administrator"},
    ("GET", f"{TEMPLATES}/{{template_id}}"): STAFF,
    ("PATCH", f"{TEMPLATES}/{{template_id}}"): {"administrator"},
    ("POST", f"{TEMPLATES}/{{template_id}}/preview"): STAFF,
    ("POST", f"{TEMPLATES}/preview"): STAFF,
    ("GET", f"{V1}/preferences"): SELF_SERVICE,
    ("PUT", f"{V1}/preferences"): SELF_SERVICE,
    ("GET", BILLING_ACCOUNT): EVERYONE,
    ("POST", BILLING_ACCOUNT): EVERYONE,
    ("GET", f"{BILLING_ACCOUNT}/{{id}}"): EVERYONE,
    ("PATCH", f"{BILLING_ACCOUNT}/{{id}}"): EVERYONE,
    ("DELETE", f"{BILLING_ACCOUNT}/{{id}}"): EVERYONE,
    # TMF666's other collections answer 501 to whoever may read accounts (kit/unserved.py).
    **{operation: EVERYONE for operation in UNSERVED},
    # TMF620: a customer reads its segment's offerings; administrators manage them.
    ("GET", OFFERING): EVERYONE,
    ("POST", OFFERING): {"administrator"},
    ("GET", f"{OFFERING}/{{id}}"): EVERYONE,
    ("PATCH", f"{OFFERING}/{{id}}"): {"administrator"},
    ("DELETE", f"{OFFERING}/{{id}}"): {"administrator"},
    **{operation: EVERYONE for operation in UNSERVED_OFFERS},
    **{operation: {"administrator", "integration"} for operation in UNSERVED_TOPICS},
    ("GET", f"{EVENTS}/event"): {"administrator", "integration"},
    ("GET", f"{EVENTS}/event/{{id}}"): {"administrator", "integration"},
    ("GET", SALES_LEAD): SYSTEMS_AND_STAFF,
    ("POST", SALES_LEAD): SYSTEMS_AND_STAFF,
    ("GET", f"{SALES_LEAD}/{{id}}"): SYSTEMS_AND_STAFF,
    ("PATCH", f"{SALES_LEAD}/{{id}}"): SYSTEMS_AND_STAFF,
    ("DELETE", f"{SALES_LEAD}/{{id}}"): SYSTEMS_AND_STAFF,
    ("GET", f"{LEAD_V1}/contacts"): SYSTEMS_AND_STAFF,
    ("POST", f"{LEAD_V1}/contacts"): SYSTEMS_AND_STAFF,
    ("GET", f"{LEAD_V1}/duplicates"): SYSTEMS_AND_STAFF,
    ("POST", f"{LEAD_V1}/conversion"): SYSTEMS_AND_STAFF,
    **{
        (method, f"{TROUBLE_TICKET}/troubleTicketSpecification{suffix}"): allowed
        for method, suffix, allowed in (
            ("GET", "", EVERYONE),
            ("POST", "", {"administrator"}),
            ("GET", "/{id}", EVERYONE),
            ("PATCH", "/{id}", {"administrator"}),
            ("DELETE", "/{id}", {"administrator"}),
        )
    },
    **{
        (method, f"{TROUBLE_TICKET}/troubleTicket{suffix}"): allowed
        for method, suffix, allowed in (
            ("GET", "", EVERYONE),
            ("POST", "", EVERYONE),  # a customer: the self-service types, for itself
            ("GET", "/{id}", EVERYONE),
            ("PATCH", "/{id}", SYSTEMS_AND_STAFF),
            ("DELETE", "/{id}", {"administrator"}),
        )
    },
    ("GET", f"{REQUEST_V1}/status"): EVERYONE,
    ("POST", f"{REQUEST_V1}/cancel"): SELF_SERVICE,
    ("POST", f"{REQUEST_V1}/close"): SYSTEMS_AND_STAFF,
    ("POST", f"{REQUEST_V1}/reopen"): SYSTEMS_AND_STAFF,
    ("POST", f"{REQUEST_V1}/events"): SYSTEMS_AND_STAFF,
    # Files: staff work requests, a customer adds to (and reads) its own.
    ("POST", f"{REQUEST_V1}/attachments"): EVERYONE,
    ("GET", "/api/v1/attachments/{attachment_id}"): EVERYONE,
    ("GET", "/api/v1/attachments/{attachment_id}/content"): EVERYONE,
    # Satisfaction surveys: whoever reads the request (a customer: its own).
    ("GET", f"{REQUEST_V1}/survey"): EVERYONE,
    ("GET", f"{V1}/surveys"): EVERYONE,
    ("GET", "/api/v1/tasks"): STAFF,
    ("GET", "/api/v1/tasks/{task_id}"): STAFF,
    ("POST", "/api/v1/tasks/{task_id}/claim"): STAFF,
    ("POST", "/api/v1/tasks/{task_id}/complete"): STAFF,
    ("POST", "/api/v1/tasks/{task_id}/handBack"): STAFF,
    ("POST", "/api/v1/tasks/{task_id}/assign"): {"supervisor", "administrator"},
    ("POST", "/api/v1/calls"): {"integration", "administrator"},
    # The ordering and billing systems' acknowledgements (or their signatures: tests/requests).
    **{
        ("POST", f"/tmf-api/productOrderingManagement/v5/listener/{event}"): {
            "integration",
            "administrator",
        }
        for event in ("productOrderStateChangeEvent", "productOrderAttributeValueChangeEvent")
    },
    ("POST", "/api/v1/billing/acknowledgements"): {"integration", "administrator"},
    ("GET", f"{V1}/products"): EVERYONE,
    ("GET", "/api/v1/calls"): STAFF,
    ("POST", "/api/v1/calls/{call_id}/callbackTask"): STAFF,
    ("GET", "/api/v1/users"): {"administrator"},
    ("POST", "/api/v1/users"): {"administrator"},
    ("GET", "/api/v1/users/{user_id}"): {"administrator"},
    ("PATCH", "/api/v1/users/{user_id}"): {"administrator"},
    ("GET", "/api/v1/workflows"): STAFF,
    ("POST", "/api/v1/workflows"): {"administrator"},
    ("GET", "/api/v1/workflows/{workflow}"): STAFF,
    ("PUT", "/api/v1/workflows/{workflow}"): {"administrator"},
    ("DELETE", "/api/v1/workflows/{workflow}"): {"administrator"},
    ("GET", "/api/v1/task-queues"): STAFF,
    ("POST", "/api/v1/task-queues"): {"administrator"},
    ("GET", "/api/v1/task-queues/{queue}"): STAFF,
    ("PUT", "/api/v1/task-queues/{queue}"): {"administrator"},
    ("DELETE", "/api/v1/task-queues/{queue}"): {"administrator"},
    **{
        (method, f"/api/v1/channels/menus{suffix}"): {"administrator"}
        for method, suffix in (
            ("GET", ""),
            ("POST", ""),
            ("GET", "/{code}"),
            ("PUT", "/{code}"),
            ("DELETE", "/{code}"),
        )
    },  # fmt: skip
    # Analyze & Report (docs/analytics.md): supervisors and administrators read; problems are
    # theirs to open and close; administrators define the reports.
    **{
        ("GET", f"/api/v1/{path}"): {"supervisor", "administrator"}
        for path in (
            "analytics/kpis",
            "analytics/closed-requests",
            "analytics/closed-requests/requests",
            "analytics/closed-requests/requests/export",
            "problems",
            "problems/{problem_id}",
            "reports",
            "reports/{report_id}",
            "reports/{report_id}/run",
            "reports/{report_id}/export",
            "reports/{report_id}/schedules",
            "reports/{report_id}/schedules/{schedule_id}",
            "reports/{report_id}/deliveries",
            "problems/{problem_id}/notices",
            "problems/{problem_id}/notices/preview",
        )
    },
    ("POST", "/api/v1/problems"): {"supervisor", "administrator"},
    ("POST", "/api/v1/problems/{problem_id}/close"): {"supervisor", "administrator"},
    ("POST", "/api/v1/reports"): {"administrator"},
    ("PUT", "/api/v1/reports/{report_id}"): {"administrator"},
    ("DELETE", "/api/v1/reports/{report_id}"): {"administrator"},
    # Up-selling (docs/upsell.md): staff see a customer's next best offer and record the answer
    # (customers never: scores are staff's); administrators manage the rules; acceptance is
    # read with the other KPIs.
    ("GET", "/api/v1/upsell-rules"): STAFF,
    ("GET", "/api/v1/upsell-rules/{rule_id}"): STAFF,
    ("POST", "/api/v1/upsell-rules"): {"administrator"},
    ("PUT", "/api/v1/upsell-rules/{rule_id}"): {"administrator"},
    ("DELETE", "/api/v1/upsell-rules/{rule_id}"): {"administrator"},
    ("GET", f"{V1}/next-offer"): STAFF,
    ("GET", f"{V1}/offers"): STAFF,
    ("POST", f"{V1}/offers/{{offer_id}}/answer"): STAFF,
    ("GET", "/api/v1/analytics/upsell-acceptance"): {"supervisor", "administrator"},
    # Scheduled delivery: administrators schedule; those who read reports see the schedules.
    ("POST", "/api/v1/reports/{report_id}/schedules"): {"administrator"},
    ("PUT", "/api/v1/reports/{report_id}/schedules/{schedule_id}"): {"administrator"},
    ("DELETE", "/api/v1/reports/{report_id}/schedules/{schedule_id}"): {"administrator"},
    # Proactive notices: whoever may open and close problems tells their customers.
    ("POST", "/api/v1/problems/{problem_id}/notices"): {"supervisor", "administrator"},
    ("GET", "/api/v1/approvals"): STAFF,
    ("GET", "/api/v1/approvals/{approval_id}"): STAFF,
    ("POST", "/api/v1/approvals/{approval_id}/approve"): {"supervisor", "administrator"},
    ("POST", "/api/v1/approvals/{approval_id}/reject"): {"supervisor", "administrator"},
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/audit"): {"administrator"},
    ("GET", "/api/v1/outbox"): {"administrator"},
    # Mediation (docs/mediation.md): integration clients send partner messages; administrators
    # see the store, replay, and manage the profiles.
    ("POST", "/api/v1/partners/{partner}/messages"): {"integration", "administrator"},
    ("GET", "/api/v1/inbound-messages"): {"administrator"},
    ("GET", "/api/v1/inbound-messages/{message_id}"): {"administrator"},
    ("POST", "/api/v1/inbound-messages/{message_id}/replay"): {"administrator"},
    ("GET", PROFILES): {"administrator"},
    ("POST", PROFILES): {"administrator"},
    ("POST", f"{PROFILES}/dry-run"): {"administrator"},
    ("GET", f"{PROFILES}/{{profile_id}}"): {"administrator"},
    ("PUT", f"{PROFILES}/{{profile_id}}"): {"administrator"},
    ("DELETE", f"{PROFILES}/{{profile_id}}"): {"administrator"},
    ("POST", f"{PROFILES}/{{profile_id}}/dry-run"): {"administrator"},
    # Bulk imports: administrators start them and read their progress and error reports.
    ("POST", "/api/v1/imports"): {"administrator"},
    ("GET", "/api/v1/imports/{import_id}"): {"administrator"},
    ("GET", "/api/v1/imports/{import_id}/errors"): {"administrator"},
    ("GET", "/api/v1/outbox/{message_id}"): {"administrator"},
    ("POST", "/api/v1/outbox/{message_id}/retry"): {"administrator"},
    **{
        (method, f"{TMF672}/{collection}{suffix}"): {"administrator"}
        for collection, operations in (
            ("userRole", (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PATCH", "/{id}"))),
            ("permission", (("GET", ""), ("POST", ""), ("GET", "/{id}"))),
        )
        for method, suffix in (*operations, ("DELETE", "/{id}"))
    },
    **{
        (method, f"{api}/hub{suffix}"): allowed
        for api, allowed in HUBS.items()
        for method, suffix in (("POST", ""), ("GET", "/{id}"), ("DELETE", "/{id}"))
    },
}
PUBLIC = {
    ("GET", "/healthz"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/revoke"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/docs/assets/{name}"),
    ("GET", "/redoc/openapi.json"),
    # The agent console: no tokens; its pages declare their access with the console's own
    # markers, and tests/web checks each of them.
    ("*", "/console/*"),
    # The self-service gateways' webhooks (aggregators send no token; TwiML checks Twilio's
    # signature): tests/channels.
    ("POST", "/api/v1/channels/ussd/africastalking"),
    ("POST", "/api/v1/channels/ussd/hubtel"),
    ("POST", "/api/v1/channels/ussd/nalo"),
    ("POST", "/api/v1/channels/ivr/twiml"),
    ("GET", "/api/v1/channels/ivr/vxml"),
    ("POST", "/api/v1/channels/ivr/vxml"),
    ("POST", "/api/v1/channels/ivr/vxml/session"),
    ("GET", "/api/v1/channels/sms/kannel"),
    ("POST", "/api/v1/channels/sms/kannel"),
    # The customer portal likewise (tests/web/portal).
    ("*", "/portal/*"),
}


def _operations(app) -> list[tuple[str, str, bool]]:
    """(method, path, needs a token) for every route of the app."""
    return [
        (method, access.path, access.needs_token)
        for access in route_access(app)
        for method in sorted(set(access.methods) - {"HEAD"})
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


@pytest.fixture
def tokens(client, session, settings) -> dict[str, dict]:
    """Authorization headers of one user per built-in role."""
    own = make_customer(session, settings)
    headers = {}
    for role in sorted(BUILTIN_ROLE_NAMES):
        kind = {"customer": "customer", "integration": "staff"}.get(role, "staff")
        user = make_user(
            session, settings, role, customer_id=own.id if role == "customer" else None, kind=kind
        )
        headers[role] = bearer(login(client, user.user.username)["access_token"])
    return headers


def test_every_route_declares_its_access(app):
    assert undeclared_routes(app) == []


def test_every_route_has_its_row_in_the_matrix(app):
    operations = {(method, path) for method, path, _ in _operations(app)}
    assert operations == set(EXPECTED) | PUBLIC
    for method, path, needs_token in _operations(app):
        assert needs_token == ((method, path) not in PUBLIC), (method, path)


def test_each_role_is_allowed_exactly_what_the_matrix_says(app, client, tokens):
    for method, path, needs_token in _operations(app):
        if not needs_token:
            continue
        url = _concrete(path)
        body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
        for role, headers in tokens.items():
            response = client.request(method, url, headers=headers, **body)
            allowed = role in EXPECTED[(method, path)]
            where = f"{role} {method} {path}: {response.status_code} {response.text[:120]}"
            # Those answer 501 on purpose.
            served = (method, path) not in UNSERVED | UNSERVED_OFFERS | UNSERVED_TOPICS
            assert response.status_code < 500 or response.status_code == 501 and not served, where
            if allowed:
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == 403, where
                assert response.json()["@type"] == "Error", where


def test_every_protected_route_refuses_a_caller_without_a_token(app, client):
    for method, path, needs_token in _operations(app):
        if not needs_token:
            continue
        response = client.request(method, _concrete(path))
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["@type"] == "Error"


def test_public_routes_answer_without_a_token(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json").status_code == 200
