"""How much one TMF document may hold (issue 18): free texts 10,000 characters, other texts
1,000, lists 100 entries (attachments 20, related parties 50). Past a limit, a create or merge
patch is a 400 naming the field and the limit, and nothing changes."""

import time

import pytest

from parley.api.tmf.kit.budget import FREE_TEXT, MAX_ENTRIES, MAX_TEXT, SHORTER_LISTS
from tests.conftest import CUSTOMER_API, PARTY_API
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_individual,
    individual_payload,
    total_count,
)
from tests.interactions.helpers import API, V4_API, interaction_payload, log_interaction

INTERACTIONS = f"{API}/partyInteraction"
INTERACTIONS_V4 = f"{V4_API}/partyInteraction"
INDIVIDUALS = f"{PARTY_API}/individual"
CUSTOMERS = f"{CUSTOMER_API}/customer"


def _item(n: int) -> dict:
    return {
        "@type": "InteractionItem",
        "item": {
            "@type": "RelatedEntityRefOrValue",
            "role": "topic",
            "entity": {"@type": "EntityRef", "id": f"topic-{n}", "@referredType": "Topic"},
        },
    }


def _attachment(n: int) -> dict:
    return {
        "@type": "AttachmentRefOrValue",
        "attachment": {
            "@type": "AttachmentRef",
            "id": f"file-{n}",
            "@referredType": "Attachment",
            "url": f"https://files.example/{n}",
        },
    }


def _note(n: int) -> dict:
    return {"@type": "Note", "text": f"note {n}"}


def test_a_description_of_free_text_length_is_kept(client):
    made = log_interaction(client, description="x" * FREE_TEXT)

    assert len(made["description"]) == FREE_TEXT


@pytest.mark.parametrize("collection", [INTERACTIONS, INTERACTIONS_V4])
def test_a_description_past_the_limit_is_a_400_naming_it(client, collection):
    before = total_count(client, collection)

    response = client.post(collection, json=interaction_payload(description="x" * (FREE_TEXT + 1)))

    assert_tmf_error(response, 400, "description", f"at most {FREE_TEXT} characters")
    assert total_count(client, collection) == before


def test_a_short_text_past_its_limit_is_a_400_naming_it(client):
    before = total_count(client, INDIVIDUALS)

    response = client.post(INDIVIDUALS, json=individual_payload(givenName="A" * (MAX_TEXT + 1)))

    assert_tmf_error(response, 400, "givenName", f"at most {MAX_TEXT} characters")
    assert total_count(client, INDIVIDUALS) == before


@pytest.mark.parametrize("count", [MAX_ENTRIES + 1, 20_000])
def test_interaction_items_past_the_limit_are_a_400_at_once(client, count):
    # 20,000 items took over a minute and then answered 503 (too many query parameters).
    before = total_count(client, INTERACTIONS)
    body = interaction_payload(interactionItem=[{} for _ in range(count)])
    started = time.monotonic()

    response = client.post(INTERACTIONS, json=body)

    assert_tmf_error(response, 400, "interactionItem", f"at most {MAX_ENTRIES} entries")
    assert time.monotonic() - started < 5
    assert total_count(client, INTERACTIONS) == before


def test_a_hundred_items_are_logged(client):
    made = log_interaction(client, interactionItem=[_item(n) for n in range(MAX_ENTRIES)])

    assert len(made["interactionItem"]) == MAX_ENTRIES


def test_related_parties_and_attachments_have_shorter_lists(client):
    customer = create_customer(client)
    parties = [interaction_payload(customer)["relatedParty"][0]] * (
        SHORTER_LISTS["relatedParty"] + 1
    )
    attachments = [_attachment(n) for n in range(SHORTER_LISTS["attachment"] + 1)]

    too_many_parties = client.post(INTERACTIONS, json=interaction_payload(relatedParty=parties))
    too_many_files = client.post(INTERACTIONS, json=interaction_payload(attachment=attachments))

    assert_tmf_error(too_many_parties, 400, "relatedParty", "at most 50 entries")
    assert_tmf_error(too_many_files, 400, "attachment", "at most 20 entries")


def test_a_patch_past_a_limit_is_a_400_and_changes_nothing(client):
    customer = create_customer(client)
    url = f"{CUSTOMERS}/{customer['id']}"
    notes = [_note(n) for n in range(MAX_ENTRIES + 1)]

    assert_tmf_error(client.patch(url, json={"note": notes}), 400, "note", "at most 100")
    assert_tmf_error(client.patch(url, json={"name": "N" * (MAX_TEXT + 1)}), 400, "name")

    assert client.get(url).json() == customer


def test_characteristics_past_the_limit_are_a_400(client):
    person = create_individual(client)
    characteristics = [
        {"@type": "StringCharacteristic", "name": f"c{n}", "value": "v"}
        for n in range(MAX_ENTRIES + 1)
    ]

    response = client.patch(
        f"{INDIVIDUALS}/{person['id']}", json={"partyCharacteristic": characteristics}
    )

    assert_tmf_error(response, 400, "partyCharacteristic", "at most 100 entries")


def test_the_limits_name_where_they_are_broken_inside_a_list(client):
    media = individual_payload()["contactMedium"]
    media[2] = {**media[2], "city": "C" * (MAX_TEXT + 1)}

    response = client.post(INDIVIDUALS, json=individual_payload(contactMedium=media))

    assert_tmf_error(response, 400, "contactMedium[2].city", f"at most {MAX_TEXT} characters")


def test_200000_notes_in_one_customer_are_refused_whole(client):
    # The probe's 27 MB of notes: past the body limit long before the list limit is read.
    customer = create_customer(client)
    url = f"{CUSTOMERS}/{customer['id']}"

    response = client.patch(url, json={"note": [_note(n) for n in range(200_000)]})

    assert_tmf_error(response, 413, "PARLEY_MAX_BODY_BYTES")
    assert client.get(url).json() == customer
