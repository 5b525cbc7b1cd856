"""USSD through an Africa's Talking style gateway: scripted sessions, odd requests, paging."""

import uuid

from sqlalchemy import select

from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from parley.requests.models import CustomerRequest
from tests.channels.helpers import PIN, AfricasTalking, caller


def _phone(client, number=None):
    return AfricasTalking(client, number or "+4915100000001", f"AT-{uuid.uuid4().hex}")


def test_the_main_menu_lists_the_shipped_options(client):
    _customer, number = caller(client)
    screen = _phone(client, number).dial()
    assert screen.startswith("CON Welcome to customer care")
    assert "1. My requests" in screen and "5. Speak to an agent" in screen


def test_reporting_a_fault_needs_the_pin_and_raises_a_request_in_the_session(client, session):
    customer, number = caller(client)
    phone = _phone(client, number)
    phone.dial()
    assert "Describe the fault" in phone.press("2")
    assert "enter your PIN" in phone.press("No internet since Monday")
    answer = phone.press(PIN)
    assert answer.startswith("END Request ")
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    assert request.document["ticketType"] == "fault.repair"
    assert request.reference in answer
    row = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == phone.session_id)
    ).one()
    assert row.status == "ended"
    interaction = session.get(Interaction, row.interaction_id)
    assert request.interaction_id == interaction.id
    assert interaction.status == "completed" and interaction.channel == "ussd"
    steps = [i for i in interaction.document["interactionItem"] if i.get("interactionItemType")]
    assert [s["reason"] for s in steps] == ["home", "fault", "_pin"]
    assert steps[2]["resolution"] == "****"  # the PIN is never written down


def test_a_wrong_pin_locks_as_on_the_api(client):
    _customer, number = caller(client)
    answers = []
    for _attempt in range(4):
        phone = _phone(client, number)
        phone.dial()
        phone.press("3")
        phone.press("1")
        answers.append(phone.press("0000"))
        if "Too many" not in answers[-1]:
            answers.append(phone.press("1111"))
            answers.append(phone.press("9999"))
    assert any(a.startswith("END Too many wrong PINs") for a in answers)
    # Locked: even the right PIN is refused now.
    phone = _phone(client, number)
    phone.dial()
    phone.press("3")
    phone.press("1")
    assert phone.press(PIN).startswith("END Too many wrong PINs")


def test_status_of_my_latest_requests_needs_no_pin_and_shows_only_mine(client):
    customer, number = caller(client)
    other, other_number = caller(client)
    for _who, msisdn in ((customer, number), (other, other_number)):
        phone = _phone(client, msisdn)
        phone.dial()
        phone.press("2")
        phone.press("Line is dead")
        phone.press(PIN)
    phone = _phone(client, number)
    phone.dial()
    answer = phone.press("1")
    assert answer.startswith("CON ") and ("acknowledged" in answer or "in" in answer)
    assert answer.count(": ") == 1  # one request: the other customer's is not shown


def test_an_unknown_number_gets_status_but_no_pin_actions(client):
    phone = _phone(client, "+4915199999999")
    phone.dial()
    assert "no requests" in phone.press("1")
    phone.press("0")
    assert phone.press("3").startswith("CON When")
    assert phone.press("1").startswith("END We cannot match your number")


def test_repeated_late_and_out_of_order_requests_are_answered_from_the_session(client):
    _customer, number = caller(client)
    phone = _phone(client, number)
    first = phone.dial()
    assert phone.dial() == first  # a repeat of the start
    second = phone.press("4")
    assert phone.send("4") == second  # the same request again: not taken twice
    assert phone.send("") == second  # a late start: the current screen
    # Two inputs at once (the gateway lost one of our answers): both are taken in order.
    phone.inputs += ["5", "1"]
    answer = phone.send("*".join(phone.inputs))  # preferences -> main menu -> my requests
    assert answer == "CON You have no requests.\n1. Main menu"


def test_an_invalid_option_over_long_text_and_non_gsm_characters(client):
    _customer, number = caller(client)
    phone = _phone(client, number)
    phone.dial()
    assert phone.press("7").startswith("CON Please choose one of the options.")
    assert phone.press("x" * 500).startswith("CON That input is not valid.")
    phone.press("2")
    answer = phone.press("Сеть не работает 📵")  # Cyrillic and an emoji: UCS-2
    assert answer.startswith("CON Please enter your PIN")


def test_a_session_id_reused_after_expiry_starts_afresh_and_the_old_is_abandoned(
    client, session, clock
):
    _customer, number = caller(client)
    phone = _phone(client, number)
    phone.dial()
    phone.press("4")
    clock.advance(seconds=600)
    phone.inputs = []
    assert phone.dial().startswith("CON Welcome")
    rows = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == phone.session_id)
    ).all()
    assert sorted(r.status for r in rows) == ["abandoned", "active"]
    old = next(r for r in rows if r.status == "abandoned")
    interaction = session.get(Interaction, old.interaction_id)
    assert interaction.status == "completed" and "abandoned" in interaction.description


def test_an_unreadable_request_is_ended_not_a_server_error(anonymous_client):
    response = anonymous_client.post(
        "/api/v1/channels/ussd/africastalking", data={"sessionId": "x", "phoneNumber": "abc"}
    )
    assert response.status_code == 200 and response.text.startswith("END ")
    response = anonymous_client.post(
        "/api/v1/channels/ussd/africastalking",
        content=b"\xff\xfe=\x00",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and response.text.startswith("END ")


def test_a_late_request_after_the_end_is_not_replayed_into_a_new_session(client, session):
    customer, number = caller(client)
    phone = _phone(client, number)
    phone.dial()
    phone.press("2")
    phone.press("Router is dead")
    ended = phone.press(PIN)
    assert ended.startswith("END Request ")
    assert phone.send("*".join(phone.inputs)) == ended  # the gateway repeats the last request
    late = phone.send("*".join(phone.inputs[:2]))  # an earlier one arrives late
    assert late == "END This session has ended."
    requests = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).all()
    assert len(requests) == 1
