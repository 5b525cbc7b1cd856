"""The mediation API: a partner's integration client sends a message in any content type and
is answered 202 (a second delivery the same), administrators read the store and replay, manage
the profiles as JSON or YAML (checked: 400 naming where) and try them on samples without
writing anything."""

import json

import pytest
import yaml
from sqlalchemy import func, select

from parley.interactions.models import Interaction
from parley.mediation import APPLIED, RECEIVED, REJECTED
from parley.mediation.examples import shipped_profiles
from parley.mediation.models import InboundMessage
from parley.requests.models import CustomerRequest
from tests.auth.helpers import make_user
from tests.conftest import token_headers
from tests.factories import assert_tmf_error
from tests.mediation.conftest import reloaded
from tests.web.helpers import make_customer

PARTNERS = "/api/v1/partners"
MESSAGES = "/api/v1/inbound-messages"
PROFILES = "/api/v1/message-profiles"
SHIPPED = shipped_profiles()
TROUBLE = (
    b"<TroubleReport xmlns='urn:acme:trouble:1' id='TR-9'><Subscriber><Email>nora@example.org"
    b"</Email></Subscriber><Fault code='SLOW' severity='1'><Summary>Slow data</Summary></Fault>"
    b"</TroubleReport>"
)
XML = {"content-type": "application/xml"}


@pytest.fixture
def partner(session, settings) -> dict:
    """An integration client's Authorization header (client credentials)."""
    return token_headers(
        session, settings, make_user(session, settings, "integration", kind="client")
    )


def _count(session, model) -> int:
    count = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return count


def test_a_partner_message_is_stored_raw_and_answered_202(client, partner, session):
    sent = client.post(
        f"{PARTNERS}/ACME-Networks/messages",
        content=TROUBLE,
        headers={**partner, **XML, "Idempotency-Key": "TR-9", "X-Acme-Type": "trouble"},
    )
    again = client.post(
        f"{PARTNERS}/acme-networks/messages",
        content=TROUBLE + b"<!-- resent -->",
        headers={**partner, **XML, "Idempotency-Key": "TR-9"},
    )

    assert sent.status_code == 202, sent.text
    assert again.status_code == 202 and again.json() == sent.json()  # the same answer
    answer = sent.json()
    assert answer["partner"] == "acme-networks" and answer["acknowledgement"].startswith("received")
    message = reloaded(session, answer["id"])
    assert message.content == TROUBLE and message.idempotency_key == "acme-networks:TR-9"
    assert message.content_type == "application/xml" and message.state == RECEIVED
    assert message.headers["x-acme-type"] == "trouble" and "authorization" not in message.headers
    assert message.received_by.startswith("integration")


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "said"),
    [
        ("/Not A Partner/messages", TROUBLE, {}, 400, "partner: 1 to 64"),
        ("/acme/messages", b"", {}, 400, "the body: empty"),
        ("/acme/messages", TROUBLE, {"Idempotency-Key": "k" * 129}, 400, "Idempotency-Key"),
        ("/acme/messages?transactionType=A%20B", TROUBLE, {}, 400, "transactionType"),
    ],
)
def test_what_cannot_be_stored_is_refused_and_nothing_kept(
    client, partner, session, path, body, headers, status, said
):
    response = client.post(f"{PARTNERS}{path}", content=body, headers={**partner, **headers})

    assert_tmf_error(response, status)
    assert said in response.json()["message"]
    assert _count(session, InboundMessage) == 0


def test_only_integration_clients_and_administrators_send_messages(client, as_user):
    response = client.post(f"{PARTNERS}/acme/messages", content=TROUBLE, headers=as_user("kim"))

    assert_tmf_error(response, 403)


def _sent(client, partner, partner_name: str, body: bytes, **headers) -> str:
    response = client.post(
        f"{PARTNERS}/{partner_name}/messages", content=body, headers={**partner, **headers}
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


def test_administrators_list_read_and_replay_messages(client, partner, apply_due, session):
    make_customer(client)
    profile = client.post(PROFILES, json=SHIPPED["acme-trouble-report"]).json()
    good = _sent(client, partner, "acme-networks", TROUBLE, **XML)
    bad = _sent(client, partner, "acme-networks", b"\xff\xfe<broken", **XML)
    other = _sent(client, partner, "shop-ordering", b"{}", **{"content-type": "application/json"})
    apply_due()

    rejected = client.get(MESSAGES, params={"state": "rejected", "partner": "acme-networks"})
    of_shop = client.get(MESSAGES, params={"partner": "shop-ordering"})
    one = client.get(f"{MESSAGES}/{bad}").json()
    applied = client.get(f"{MESSAGES}/{good}").json()

    assert [m["id"] for m in rejected.json()] == [bad] and rejected.headers["X-Total-Count"] == "1"
    assert "content" not in rejected.json()[0]  # lists leave the content out
    assert [m["id"] for m in of_shop.json()] == [other]
    assert one["state"] == REJECTED and "not XML" in one["reason"]
    assert one["contentEncoding"] == "base64" and one["content"] == "//48YnJva2Vu"
    assert [entry["state"] for entry in one["history"]] == [RECEIVED, REJECTED]
    assert applied["state"] == APPLIED and applied["content"] == TROUBLE.decode()
    assert applied["command"]["profile"]["id"] == profile["id"]
    assert applied["outcome"]["results"][0]["request"]

    replayed = client.post(f"{MESSAGES}/{bad}/replay")
    stays = client.post(f"{MESSAGES}/{good}/replay")
    apply_due()

    assert replayed.status_code == 200 and replayed.json()["state"] == RECEIVED
    assert stays.status_code == 200 and stays.json()["state"] == APPLIED
    assert _count(session, CustomerRequest) == 1  # the applied one was not applied again
    assert client.get(f"{MESSAGES}/{bad}").json()["state"] == REJECTED  # still unreadable


@pytest.mark.parametrize(
    ("query", "field"), [({"state": "lost"}, "state"), ({"source": "fax"}, "source")]
)
def test_unknown_states_and_sources_are_400(client, query, field):
    assert_tmf_error(client.get(MESSAGES, params=query), 400, field)


def test_unknown_messages_and_profiles_are_404(client):
    for response in (
        client.get(f"{MESSAGES}/no-such-message"),
        client.post(f"{MESSAGES}/no-such-message/replay"),
        client.get(f"{PROFILES}/no-such-profile"),
        client.delete(f"{PROFILES}/no-such-profile"),
        client.post(f"{PROFILES}/no-such-profile/dry-run", content=b"x"),
    ):
        assert_tmf_error(response, 404)


def test_profiles_are_managed_as_json_or_yaml(client):
    made = client.post(
        PROFILES,
        content=yaml.safe_dump(SHIPPED["legacy-crm-interactions"]).encode(),
        headers={"content-type": "application/yaml"},
    )
    changed = {**SHIPPED["legacy-crm-interactions"], "name": "Old CRM", "active": False}
    replaced = client.put(f"{PROFILES}/{made.json()['id']}", json=changed)
    listed = client.get(PROFILES, params={"partner": "legacy-crm"})
    deleted = client.delete(f"{PROFILES}/{made.json()['id']}")

    assert made.status_code == 201, made.text
    assert made.json()["transform"]["lookups"]["channels"]["TEL"] == "phone"
    assert replaced.status_code == 200 and replaced.json()["active"] is False
    assert [p["name"] for p in listed.json()] == ["Old CRM"]
    assert deleted.status_code == 204
    assert client.get(f"{PROFILES}/{made.json()['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "headers", "status", "said"),
    [
        (
            json.dumps({**SHIPPED["shop-order-state"], "transform": {"jsonata": "$.{"}}),
            {"content-type": "application/json"},
            400,
            "transform.jsonata: ",
        ),
        (
            json.dumps({**SHIPPED["shop-order-state"], "command": "launchRocket"}),
            {"content-type": "application/json"},
            400,
            "command: one of logInteraction",
        ),
        ("partner: [unclosed", {"content-type": "application/yaml"}, 400, "not YAML (line 1)"),
        ("- a list", {"content-type": "application/yaml"}, 400, "a profile is an object"),
        ("partner: x", {"content-type": "text/plain"}, 415, "use application/json or"),
    ],
)
def test_a_profile_that_does_not_check_is_refused_naming_where(
    client, session, body, headers, status, said
):
    response = client.post(PROFILES, content=body.encode(), headers=headers)

    assert_tmf_error(response, status)
    assert said in response.json()["message"]


def test_a_second_profile_of_the_same_version_is_a_conflict(client):
    client.post(PROFILES, json=SHIPPED["shop-order-state"])

    assert_tmf_error(client.post(PROFILES, json=SHIPPED["shop-order-state"]), 409)


def test_a_dry_run_shows_the_commands_and_writes_nothing(client, session):
    customer = make_customer(client)
    profile = client.post(PROFILES, json=SHIPPED["acme-trouble-report"]).json()
    before = (_count(session, CustomerRequest), _count(session, InboundMessage))

    tried = client.post(f"{PROFILES}/{profile['id']}/dry-run", content=TROUBLE, headers=XML)
    unrecognised = client.post(
        f"{PROFILES}/{profile['id']}/dry-run",
        content=TROUBLE,
        headers={"content-type": "application/json"},
    )
    inline = client.post(
        f"{PROFILES}/dry-run",
        json={
            "profile": SHIPPED["legacy-crm-interactions"],
            "message": {
                "contentType": "text/csv",
                "content": "contact_id;phone;channel_code;direction;started;ended;topic_code;"
                "subject;agent_notes\nX;+49 170 0000000;TEL;IN;2019-03-04 09:12;"
                "2019-03-04 09:20;BIL;Hello;\n",
            },
        },
    )

    assert tried.status_code == 200, tried.text
    answer = tried.json()
    assert answer["recognised"] and answer["wouldBe"] == "applied"
    assert answer["command"] == "raiseRequest"
    assert answer["items"][0]["priority"] == "critical"
    assert answer["resolved"] == [{"customer": customer["id"]}]
    assert unrecognised.json()["mismatches"] == [
        "content type application/json is not application/xml or text/xml"
    ]
    assert inline.status_code == 200, inline.text
    assert inline.json()["wouldBe"] == "rejected"
    assert inline.json()["reason"] == "customer.phone: no customer has +49 170 0000000"
    assert inline.json()["items"][0]["channel"] == "phone"
    assert (_count(session, CustomerRequest), _count(session, InboundMessage)) == before
    assert _count(session, Interaction) == 0


def test_a_dry_run_with_a_broken_profile_is_400(client):
    response = client.post(
        f"{PROFILES}/dry-run",
        json={"profile": {"partner": "x"}, "message": {"content": "{}"}},
    )

    assert_tmf_error(response, 400)
    assert response.json()["message"] == "transactionType: Field required"
