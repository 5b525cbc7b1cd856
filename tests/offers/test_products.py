"""The products customers hold, and eligibility by them (issue 14): an offering's
``productOfferingRelationship`` of type ``requires`` needs a product of the named offering
(by its id or its BSS id), one of type ``excludes`` refuses a customer holding one; checked
when an add-on is selected (400 naming why, for agents and customers alike) and in the
portal's list. Products come from orders the ordering system completed; a customer reads its
own (another's: 404)."""

import pytest

from tests.factories import assert_tmf_error, create_customer
from tests.offers.helpers import OFFERINGS, create_offering, customer_headers
from tests.requests.handoffs.helpers import (
    STATE_CHANGE,
    correlation_of,
    select_add_on,
    state_change,
)
from tests.requests.helpers import TICKETS, characteristic, ticket_payload


def _relationship(offering: str, kind: str, name: str | None = None) -> list[dict]:
    related = {"@type": "ProductOfferingRelationship", "id": offering, "relationshipType": kind}
    return [{**related, "name": name}] if name else [related]


def _holds(client, customer: dict, offering: dict, order_id: str) -> None:
    """The customer holds a product of ``offering``: ordered, and completed by ordering."""
    ordered = select_add_on(client, customer, offering)
    event = state_change(correlation_of(ordered), "completed", order_id=order_id)
    assert client.post(STATE_CHANGE, json=event).status_code == 204


def _select(client, customer: dict, offering: dict, headers=None):
    chosen = characteristic("productOffering", offering["id"])
    payload = ticket_payload(
        customer, ticketType="addon.selection", troubleTicketCharacteristic=[chosen]
    )
    return client.post(TICKETS, json=payload, headers=headers or {})


@pytest.fixture
def plan(client) -> dict:
    bss = [{"@type": "ExternalIdentifier", "id": "mobile-l", "owner": "BSS"}]
    return create_offering(client, "Mobile L", externalIdentifier=bss)


def test_an_add_on_requiring_a_plan_is_refused_until_the_customer_holds_it(client, plan):
    customer = create_customer(client)
    # Named by its BSS id, as an import from the BSS names it.
    roaming = create_offering(
        client, "Roaming pack", productOfferingRelationship=_relationship("mobile-l", "requires")
    )

    refused = _select(client, customer, roaming)

    assert_tmf_error(refused, 400, "productOffering", "Roaming pack requires Mobile L")
    _holds(client, customer, plan, "PO-L")
    assert _select(client, customer, roaming).status_code == 201


def test_an_add_on_excluding_a_product_is_refused_to_a_customer_holding_it(client, plan):
    customer = create_customer(client)
    _holds(client, customer, plan, "PO-L2")
    basic = create_offering(
        client,
        "Basic data",
        productOfferingRelationship=_relationship(plan["id"], "excludes", "Mobile L"),
    )

    refused = _select(client, customer, basic)

    assert_tmf_error(refused, 400, "Basic data can't be combined with Mobile L")
    assert _select(client, create_customer(client), basic).status_code == 201


def test_a_customer_is_told_why_too(client, session, settings, plan):
    customer = create_customer(client)
    headers = customer_headers(client, session, settings, customer)
    roaming = create_offering(
        client, "Roaming pack", productOfferingRelationship=_relationship(plan["id"], "requires")
    )

    assert_tmf_error(_select(client, customer, roaming, headers), 400, "requires Mobile L")


def test_other_relationships_are_kept_but_do_not_decide(client):
    other = _relationship("anything", "optionalFor")
    kept = create_offering(client, "Sim only", productOfferingRelationship=other)

    assert kept["productOfferingRelationship"][0]["relationshipType"] == "optionalFor"
    assert _select(client, create_customer(client), kept).status_code == 201


def test_a_product_rule_must_name_an_offering(client):
    from tests.offers.helpers import offering_payload

    named = _relationship("x" * 101, "requires")
    response = client.post(
        OFFERINGS, json=offering_payload("Broken", productOfferingRelationship=named)
    )
    assert_tmf_error(response, 400, "productOfferingRelationship[0].id")


def test_a_customer_reads_its_own_products_and_no_one_elses(client, session, settings, plan):
    mine, theirs = create_customer(client), create_customer(client)
    _holds(client, mine, plan, "PO-M")
    headers = customer_headers(client, session, settings, mine)

    own = client.get(f"/api/v1/customers/{mine['id']}/products", headers=headers)
    other = client.get(f"/api/v1/customers/{theirs['id']}/products", headers=headers)

    assert own.status_code == 200 and own.headers["X-Total-Count"] == "1"
    (product,) = own.json()
    assert (product["@type"], product["name"], product["status"]) == (
        "Product",
        "Mobile L",
        "active",
    )
    assert product["productOffering"]["id"] == plan["id"]
    assert product["request"]["href"].endswith(f"/troubleTicket/{product['request']['id']}")
    assert_tmf_error(other, 404)


def test_an_unknown_customer_has_no_products_to_read(client):
    answer = client.get("/api/v1/customers/5f0e0c1e-0000-4000-8000-000000000000/products")
    assert_tmf_error(answer, 404)
