"""The console's inbound messages (administrators): the rejected ones listed with why, a
message's raw content, what it became and its history, and applying it again (CSRF, audited);
German; agents see none of it and are refused."""

import pytest

from parley.mediation import RECEIVED, InboundStore
from parley.mediation.models import InboundMessage
from tests.mediation.conftest import receive_partner
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in

PAGE = "/admin/inbound-messages"
BROKEN = b"<TroubleReport><Subscriber>"


@pytest.fixture
def admin(new_browser, users):
    made = users.make("administrator", username="ida.admin")
    browser = new_browser()
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


@pytest.fixture
def rejected(sessions, session) -> str:
    """A partner's malformed message, rejected by a worker."""
    store = InboundStore(sessions)
    received = receive_partner(store, "acme-networks", BROKEN, "application/xml")
    message = session.get(InboundMessage, received.id)
    message.state, message.reason = "rejected", "profile: no active profile of partner acme"
    message.history = [
        *message.history,
        {
            "state": "rejected",
            "at": "2026-12-01T10:00:00Z",
            "by": "worker",
            "reason": message.reason,
        },
    ]
    session.commit()
    return received.id


def test_rejected_messages_are_listed_with_why(admin, rejected):
    words = main_text(admin.get(f"{CONSOLE}{PAGE}").text)

    assert "Inbound messages" in words
    assert "acme-networks" in words and "no active profile of partner acme" in words
    received = main_text(admin.get(f"{CONSOLE}{PAGE}?state=received").text)
    assert "No message is in this state." in received


def test_a_message_shows_its_raw_content_and_history_and_is_applied_again(admin, rejected, session):
    path = f"{PAGE}/{rejected}"
    page = admin.get(f"{CONSOLE}{path}")
    words = main_text(page.text)
    assert "Rejected: profile: no active profile of partner acme" in words
    assert "&lt;TroubleReport&gt;&lt;Subscriber&gt;" in page.text  # escaped, as it came
    assert "application/xml" in words and "Apply again" in words

    replayed = admin.post(f"{CONSOLE}{path}/replay", data={"csrf_token": csrf_in(page.text)})

    assert replayed.status_code == 303
    after = main_text(admin.get(replayed.headers["location"]).text)
    assert "It is back to be applied" in after and "Apply again" not in after
    assert "applied again (was Rejected)" in after
    session.rollback()
    assert session.get(InboundMessage, rejected, populate_existing=True).state == RECEIVED


def test_a_replay_without_the_forms_token_is_refused(admin, rejected, session):
    refused = admin.post(f"{CONSOLE}{PAGE}/{rejected}/replay", data={})

    assert refused.status_code == 403
    session.rollback()
    assert session.get(InboundMessage, rejected, populate_existing=True).state == "rejected"


def test_the_pages_in_german(new_browser, users, rejected):
    made = users.make("administrator", username="ida.admin.de")
    browser = new_browser(headers={"Accept-Language": "de-DE,de;q=0.9"})
    sign_in(browser, made.user.username)

    words = main_text(browser.get(f"{CONSOLE}{PAGE}/{rejected}").text)

    assert "Eingehende Nachricht" in words and "Erneut anwenden" in words
    assert "Inhalt wie empfangen" in words


def test_agents_reach_none_of_it(signed_in, rejected):
    home = signed_in.get(f"{CONSOLE}/").text

    assert f'href="{CONSOLE}{PAGE}"' not in home
    assert signed_in.get(f"{CONSOLE}{PAGE}").status_code == 403
    assert signed_in.get(f"{CONSOLE}{PAGE}/{rejected}").status_code == 403
    posted = signed_in.post(
        f"{CONSOLE}{PAGE}/{rejected}/replay", data={"csrf_token": csrf_in(home)}
    )
    assert posted.status_code == 403


def test_an_unknown_message_is_404(admin):
    assert admin.get(f"{CONSOLE}{PAGE}/no-such-message").status_code == 404
