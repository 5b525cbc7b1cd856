"""Callers for the self-service tests: a customer with a mobile number and a PIN."""

import itertools

from tests.conftest import PARLEY_API
from tests.factories import create_customer, create_individual

CHANNELS = f"{PARLEY_API}/channels"
PIN = "2468"
_numbers = itertools.count(1)


def caller(client, pin: str | None = PIN) -> tuple[dict, str]:
    """A customer whose current mobile is a fresh number, with ``pin``; (customer, E.164)."""
    number = f"+49151{5550000 + next(_numbers) * 7:08d}"
    party = create_individual(
        client,
        contactMedium=[{"@type": "PhoneContactMedium", "phoneNumber": number, "preferred": True}],
    )
    customer = create_customer(client, party)
    if pin:
        response = client.put(
            f"{PARLEY_API}/customers/{customer['id']}/security", json={"pin": pin}
        )
        assert response.status_code == 200, response.text
    return customer, number


class AfricasTalking:
    """A handset behind an Africa's Talking style gateway: every request carries the whole
    session's inputs joined by ``*``."""

    def __init__(self, client, msisdn: str, session_id: str):
        self.client, self.msisdn, self.session_id = client, msisdn, session_id
        self.inputs: list[str] = []

    def send(self, text: str) -> str:
        response = self.client.post(
            f"{CHANNELS}/ussd/africastalking",
            data={
                "sessionId": self.session_id,
                "serviceCode": "*123#",
                "phoneNumber": self.msisdn,
                "networkCode": "62120",
                "text": text,
            },
        )
        assert response.status_code == 200, response.text
        return response.text

    def dial(self) -> str:
        return self.send("")

    def press(self, given: str) -> str:
        self.inputs.append(given)
        return self.send("*".join(self.inputs))
