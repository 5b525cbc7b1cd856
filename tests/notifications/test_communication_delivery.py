"""TMF681 messages all the way out: through the outbox worker to a real SMTP server and a real
Kannel SMS gateway, with the message's state and the customer's history following."""

import random

from pydantic import SecretStr

from parley.outbox.worker import Worker
from tests.factories import create_customer
from tests.outbox.smtp_server import SmtpServer

API = "/tmf-api/communicationManagement/v4/communicationMessage"


def _deliver(engine, settings, **channel_settings) -> None:
    worker = Worker(engine, settings.model_copy(update=channel_settings), rng=random.Random(3))
    try:
        worker.run_once()
    finally:
        worker.close()


def _outbound(client, customer: dict) -> list[dict]:
    history = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()["items"]
    return [entry for entry in history if entry["direction"] == "outbound"]


def test_a_templated_bill_email_reaches_a_real_mail_server_in_german(client, engine, settings):
    customer = create_customer(client)
    client.put(f"/api/v1/customers/{customer['id']}/preferences", json={"language": "de"})
    variables = {"customerName": "Anna", "billNumber": "B-77", "amount": "39,90 €"}
    created = client.post(
        API,
        json={
            "messageType": "Email",
            "receiver": [{"party": {"id": customer["id"], "@referredType": "Customer"}}],
            "sender": {},
            "characteristic": [
                {"name": "templateKind", "value": "bill.issued"},
                *({"name": k, "value": v} for k, v in variables.items()),
                {"name": "dueDate", "value": "01.12.2026"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    message = created.json()
    assert message["state"] == "initial", message

    with SmtpServer() as smtp:
        _deliver(
            engine,
            settings,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_from="service@example.net",
        )

    (mail,) = smtp.received
    assert mail.rcpt_tos == [customer_email(client, customer)]
    assert mail.message["Subject"] == "Ihre Rechnung B-77 ist da"
    assert "über 39,90 € ist da; fällig am 01.12.2026" in mail.message.get_content()
    assert client.get(f"{API}/{message['id']}").json()["state"] == "completed"
    (logged,) = _outbound(client, customer)
    assert logged["channel"] == "email" and logged["description"] == "Ihre Rechnung B-77 ist da"


def test_an_sms_reaches_the_customers_mobile_through_a_real_kannel(
    client, engine, settings, kannel
):
    customer = create_customer(client)
    text = "Grüße! Ihr Techniker kommt morgen zwischen 8 und 12 Uhr."
    message = client.post(
        API,
        json={
            "messageType": "SMS",
            "content": text,
            "receiver": [{"party": {"id": customer["id"], "@referredType": "Customer"}}],
            "sender": {},
        },
    ).json()

    _deliver(
        engine,
        settings,
        sms_gateway_url=kannel.sendsms_url,
        sms_username=kannel.username,
        sms_password=SecretStr(kannel.password),
        sms_sender="Parley",
    )

    (sms,) = kannel.received(count=1)
    assert sms.text == text and sms.receiver.endswith("171" + sms.receiver[-7:])
    done = client.get(f"{API}/{message['id']}").json()
    assert done["state"] == "completed" and done["tryTimes"] == 1
    (logged,) = _outbound(client, customer)
    assert logged["channel"] == "sms"


def customer_email(client, customer: dict) -> str:
    party_id = customer["engagedParty"]["id"]
    party = client.get(f"/tmf-api/partyManagement/v5/individual/{party_id}").json()
    return next(m["emailAddress"] for m in party["contactMedium"] if "emailAddress" in m)
