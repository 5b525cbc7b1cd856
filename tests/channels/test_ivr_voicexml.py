"""VoiceXML 2.1 documents: each checked for structure (vxml_structure, from the W3C element
tables) and walked through a call as a VoiceXML browser would, submitting what was heard."""

from urllib.parse import urljoin

from sqlalchemy import select

from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from parley.requests.models import CustomerRequest
from tests.channels import vxml_structure
from tests.channels.helpers import CHANNELS, PIN, caller

NS = vxml_structure.NS
START = f"http://testserver{CHANNELS}/ivr/vxml"


class Browser:
    def __init__(self, client, number: str):
        self.client, self.number, self.document, self.url = client, number, None, START
        self.heard: list[str] = []

    def fetch(self, url: str, method: str = "get", **fields):
        response = self.client.request(method.upper(), url, data=fields or None)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/voicexml+xml")
        self.url, self.document = url, vxml_structure.check(response.text)
        self.heard += [p.text or "" for p in self.document.iter(f"{NS}prompt")]
        return self.document

    def start(self):
        """The first document hands the caller's number (session.connection.remote.uri)."""
        first = self.fetch(START)
        submit = first.find(f"{NS}form/{NS}block/{NS}submit")
        assert first.find(f"{NS}form/{NS}var").get("expr") == "session.connection.remote.uri"
        return self.fetch(
            urljoin(self.url, submit.get("next")), "post", caller=f"tel:{self.number}"
        )

    def say(self, answer: str | None = None):
        """Fill the form's field (or recording) and follow its <filled><submit>."""
        item = self.document.find(f"{NS}form/{NS}field")
        if item is None:
            item = self.document.find(f"{NS}form/{NS}record")
        assert item is not None
        submit = item.find(f"{NS}filled/{NS}submit")
        names = submit.get("namelist").split()
        fields = {"answer": answer} if "answer" in names else {"recorded": "(voice message)"}
        return self.fetch(urljoin(self.url, submit.get("next")), submit.get("method"), **fields)


def test_a_whole_call_through_voicexml_documents(client, session):
    customer, number = caller(client)
    browser = Browser(client, number)
    home = browser.start()
    assert home.get("version") == "2.1"
    field = home.find(f"{NS}form/{NS}field")
    assert field.get("type") == "digits?length=1"
    assert field.find(f"{NS}noinput/{NS}reprompt") is not None
    assert "For Report a fault, press 2." in browser.heard[-1]
    recording = browser.say("2")
    assert recording.find(f"{NS}form/{NS}record") is not None
    browser.say()
    assert "PIN" in browser.heard[-1]
    end = browser.say(PIN)
    assert end.find(f"{NS}form/{NS}block/{NS}disconnect") is not None
    assert browser.heard[-1].startswith("Request ")
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    interaction = session.get(Interaction, request.interaction_id)
    assert interaction.channel == "ivr" and interaction.status == "completed"


def test_transfer_carries_the_identified_caller_in_aai(client, session):
    customer, number = caller(client)
    browser = Browser(client, number)
    browser.start()
    end = browser.say("5")
    transfer = end.find(f"{NS}form/{NS}transfer")
    assert transfer.get("dest") == "sip:customer-care@127.0.0.1"
    aai = dict(part.split("=") for part in transfer.get("aai").split(";"))
    assert aai["customerId"] == customer["id"] and aai["msisdn"] == number
    rows = session.scalars(select(ChannelSession).where(ChannelSession.msisdn == number)).all()
    assert [r.status for r in rows] == ["ended"]


def test_the_structural_check_can_fail():
    bad = (
        '<vxml xmlns="http://www.w3.org/2001/vxml" version="2.1"><form><block>'
        '<submit next="a" expr="b"/></block></form></vxml>'
    )
    try:
        vxml_structure.check(bad)
    except AssertionError as problem:
        assert "exactly one of" in str(problem)
    else:
        raise AssertionError("a submit with next and expr passed")
    for wrong in (
        '<vxml xmlns="http://www.w3.org/2001/vxml" version="2.0"/>',
        '<vxml xmlns="http://www.w3.org/2001/vxml" version="2.1"><field name="x"/></vxml>',
        '<vxml xmlns="http://www.w3.org/2001/vxml" version="2.1"><form><var/></form></vxml>',
    ):
        try:
            vxml_structure.check(wrong)
        except AssertionError:
            continue
        raise AssertionError(f"passed: {wrong}")
