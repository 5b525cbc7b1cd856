"""Odd input on every route Parley serves, read from its own /openapi.json (issue 18): a NUL in
a path id, integers past 64 bits and dates at the ends of the calendar in query parameters,
bodies nested thousands deep or holding NUL characters. None may answer 5xx; every answer is
4xx (or a success) in the TMF error shape, and an integer query parameter declares its maximum.
"""

import json

import pytest

from tests.factories import TMF_ERROR_KEYS, create_person_customer

OAUTH = ("/oauth/token", "/oauth/revoke")  # RFC 6749's error shape, not the TMF one
BODY_METHODS = ("post", "put", "patch")


def _operations(client) -> list[tuple[str, str, dict]]:
    document = client.get("/openapi.json").json()
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _path(path: str, value: str) -> str:
    parts = [value if p.startswith("{") and p.endswith("}") else p for p in path.split("/")]
    return "/".join(parts)


def _query(operation: dict, kinds: tuple[str, ...]) -> list[str]:
    return [
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and _type(parameter.get("schema", {})) in kinds
    ]


def _type(schema: dict) -> str | None:
    if "type" in schema:
        return schema["type"] + (f":{schema['format']}" if "format" in schema else "")
    for option in schema.get("anyOf", []):
        if option.get("type") not in (None, "null"):
            return _type(option)
    return None


# OAuth answers errors as RFC 6749 says; the USSD, IVR and SMS webhooks in what their gateway
# reads (a CON/END text, TwiML, VoiceXML), since a gateway shows the caller nothing else.
GATEWAYS = tuple(f"/api/v1/channels/{kind}/" for kind in ("ussd", "ivr", "sms"))
OWN_ERROR_SHAPES = (*OAUTH, *GATEWAYS)
RAW_INTAKE = ("/api/v1/partners/",)


def _problem(response, what: str) -> list[str]:
    """What is wrong with the answer (nothing, mostly): a 5xx, or an error not in TMF shape."""
    shown = f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 500:
        return [shown]
    if response.status_code >= 400 and not what.split()[1].startswith(OWN_ERROR_SHAPES):
        return [] if set(response.json()) == TMF_ERROR_KEYS else [shown]
    return []


def test_every_integer_query_parameter_declares_its_bounds(client):
    unbounded = [
        f"{method.upper()} {path} {name}"
        for path, method, operation in _operations(client)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and _type(parameter.get("schema", {})) == "integer"
        and "maximum" not in _bounded(parameter["schema"])
        for name in [parameter["name"]]
    ]

    assert unbounded == []


def _bounded(schema: dict) -> dict:
    if "maximum" in schema:
        return schema
    return next((o for o in schema.get("anyOf", []) if "maximum" in o), schema)


def test_a_nul_in_any_path_id_finds_nothing(client):
    problems = []
    for path, method, _operation in _operations(client):
        if "{" not in path:
            continue
        url = _path(path, "a%00b")
        response = client.request(method, url, json={} if method in BODY_METHODS else None)
        problems += _problem(response, f"{method.upper()} {url}")
        if response.status_code not in (404, 405):
            problems.append(f"{method.upper()} {url}: {response.status_code}")

    assert problems == []


@pytest.mark.parametrize("value", [2**63, 10**30, -1, "1e999"])
def test_huge_integers_in_any_query_parameter_are_answered(client, value):
    customer = create_person_customer(client, "Karl", "Ott")
    problems = []
    for path, method, operation in _operations(client):
        names = _query(operation, ("integer", "string")) if method == "get" else []
        integers = set(_query(operation, ("integer",))) | {"offset", "limit"}
        url = _path(path, customer["id"])
        for name in names:
            if name in integers:
                response = client.get(url, params={name: value})
                problems += _problem(response, f"GET {url}?{name}={value}")

    assert problems == []


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-13-45T99:00:00Z"]
)
def test_dates_at_the_ends_of_the_calendar_are_answered(client, moment):
    customer = create_person_customer(client, "Karl", "Ott")
    problems = []
    for path, method, operation in _operations(client):
        if method != "get":
            continue
        url = _path(path, customer["id"])
        for name in _query(operation, ("string:date-time",)):
            response = client.get(url, params={name: moment})
            problems += _problem(response, f"GET {url}?{name}={moment}")

    assert problems == []


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


ODD_BODIES = {
    "nested 5000 deep": b'{"name": "x", "text": "x", "x": ' + _deep(5_000) + b"}",
    "nested 60 deep": b'{"name": "x", "text": "x", "x": ' + _deep(60) + b"}",
    "a NUL in every text": json.dumps(
        {
            key: "a\x00b"
            for key in ("name", "text", "body", "kind", "code", "label", "reason", "note", "q")
        }
    ).encode(),
}


@pytest.mark.parametrize("body", ODD_BODIES.values(), ids=ODD_BODIES)
def test_odd_bodies_on_every_write_are_answered_4xx(client, body):
    customer = create_person_customer(client, "Karl", "Ott")
    problems = []
    for path, method, _operation in _operations(client):
        if method not in BODY_METHODS or path.startswith(OAUTH):
            continue
        url = _path(path, customer["id"])
        response = client.request(
            method, url, content=body, headers={"content-type": "application/json"}
        )
        problems += _problem(response, f"{method.upper()} {url}")
        # A gateway is always answered a screen (its tests in tests/channels check which); a
        # partner's message is stored raw whatever it holds, and rejected by the worker that
        # cannot read it (tests/mediation).
        if response.status_code < 400 and not path.startswith((*GATEWAYS, *RAW_INTAKE)):
            problems.append(f"{method.upper()} {url} took it: {response.status_code}")

    assert problems == []


@pytest.mark.parametrize("given", ['"²"', '"' + "9" * 5000 + '"', '"99999999999999999999999"'])
def test_an_if_match_no_version_can_have_is_a_412(client, given):
    from tests.requests.helpers import TICKETS, raise_request

    ticket = raise_request(client, create_person_customer(client, "Karl", "Ott"))

    header = {"If-Match": given.encode("latin-1")}  # as a client's bytes arrive

    patched = client.patch(f"{TICKETS}/{ticket['id']}", json={"description": "x"}, headers=header)
    cancelled = client.post(
        f"/api/v1/requests/{ticket['id']}/cancel",
        json={"reason": "no longer needed"},
        headers=header,
    )

    for response in (patched, cancelled):
        assert response.status_code == 412, response.text
        assert set(response.json()) == TMF_ERROR_KEYS
