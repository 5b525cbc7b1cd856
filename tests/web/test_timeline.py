"""The 360's timeline through the TestClient: newest first, a page at a time on the keyset
cursor (htmx gets the next page in place of the link, a browser without JavaScript a page of
them), filtered by channel, direction, reason and period (days in the reader's time zone),
across the person's former accounts, each entry with its notes and what it refers to."""

import re

import pytest

from parley.auth.models import User
from tests.factories import create_customer, create_person, set_customer_status
from tests.interactions.helpers import log_interaction
from tests.requests.helpers import raise_request
from tests.web.conftest import CONSOLE, main_text
from tests.web.helpers import history, make_customer

HTMX = {"HX-Request": "true"}


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


def _descriptions(html: str) -> list[str]:
    return re.findall(r'<span class="entry-text">([^<]*)</span>', html)


def _more(html: str) -> str | None:
    found = re.search(r'<li class="timeline-more">\s*<a href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_page_of_twenty_then_the_rest_in_place_of_the_link(signed_in, client, nora):
    history(client, nora, 25)

    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text
    first = _descriptions(page)
    assert first == [f"Contact number {n}" for n in range(25, 5, -1)]
    more = _more(page)
    assert more and more.startswith(f"{CONSOLE}/customers/{nora['id']}/timeline?cursor=")

    rest = signed_in.get(more, headers=HTMX)

    assert rest.status_code == 200
    assert _descriptions(rest.text) == [f"Contact number {n}" for n in range(5, 0, -1)]
    assert "That is the whole history." in rest.text and _more(rest.text) is None
    assert not rest.text.lstrip().startswith("<!doctype")  # a part, not a page
    assert 'hx-swap-oob="true"' in rest.text and "5 entries shown" in rest.text
    # Without JavaScript the same link is a page of the older entries.
    older = signed_in.get(more)
    assert older.status_code == 200 and "<!doctype html>" in older.text
    assert "Older entries. Back to the newest" in main_text(older.text)
    assert _descriptions(older.text)[0] == "Contact number 5"


def test_filters_by_channel_direction_reason_and_period(signed_in, client, nora):
    log_interaction(
        client,
        nora,
        description="Phone in",
        interactionDate={"startDateTime": "2026-03-02T10:00:00Z"},
    )
    log_interaction(
        client,
        nora,
        description="Email out",
        direction="outbound",
        reason="billing.issued",
        relatedChannel=[{"role": "contact", "channel": {"id": "email"}}],
        interactionDate={"startDateTime": "2026-03-03T10:00:00Z"},
    )
    log_interaction(
        client,
        nora,
        description="Late on the 3rd",
        reason="complaint",
        interactionDate={"startDateTime": "2026-03-03T23:30:00Z"},
    )
    url = f"{CONSOLE}/customers/{nora['id']}/timeline"

    def shown(**filters) -> list[str]:
        answer = signed_in.get(url, params=filters, headers=HTMX)
        assert answer.status_code == 200
        return _descriptions(answer.text)

    assert shown(channel="email") == ["Email out"]
    assert shown(direction="outbound") == ["Email out"]
    assert shown(reason="complaint") == ["Late on the 3rd"]
    assert shown(since="2026-03-03", until="2026-03-03") == ["Late on the 3rd", "Email out"]
    assert shown(channel="phone", until="2026-03-02") == ["Phone in"]
    assert shown(since="2026-03-04") == []
    assert shown(channel="sms") == []
    assert (
        "No interactions match these filters."
        in signed_in.get(url, params={"channel": "sms"}, headers=HTMX).text
    )


def test_the_period_is_in_the_readers_time_zone(signed_in, client, session, agent, nora):
    user = session.get(User, agent.user.id)
    user.time_zone = "Pacific/Auckland"  # UTC+13 in March
    session.commit()
    log_interaction(
        client,
        nora,
        description="Evening in UTC",
        interactionDate={"startDateTime": "2026-03-03T20:00:00Z"},
    )

    answer = signed_in.get(
        f"{CONSOLE}/customers/{nora['id']}/timeline",
        params={"since": "2026-03-04", "until": "2026-03-04"},
        headers=HTMX,
    )

    assert _descriptions(answer.text) == ["Evening in UTC"]  # the 4th, 09:00 in Auckland


@pytest.mark.parametrize(
    ("filters", "field", "said"),
    [
        ({"channel": "pigeon"}, "tl-channel", "Choose a channel from the list."),
        ({"direction": "sideways"}, "tl-direction", "Choose a direction from the list."),
        ({"reason": "nope"}, "tl-reason", "Choose a reason from the list."),
        ({"since": "03/04/2026"}, "tl-since", "A date, such as 2026-03-31."),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "tl-until", "The end of the period"),
    ],
)
def test_a_filter_that_cannot_be_one_is_said_beside_it_and_left_out(
    signed_in, client, nora, filters, field, said
):
    log_interaction(client, nora, description="Still shown")

    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}/timeline", params=filters)

    assert page.status_code == 200
    message = re.search(rf'<p id="{field}-error" class="field-error">([^<]*)</p>', page.text)
    assert message and message.group(1).startswith(said)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page.text)
    if field != "tl-until":
        assert _descriptions(page.text) == ["Still shown"]


def test_a_persons_former_account_is_in_the_timeline_and_marked(signed_in, client):
    person = create_person(client, "Ida", "Falk", city="Ulm", phone="+49 171 5550202")
    former = create_customer(client, person)
    log_interaction(client, former, description="On the old contract")
    set_customer_status(client, former, "disconnected")
    current = create_customer(client, person, force=True)
    log_interaction(client, current, description="On the new contract")

    page = signed_in.get(f"{CONSOLE}/customers/{current['id']}").text

    assert _descriptions(page) == ["On the new contract", "On the old contract"]
    number = next(c["value"] for c in former["characteristic"] if c["name"] == "customerNumber")
    assert f"Account {number}" in main_text(page)


def test_an_entry_opens_to_its_notes_and_the_request_it_refers_to(signed_in, client, nora):
    log_interaction(
        client,
        nora,
        description="Asked about roaming",
        note=[{"text": "Sent the tariff sheet", "author": "anna.k"}],
    )
    request = raise_request(client, nora)

    words = main_text(signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text)
    page = signed_in.get(f"{CONSOLE}/customers/{nora['id']}").text

    assert "Sent the tariff sheet anna.k" in words
    assert f'href="/console/requests/{request["id"]}"' in page
    assert "Logged by" in words
