"""A caller arrives: the console's search answers what the API's identification answers,
ranked, with why each candidate matched; historical and disconnected customers are marked;
a candidate opens the customer's page."""

import re

import pytest

from tests.conftest import PARTY_API
from tests.factories import create_person_customer, customer_number, set_customer_status
from tests.web.conftest import CONSOLE, main_text

ENDED = {"startDateTime": "2019-01-01T00:00:00Z", "endDateTime": "2024-01-01T00:00:00Z"}


@pytest.fixture
def greta(client) -> dict:
    return create_person_customer(
        client,
        "Greta",
        "Lindqvist",
        city="Kiel",
        phone="+49 171 5550101",
        email="greta@example.org",
    )


def _names(html: str) -> list[str]:
    return re.findall(r'class="candidate-name"[^>]*>([^<]+)<', html)


def test_a_phone_number_in_any_form_finds_the_customer_and_says_why(signed_in, greta):
    page = signed_in.get(f"{CONSOLE}/search", params={"q": "0171 5550101"})

    assert page.status_code == 200
    assert _names(page.text) == ["Greta Lindqvist"]
    words = main_text(page.text)
    assert "1 candidate for “0171 5550101”" in words
    assert "Phone +49 171 5550101 exact" in words
    assert customer_number(greta) in words
    assert f'href="/console/customers/{greta["id"]}"' in page.text


def test_the_console_ranks_as_the_apis_identification_does(signed_in, client, greta):
    create_person_customer(client, "Greta", "Lindkvist", city="Ulm", phone="+49 171 5550102")
    create_person_customer(client, "Gerda", "Lindqvist", city="Hof", phone="+49 171 5550103")

    page = signed_in.get(f"{CONSOLE}/search", params={"q": "Greta Lindqvist"})
    api = client.get("/api/v1/identify", params={"q": "Greta Lindqvist", "limit": 20}).json()

    assert _names(page.text) == [c["customer"]["name"] for c in api["candidates"]]
    assert _names(page.text)[0] == "Greta Lindqvist"
    assert "Name Greta Lindqvist exact" in main_text(page.text)


def test_disconnected_customers_and_former_numbers_are_found_and_marked(signed_in, client):
    gone = create_person_customer(client, "Otto", "Brenner", city="Hof", phone="+49 171 5550201")
    set_customer_status(client, gone, "disconnected")
    create_person_customer(
        client, "Ida", "Falk", city="Ulm", phone="+49 171 5550202", phone_valid_for=ENDED
    )

    otto = signed_in.get(f"{CONSOLE}/search", params={"q": "+49 171 5550201"}).text
    ida = signed_in.get(f"{CONSOLE}/search", params={"q": "+49 171 5550202"}).text

    assert 'class="candidate is-historical"' in otto and "Disconnected" in main_text(otto)
    assert 'class="candidate is-historical"' in ida
    assert "Former holder" in main_text(ida) and "no longer theirs" in main_text(ida)


def test_htmx_gets_only_the_results_and_the_count_for_screen_readers(signed_in, greta):
    response = signed_in.get(
        f"{CONSOLE}/search", params={"q": "greta@example.org"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text and "<main" not in response.text
    assert _names(response.text) == ["Greta Lindqvist"]
    assert re.search(r'<div id="status"[^>]*hx-swap-oob="true"[^>]*>\s*1 candidate', response.text)
    assert "<title>Find a caller: greta@example.org – Parley</title>" in response.text
    out_of_band = r'<nav id="navigation"[^>]*hx-swap-oob="true".*?</nav>'
    navigation = re.search(out_of_band, response.text, re.S)
    assert navigation and 'href="/console/search" aria-current="page"' in navigation.group(0)


def test_without_a_query_the_page_says_what_can_be_searched_and_short_or_unknown_ones_say_so(
    signed_in,
):
    empty = main_text(signed_in.get(f"{CONSOLE}/search").text)
    short = main_text(signed_in.get(f"{CONSOLE}/search", params={"q": "x"}).text)
    nobody = main_text(signed_in.get(f"{CONSOLE}/search", params={"q": "Zzyzx Qwerty"}).text)

    assert "What you can search by" in empty
    assert "Type at least two characters." in short
    assert "Nobody found for “Zzyzx Qwerty”." in nobody


def test_a_very_long_query_is_cut_not_refused(signed_in):
    response = signed_in.get(f"{CONSOLE}/search", params={"q": "a" * 5000})

    assert response.status_code == 200


def test_the_customers_page_shows_their_header_and_contact_details(signed_in, greta):
    page = signed_in.get(f"{CONSOLE}/customers/{greta['id']}")

    assert page.status_code == 200
    words = main_text(page.text)
    assert words.startswith("Greta Lindqvist Active Customer number " + customer_number(greta))
    assert "Phone +49 171 5550101" in words and "Email greta@example.org" in words
    assert "Not a current customer" not in words


def test_a_disconnected_customers_page_warns_the_agent(signed_in, client, greta):
    set_customer_status(client, greta, "disconnected")

    words = main_text(signed_in.get(f"{CONSOLE}/customers/{greta['id']}").text)

    assert "Disconnected" in words and "Not a current customer" in words


def test_control_characters_in_a_query_are_no_error(signed_in, greta):
    response = signed_in.get(f"{CONSOLE}/search", params={"q": "Greta\x07 Lind\tqvist"})

    assert response.status_code == 200
    assert "Greta Lindqvist" in _names(response.text)
    # A NUL is refused before any page sees it, as everywhere in Parley (api/limits.py).
    assert signed_in.get(f"{CONSOLE}/search", params={"q": "Greta\x00"}).status_code == 400


# -- as the agent types --------------------------------------------------------------------


@pytest.fixture
def feichtenschlagers(client) -> None:
    create_person_customer(client, "Anna", "Feichtenschlager", city="Linz")
    create_person_customer(client, "Anna", "Berg", city="Graz")
    create_person_customer(client, "Jonas", "Feilke", city="Wels")


def _typed(signed_in, query: str) -> list[str]:
    page = signed_in.get(f"{CONSOLE}/search", params={"q": query}, headers={"HX-Request": "true"})
    assert page.status_code == 200, page.text
    return _names(page.text)


def test_the_first_letters_of_any_word_of_a_name_find_it(signed_in, feichtenschlagers):
    assert set(_typed(signed_in, "Feic")) == {"Anna Feichtenschlager"}
    assert set(_typed(signed_in, "Fei")) == {"Anna Feichtenschlager", "Jonas Feilke"}


def test_whole_words_then_the_start_of_the_next_narrow_it_down(signed_in, feichtenschlagers):
    assert _typed(signed_in, "Anna Fei") == ["Anna Feichtenschlager"]
    assert _typed(signed_in, "anna feichtenschl") == ["Anna Feichtenschlager"]


def test_a_slip_in_a_whole_word_is_still_forgiven(signed_in, feichtenschlagers):
    assert _typed(signed_in, "Anma Feichtenschlager")[0] == "Anna Feichtenschlager"


def test_a_renamed_party_is_found_by_its_new_name_only(signed_in, client, feichtenschlagers):
    nora = create_person_customer(client, "Nora", "Quist", city="Steyr")
    party_id = nora["engagedParty"]["id"]
    renamed = client.patch(f"{PARTY_API}/individual/{party_id}", json={"familyName": "Zaunegger"})
    assert renamed.status_code == 200, renamed.text

    found = signed_in.get(f"{CONSOLE}/search", params={"q": "Nora Zaun"}).text
    assert f'href="/console/customers/{nora["id"]}"' in found
    assert _typed(signed_in, "Quis") == []
