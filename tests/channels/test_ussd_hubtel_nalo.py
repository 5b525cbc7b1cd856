"""USSD through Hubtel (JSON, Sequence numbers) and Nalo (JSON, MSGTYPE) gateways."""

import uuid

from sqlalchemy import select

from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from tests.channels.helpers import CHANNELS, caller

HUBTEL, NALO = f"{CHANNELS}/ussd/hubtel", f"{CHANNELS}/ussd/nalo"


def _hubtel(client, session_id, number, kind, sequence, message=""):
    body = {
        "Type": kind,
        "Mobile": number.lstrip("+"),
        "SessionId": session_id,
        "ServiceCode": "*713*1#",
        "Message": message,
        "Operator": "mtn",
        "Sequence": sequence,
        "ClientState": "",
    }
    response = client.post(HUBTEL, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_hubtel_session_with_a_repeat_and_a_release(client, session):
    _customer, number = caller(client)
    key = uuid.uuid4().hex
    first = _hubtel(client, key, number, "Initiation", 1, "*713*1#")
    assert first["Type"] == "Response" and first["Message"].startswith("Welcome")
    second = _hubtel(client, key, number, "Response", 2, "4")
    assert second["Message"].startswith("Preferences")
    assert _hubtel(client, key, number, "Response", 2, "4") == second  # repeated
    assert _hubtel(client, key, number, "Response", 2, "1") == second  # late, other input
    third = _hubtel(client, key, number, "Response", 3, "5")
    assert third["Message"].startswith("Welcome")
    released = _hubtel(client, key, number, "Release", 4)
    assert released["Type"] == "Release"
    row = session.scalars(select(ChannelSession).where(ChannelSession.session_key == key)).one()
    assert row.status == "ended"
    assert session.get(Interaction, row.interaction_id).status == "completed"
    # After the end, a stray request is told the session ended.
    late = _hubtel(client, key, number, "Response", 5, "1")
    assert late["Type"] == "Release" and "ended" in late["Message"]


def test_a_hubtel_transfer_to_an_agent_ends_the_session(client, session):
    customer, number = caller(client)
    key = uuid.uuid4().hex
    _hubtel(client, key, number, "Initiation", 1)
    answer = _hubtel(client, key, number, "Response", 2, "5")
    assert answer["Type"] == "Release" and "agent" in answer["Message"]
    row = session.scalars(select(ChannelSession).where(ChannelSession.session_key == key)).one()
    interaction = session.get(Interaction, row.interaction_id)
    assert interaction.customer_id == customer["id"]
    assert "customer-care" in interaction.document["note"][-1]["text"]


def test_bad_hubtel_requests_are_released_not_errors(anonymous_client):
    for body in ({}, {"Type": "Initiation"}, [], {"Type": "Response", "Sequence": "x"}):
        response = anonymous_client.post(HUBTEL, json=body)
        assert response.status_code == 200 and response.json()["Type"] == "Release"
    response = anonymous_client.post(
        HUBTEL, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 200 and response.json()["Type"] == "Release"


def _nalo(client, key, number, new, data):
    body = {
        "USERID": "parley",
        "MSISDN": number.lstrip("+"),
        "USERDATA": data,
        "MSGTYPE": new,
        "NETWORK": "MTN",
        "SESSIONID": key,
    }
    response = client.post(NALO, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_nalo_session_in_german_after_choosing_the_language(client):
    _customer, number = caller(client, pin="1357")
    key = uuid.uuid4().hex
    assert _nalo(client, key, number, True, "*920#")["MSGTYPE"] is True
    _nalo(client, key, number, False, "4")
    assert "PIN" in _nalo(client, key, number, False, "4")["MSG"]
    answer = _nalo(client, key, number, False, "1357")
    assert answer["MSG"].startswith("Gespeichert") and answer["MSGTYPE"] is True
    assert "Hauptmenü" in answer["MSG"]
    home = _nalo(client, key, number, False, "1")
    assert home["MSG"].startswith("Willkommen")
    # A new session of this caller starts in German: the preference was saved.
    assert _nalo(client, uuid.uuid4().hex, number, True, "*920#")["MSG"].startswith("Willkommen")


def test_bad_nalo_requests_end_the_session(anonymous_client):
    response = anonymous_client.post(NALO, json={"MSISDN": "233200000000", "SESSIONID": "a"})
    assert response.status_code == 200 and response.json()["MSGTYPE"] is False


def test_a_hubtel_timeout_closes_the_session_as_abandoned(client, session):
    _customer, number = caller(client)
    key = uuid.uuid4().hex
    _hubtel(client, key, number, "Initiation", 1)
    assert _hubtel(client, key, number, "Timeout", 2)["Type"] == "Release"
    row = session.scalars(select(ChannelSession).where(ChannelSession.session_key == key)).one()
    assert row.status == "abandoned"
    assert "abandoned" in session.get(Interaction, row.interaction_id).description
