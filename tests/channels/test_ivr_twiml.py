"""The TwiML webhook, walked through whole calls the way Twilio does: each answer's
``<Gather>`` is followed with the caller's keys or words, a ``<Redirect>`` when they say
nothing; every request signed as Twilio signs it."""

import uuid
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from parley.api.v1.channels import twilio_signature
from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from parley.requests.models import CustomerRequest
from tests.channels.helpers import CHANNELS, PIN, caller

TOKEN = "twilio-test-auth-token"
START = f"http://testserver{CHANNELS}/ivr/twiml"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


class Call:
    """Twilio's side of one call: fetch, follow Gather or Redirect, hang up at the end."""

    def __init__(self, client, number: str):
        self.client, self.number, self.sid = client, number, f"CA{uuid.uuid4().hex}"
        self.url, self.document = START, None
        self.heard: list[str] = []

    def post(self, url: str, **extra) -> ElementTree.Element:
        fields = {"CallSid": self.sid, "From": self.number, "To": "+4930123456", **extra}
        signature = twilio_signature(TOKEN, url, fields)
        response = self.client.post(url, data=fields, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        self.document = ElementTree.fromstring(response.content)
        assert self.document.tag == "Response"
        self.heard.extend(say.text for say in self.document.iter("Say"))
        return self.document

    def start(self):
        return self.post(START)

    def answer(self, **said):
        """Follow the Gather's action with what the caller keyed (Digits) or said."""
        gather = self.document.find("Gather")
        assert gather is not None, ElementTree.tostring(self.document)
        return self.post(urljoin(START, gather.get("action")), **said)

    def silence(self):
        redirect = self.document.find("Redirect")
        assert redirect is not None
        return self.post(urljoin(START, redirect.text))


def test_a_whole_call_reporting_a_fault_by_keys_and_speech(client, session):
    customer, number = caller(client)
    call = Call(client, number)
    home = call.start()
    gather = home.find("Gather")
    assert gather.get("numDigits") == "1" and "speech" in gather.get("input")
    assert gather.find("Say").get("language") == "en-GB"
    assert "For Report a fault, press 2." in gather.find("Say").text
    call.silence()  # nothing said: asked again
    assert "For My requests, press 1." in call.heard[-1]
    call.answer(SpeechResult="report a fault")
    assert call.heard[-1].startswith("Describe the fault")
    pin = call.answer(SpeechResult="My landline has no dial tone")
    assert pin.find("Gather").get("input") == "dtmf"
    end = call.answer(Digits=PIN)
    assert end.find("Hangup") is not None and call.heard[-1].startswith("Request ")
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    assert request.document["description"] == "My landline has no dial tone"
    row = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == call.sid)
    ).one()
    interaction = session.get(Interaction, row.interaction_id)
    assert interaction.channel == "ivr" and interaction.status == "completed"


def test_a_repeated_webhook_is_not_taken_twice(client):
    _customer, number = caller(client)
    call = Call(client, number)
    call.start()
    action = urljoin(START, call.document.find("Gather").get("action"))
    first = ElementTree.tostring(call.post(action, Digits="4"))
    again = ElementTree.tostring(call.post(action, Digits="4"))
    assert first == again and "Preferences" in call.heard[-1]


def test_transfer_to_an_agent_dials_the_queue_with_the_identified_caller(client, session):
    customer, number = caller(client)
    call = Call(client, number)
    call.start()
    end = call.answer(Digits="5")
    client_element = end.find("Dial/Client")
    assert client_element.find("Identity").text == "customer-care"
    parameters = {p.get("name"): p.get("value") for p in client_element.iter("Parameter")}
    assert parameters["customerId"] == customer["id"] and parameters["msisdn"] == number
    interaction = session.get(Interaction, parameters["interactionId"])
    assert interaction.status == "completed"


def test_an_unsigned_or_forged_request_is_refused(client):
    _customer, number = caller(client)
    fields = {"CallSid": "CA1", "From": number}
    assert client.post(START, data=fields).status_code == 403
    forged = {"X-Twilio-Signature": twilio_signature("other-token", START, fields)}
    assert client.post(START, data=fields, headers=forged).status_code == 403
