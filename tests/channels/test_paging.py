"""A screen longer than one USSD page is shown a page at a time: 98 More, 0 Back."""

import uuid

import pytest

from parley.channels import texts
from tests.channels.helpers import CHANNELS, AfricasTalking

LONG = (
    "Our network is being upgraded in your area this week; short interruptions at night are "
    "expected. Thank you for your patience. Visit us online. Your requests:"
)
PAGED_MENU = {
    "code": "paged",
    "name": "Paged",
    "start": "home",
    "screens": {
        "home": {
            "text": {"en": f"{LONG} {{result}}", "de": f"{LONG} {{result}}"},
            "action": "requests.latest",
            "options": [{"label": {"en": "Bye", "de": "Tschüss"}, "next": "bye"}],
        },
        "bye": {"text": {"en": "Goodbye", "de": "Auf Wiederhören"}},
    },
}


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"channel_menu": "paged"})


def test_pages_fit_a_screen_and_say_how_to_move():
    text = "word " * 100
    pages = texts.pages(text, "en")
    assert len(pages) > 1
    assert all(texts.fits(page) for page in pages)
    assert pages[0].endswith("98 More") and "0 Back" not in pages[0]
    assert pages[-1].endswith("0 Back") and "98 More" not in pages[-1]
    joined = " ".join(p.replace("\n98 More", "").replace("\n0 Back", "") for p in pages)
    assert joined.split() == text.split()
    ucs2 = texts.pages("Привет " * 30, "de")
    assert all(texts.length(p) <= texts.USSD_UCS2_LIMIT for p in ucs2)
    assert ucs2[0].endswith("98 Weiter")


def test_a_long_screen_is_paged_forward_and_back(client):
    assert client.post(f"{CHANNELS}/menus", json=PAGED_MENU).status_code == 201
    phone = AfricasTalking(client, "+4915199990001", uuid.uuid4().hex)
    first = phone.dial()
    assert first.startswith("CON Our network") and first.endswith("98 More")
    assert len(first) - 4 <= texts.USSD_GSM_LIMIT
    second = phone.press("98")
    assert second.endswith("requests.\n1. Bye\n0 Back")
    assert phone.press("0") == first
    phone.press("98")
    assert phone.press("1") == "END Goodbye"
