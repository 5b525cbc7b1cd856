"""Every operation in /openapi.json declares the error answers its route can give
(api/error_answers.py), and the answers Parley gives fit what it declares: the status is
declared for the operation, the body fits the schema declared for it. schemathesis (the tool of
scripts/fuzz) judges the fit, as the fuzzing in CI does; these are the answers it found wrong
(issue 18), kept as regression tests."""

from functools import cache

import pytest
import schemathesis

from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API
from tests.factories import assert_tmf_error, create_person_customer

ERROR = {"$ref": "#/components/schemas/Error"}
OAUTH = ("/oauth/token", "/oauth/revoke")
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _description(text: str):
    return schemathesis.openapi.from_dict(__import__("json").loads(text))


def fits(client, response, path: str, method: str) -> None:
    """``response`` is an answer ``/openapi.json`` declares for ``method path``."""
    described = _description(client.get("/openapi.json").text)
    operation = described[path][method.upper()]
    declared = operation.responses.find_by_status_code(response.status_code)
    assert declared is not None, f"{method} {path}: {response.status_code} is not declared"
    operation.validate_response(response)


def _operations(client):
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_declares_the_error_answers_its_route_can_give(client):
    missing = []
    for path, method, operation in _operations(client):
        permission = operation["x-parley-permission"]
        expected = {"400"}
        if permission != ["(public)"]:
            expected.add("401")
            if permission != ["(any)"]:
                expected.add("403")
            if method != "get":
                expected.add("409")
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if "requestBody" in operation:
            expected.add("413")
        if not expected <= set(operation["responses"]):
            missing.append(f"{method} {path}: {sorted(expected - set(operation['responses']))}")

    assert missing == []


# The USSD, IVR and SMS webhooks answer in their gateway's format (api/v1/channels.py).
GATEWAYS = tuple(f"/api/v1/channels/{kind}/" for kind in ("ussd", "ivr", "sms"))


def test_error_answers_are_in_the_tmf_error_shape_except_oauths_own(client):
    other = [
        f"{method} {path} {status}"
        for path, method, operation in _operations(client)
        for status, answer in operation["responses"].items()
        if status >= "400" and not (path in OAUTH and status in ("400", "401", "429"))
        if not path.startswith(GATEWAYS)
        if answer["content"].get("application/json", {}).get("schema") != ERROR
    ]

    assert other == []


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/oauth/token", "post", {"429"}),
        (f"{PARLEY_API}/identify", "get", {"429"}),
        (f"{PARLEY_API}/customers/{{customer_id}}/verification", "post", {"429"}),
        (f"{PARLEY_API}/tasks/{{task_id}}/claim", "post", {"412"}),
        ("/tmf-api/troubleTicket/v5/troubleTicket/{id}", "patch", {"412", "415"}),
        (f"{PARTY_API}/individual", "post", {"415"}),
        (f"{PARLEY_API}/message-templates/preview", "post", {"503"}),
    ],
)
def test_what_a_dependency_answers_is_declared_on_its_routes(client, path, method, statuses):
    responses = client.get("/openapi.json").json()["paths"][path][method]["responses"]

    assert statuses <= set(responses)
    if "429" in statuses and path not in OAUTH:
        assert "Retry-After" in responses["429"]["headers"]


def test_only_rate_limited_routes_declare_429(client):
    limited = {f"{m} {p}" for p, m, o in _operations(client) if "429" in o["responses"]}

    assert limited == {
        "post /oauth/token",
        f"get {PARLEY_API}/identify",
        f"post {PARLEY_API}/customers/{{customer_id}}/verification",
    }


def test_the_error_answers_given_fit_the_declared_ones(client, anonymous_client, as_user):
    customers = f"{CUSTOMER_API}/customer"
    item = f"{customers}/{{id}}"
    roles = "/tmf-api/userRolesAndPermissions/v4/userRole"  # administrators' only
    text = {"content-type": "text/plain"}
    cases = [
        (anonymous_client.get(customers), customers, 401),
        (client.get(roles, headers=as_user("kim")), roles, 403),
        (client.get(f"{customers}/no-such-id"), item, 404),
        (client.get(customers, params={"limit": "many"}), customers, 400),
        (client.post(customers, content=b"x", headers=text), customers, 415),
        (client.post(customers, content=b"{" * 2_000_000), customers, 413),
    ]
    for response, path, status in cases:
        assert_tmf_error(response, status)
        fits(client, response, path, response.request.method)


def test_a_required_body_not_given_is_400_in_the_tmf_shape_everywhere(client):
    """Given no body at all (nor a content type), a route that needs one answers 400 in the TMF
    shape (a TMF create answered 415 before), or 404 where an id in its path names nothing:
    never FastAPI's own 422 nor a 5xx."""
    wrong = []
    for path, method, operation in _operations(client):
        if not operation.get("requestBody", {}).get("required") or path in OAUTH:
            continue
        url = path.replace("{", "").replace("}", "")  # ids that name nothing
        response = client.request(method.upper(), url)
        has_ids = "{" in path
        if response.status_code not in ((400, 404) if has_ids else (400,)):
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
            continue
        assert_tmf_error(response, response.status_code)
        if response.status_code == 400:
            assert "body" in response.json()["message"], response.text

    assert wrong == []


def test_revoking_answers_an_empty_200_as_declared(client):
    response = client.post("/oauth/revoke", data={"token": "no-such-token"})

    assert response.status_code == 200 and response.content == b""
    declared = client.get("/openapi.json").json()["paths"]["/oauth/revoke"]["post"]
    assert "content" not in declared["responses"]["200"]
    fits(client, response, "/oauth/revoke", "post")


def test_tmf_answers_holding_party_references_fit_their_schema(client):
    """The TMF files choose among subtypes by ``@type`` (a discriminator) in a ``oneOf`` whose
    subtypes overlap: a customer's engagedParty (a PartyRef) also fits PartyRoleRef, and a
    validator ignoring the discriminator refused every such answer ("valid under more than
    one"). /openapi.json declares them as ``anyOf``."""
    customer = create_person_customer(client, "Ada", "Lovelace")

    listed = client.get(f"{CUSTOMER_API}/customer")
    one = client.get(f"{CUSTOMER_API}/customer/{customer['id']}")

    fits(client, listed, f"{CUSTOMER_API}/customer", "get")
    fits(client, one, f"{CUSTOMER_API}/customer/{{id}}", "get")
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "anyOf" in schemas["PartyOrPartyRole"] and "oneOf" not in schemas["PartyOrPartyRole"]


def test_console_pages_are_not_in_the_description(client):
    assert not [path for path in client.get("/openapi.json").json()["paths"] if "console" in path]


def test_each_tmf_version_declares_its_own_schemas(client):
    """v4 and v5 files define ``Customer`` differently: a v4 operation declares v4's (under
    its API's name where the v5 one holds the plain name), and its answer fits it."""
    customer = create_person_customer(client, "Grace", "Hopper")
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]

    def answer_schema(path: str) -> str:
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    v4, v5 = "/tmf-api/customerManagement/v4/customer/{id}", f"{CUSTOMER_API}/customer/{{id}}"
    assert answer_schema(v5) == "Customer"
    assert answer_schema(v4) == "CustomerManagementV4_Customer"
    # v4's customer has its own contactMedium; v5's has none (the party holds it).
    assert "contactMedium" in str(schemas["CustomerManagementV4_Customer"])
    assert "contactMedium" not in str(schemas["Customer"])
    fits(client, client.get(v4.replace("{id}", customer["id"])), v4, "get")
    fits(client, client.get(v5.replace("{id}", customer["id"])), v5, "get")
