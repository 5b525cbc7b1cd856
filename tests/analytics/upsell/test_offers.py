"""The next best offer on customers' real histories: repeated data-limit enquiries bring the
data add-on (once, however often the customer is opened), an acceptance raises the add-on
request through the request service and logs the answer, a refusal suppresses the rule, at
most one offer per period, and the gates (complaint, consent, problem area, segment, held)
hold it back. Through the API and the service, on the test database."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parley.analytics.upsell import UpsellService
from parley.analytics.upsell.models import UpsellOffer
from parley.db.base import utcnow
from parley.outbox.models import OutboxMessage
from tests.analytics.test_problems import customer_in
from tests.analytics.upsell.helpers import (
    answer,
    answer_url,
    contact,
    create_rule,
    data_offering,
    next_offer,
)
from tests.conftest import staff_headers
from tests.factories import assert_tmf_error, create_customer
from tests.offers.helpers import OFFERINGS, segment_customer
from tests.requests.helpers import TICKETS, characteristic, raise_request, ticket_payload

INTERACTIONS = "/tmf-api/partyInteractionManagement/v5/partyInteraction"


@pytest.fixture
def data_rule(client):
    """An offering and a rule offering it after two data-limit enquiries within a fortnight."""
    offering = data_offering(client)
    return offering, create_rule(client, offering)


def offers_of(session, customer: dict) -> list[UpsellOffer]:
    query = select(UpsellOffer).where(UpsellOffer.customer_id == customer["id"])
    return list(session.scalars(query))


def test_repeated_data_enquiries_bring_the_add_on_once_and_acceptance_raises_the_request(
    client, session, data_rule
):
    offering, rule = data_rule
    customer = create_customer(client)
    contact(client, customer, 0)
    one = next_offer(client, customer)
    assert one["offer"] is None and one["candidates"] == []  # 1.0: below the threshold 1.5

    contact(client, customer, 3)  # 1 + 0.5^(3/14) = 1.862
    shown = next_offer(client, customer)
    offer = shown["offer"]
    assert offer["productOffering"] == {"id": offering["id"], "name": "Extra 10 GB"}
    assert offer["rule"]["code"] == "data-test" and offer["status"] == "shown"
    assert offer["score"] == pytest.approx(1 + 0.5 ** (3 / 14), abs=1e-3)
    assert [(e["code"], e["count"]) for e in offer["evidence"]] == [("usage.data", 2)]
    assert shown["candidates"][0]["evidence"][0]["latest"].endswith("Z")
    # The shipped data-addon rule counts the same enquiries, but its offering (BSS id
    # DEMO-DATA-10) is not in this catalogue: a candidate that cannot be offered.
    blocked = {c["rule"]["code"]: c["blocked"] for c in shown["candidates"]}
    assert blocked == {"data-test": None, "data-addon": "offering:unknown"}

    again = next_offer(client, customer)
    assert again["offer"]["id"] == offer["id"]  # shown again, not offered twice
    assert len(offers_of(session, customer)) == 1

    done = answer(client, customer, offer, "accepted", note="From today")
    assert (done["status"], done["note"]) == ("accepted", "From today")
    assert done["request"]["status"] == "inProgress"  # the order is out, awaiting ordering
    ticket = client.get(f"{TICKETS}/{done['request']['id']}").json()
    assert ticket["ticketType"] == "addon.selection"
    assert characteristic("productOffering", offering["id"])["value"] in [
        c["value"] for c in ticket["troubleTicketCharacteristic"]
    ]
    order = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).one()
    assert order.payload["productOrderItem"][0]["productOffering"]["name"] == "Extra 10 GB"

    logged = client.get(f"{INTERACTIONS}/{done['interaction']['id']}").json()
    assert (logged["direction"], logged["status"], logged["reason"]) == (
        "outbound",
        "completed",
        "offer.answer",
    )
    assert logged["description"] == "Offer: Extra 10 GB: accepted. From today"
    items = {i["item"]["entity"]["@referredType"]: i["item"]["entity"]["id"]
             for i in logged["interactionItem"]}  # fmt: skip
    assert items == {"ProductOffering": offering["id"], "TroubleTicket": done["request"]["id"]}

    after = next_offer(client, customer)
    assert after["offer"] is None and after["blocked"] == "period"
    assert after["lastOffer"]["status"] == "accepted"
    assert_tmf_error(client.post(answer_url(customer, offer), json={"answer": "refused"}), 409)


def test_a_refusal_suppresses_the_rule_beyond_the_period_until_its_suppression_ends(
    client, session, settings, clock
):
    offering = data_offering(client)
    create_rule(client, offering, suppressionDays=60)
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 1)
    refused = answer(client, customer, next_offer(client, customer)["offer"], "refused")
    assert refused["status"] == "refused" and "request" not in refused
    assert next_offer(client, customer)["blocked"] == "period"

    def month_later(days: int):
        clock.advance(days=days)
        client.headers.update(staff_headers(session, settings, "administrator"))  # a new log-in
        contact(client, customer, 0)
        contact(client, customer, 0.5)
        return next_offer(client, customer)

    shown = month_later(31)  # the period is over, the refusal still holds (60 days)
    mine = next(c for c in shown["candidates"] if c["rule"]["code"] == "data-test")
    assert (shown["offer"], shown["blocked"], mine["blocked"]) == (None, None, "suppressed")

    shown = month_later(30)  # 61 days after the refusal
    assert shown["offer"]["productOffering"]["id"] == offering["id"]
    assert shown["offer"]["id"] != refused["id"]


def test_later_shows_the_same_offer_again_and_an_unknown_or_other_customers_offer_is_404(
    client, data_rule
):
    customer, other = create_customer(client), create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 2)
    offer = next_offer(client, customer)["offer"]
    later = answer(client, customer, offer, "later", channel="chat")
    assert later["status"] == "later"
    logged = client.get(f"{INTERACTIONS}/{later['interaction']['id']}").json()
    assert logged["relatedChannel"][0]["channel"]["id"] == "chat"
    assert next_offer(client, customer)["offer"]["id"] == offer["id"]  # asked again next time

    assert_tmf_error(client.post(answer_url(other, offer), json={"answer": "accepted"}), 404)
    missing = {**offer, "id": "00000000-0000-0000-0000-000000000000"}
    assert_tmf_error(client.post(answer_url(customer, missing), json={"answer": "refused"}), 404)
    assert_tmf_error(client.post(answer_url(customer, offer), json={"answer": "maybe"}), 400)
    listed = client.get(f"/api/v1/customers/{customer['id']}/offers")
    assert listed.headers["X-Total-Count"] == "1"
    assert [o["status"] for o in listed.json()] == ["later"]


def test_an_offering_withdrawn_before_the_answer_is_refused_and_nothing_is_recorded(
    client, session, data_rule
):
    offering, _ = data_rule
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 1)
    offer = next_offer(client, customer)["offer"]
    changed = client.patch(f"{OFFERINGS}/{offering['id']}", json={"lifecycleStatus": "Retired"})
    assert changed.status_code == 200, changed.text

    refused = client.post(answer_url(customer, offer), json={"answer": "accepted"})
    assert_tmf_error(refused, 400)
    assert "retired" in refused.json()["message"]
    session.expire_all()
    assert [o.status for o in offers_of(session, customer)] == ["shown"]
    logged = client.get(INTERACTIONS, params={"relatedParty.id": customer["id"]}).json()
    assert [i["reason"] for i in logged] == ["usage.data", "usage.data"]  # no answer logged
    # No longer on sale: the waiting offer is not shown again, and none other this period.
    assert next_offer(client, customer)["blocked"] == "period"


def _complaint(client, customer):
    return raise_request(
        client,
        customer,
        ticketType="bill.dispute",
        troubleTicketCharacteristic=[characteristic("billNumber", "B-2027-03")],
    )


def _opted_out(client, customer):
    put = client.put(
        f"/api/v1/customers/{customer['id']}/preferences", json={"marketingOptOut": True}
    )
    assert put.status_code == 200, put.text


def _problem(client, customer):
    opened = client.post("/api/v1/problems", json={"reasonCode": "fault.report", "area": "10115"})
    assert opened.status_code == 201, opened.text


@pytest.mark.parametrize(
    ("make", "why"),
    [(_complaint, "openComplaint"), (_opted_out, "noConsent"), (_problem, "problemArea")],
)
def test_gates_hold_every_offer_back(client, data_rule, without_workflows, make, why):
    customer = customer_in(client, "10115")
    contact(client, customer, 0)
    contact(client, customer, 1)
    make(client, customer)
    shown = next_offer(client, customer)
    assert (shown["offer"], shown["blocked"]) == (None, why)
    assert shown["candidates"][0]["score"] > 1.5  # staff still see what was held back


def test_another_segments_offering_and_one_held_already_are_not_offered(client):
    business = data_offering(client, "Office data", segment="business")
    create_rule(client, business)
    resident = segment_customer(client, "residential")
    contact(client, resident, 0)
    contact(client, resident, 1)
    found = next_offer(client, resident)
    mine = next(c for c in found["candidates"] if c["rule"]["code"] == "data-test")
    assert (found["offer"], mine["blocked"]) == (None, "offering:segment")

    everyone = data_offering(client, "Extra for all")
    create_rule(client, everyone, code="data-all")
    chosen = [characteristic("productOffering", everyone["id"])]
    selected = client.post(
        TICKETS,
        json=ticket_payload(
            resident, ticketType="addon.selection", troubleTicketCharacteristic=chosen
        ),
    )
    assert selected.status_code == 201, selected.text  # selected in self-service meanwhile
    found = next_offer(client, resident)
    held = next(c for c in found["candidates"] if c["rule"]["code"] == "data-all")
    assert (found["offer"], held["blocked"]) == (None, "holds")


def test_the_shipped_rule_offers_once_the_catalogue_holds_its_offering(client):
    data_offering(
        client, externalIdentifier=[{"@type": "ExternalIdentifier", "id": "DEMO-DATA-10"}]
    )
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 4)
    offer = next_offer(client, customer)["offer"]
    assert (offer["rule"]["code"], offer["productOffering"]["name"]) == (
        "data-addon",
        "Extra 10 GB",
    )


def test_scores_decay_until_the_rule_no_longer_offers(client, uow, data_rule):
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 3)
    service, now = UpsellService(uow), utcnow()
    today, _ = service.evaluate(customer["id"], now)
    mine = next(c for c in today.candidates if c.rule.code == "data-test")
    assert mine.score == pytest.approx(1 + 0.5 ** (3 / 14), abs=1e-3)
    in_a_week, _ = service.evaluate(customer["id"], now + timedelta(days=7))
    # 0.5^(7/14) + 0.5^(10/14) = 1.3165: below 1.5.
    assert in_a_week.candidates == () and in_a_week.new is None
    assert uow.session.scalar(select(func.count()).select_from(UpsellOffer)) == 0  # only read


def test_an_unknown_customer_is_not_found_and_a_new_one_has_no_offers(client, data_rule):
    customer = create_customer(client)
    assert_tmf_error(client.get("/api/v1/customers/nobody/next-offer"), 404)
    assert_tmf_error(client.get("/api/v1/customers/nobody/offers"), 404)
    listed = client.get(f"/api/v1/customers/{customer['id']}/offers")
    assert listed.json() == [] and listed.headers["X-Total-Count"] == "0"
    assert next_offer(client, customer) == {
        "customerId": customer["id"],
        "offer": None,
        "blocked": None,
        "lastOffer": None,
        "candidates": [],
    }
