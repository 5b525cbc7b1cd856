"""English and German: every message translated, the language chosen as the user said, the
browser asks, or the deployment says; times in the user's time zone."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from parley.auth.models import User, WebSession
from parley.changes.models import AuditEntry
from parley.web import i18n
from parley.web.i18n import choose_language
from tests.web.conftest import CONSOLE, main_text, post_form, sign_in

WEB = Path(i18n.__file__).parent
NEW_YORK = ZoneInfo("America/New_York")
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def _extracted() -> set[str]:
    with (WEB / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(language: str) -> dict:
    with (WEB / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(source) if m.id}


def test_every_message_of_the_web_pages_has_a_reviewed_german_translation():
    german = _catalogue("de")
    extracted = _extracted()

    missing = sorted(extracted - german.keys())
    assert missing == [], "extract and update the catalogues (docs/console.md)"
    untranslated = sorted(
        m.id if isinstance(m.id, str) else m.id[0]
        for m in german.values()
        if not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy
    )
    assert untranslated == []
    assert sorted(extracted - _catalogue("en").keys()) == []


@pytest.mark.parametrize(
    ("header", "default", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "en", ("de", "DE")),
        ("en-GB,en;q=0.9", "de", ("en", "GB")),
        ("fr-FR,fr;q=0.9", "de", ("de", None)),
        ("fr;q=1, de-AT;q=0.8", "en", ("de", "AT")),
        ("de;q=0, en;q=0.5", "de", ("en", None)),
        ("", "en", ("en", None)),
        ("garbage;;q=x,,", "en", ("en", None)),
    ],
)
def test_the_language_follows_the_browser_else_the_deployments_default(header, default, expected):
    assert choose_language(("de", "en"), None, default, accept_language=header) == expected


def test_the_sign_in_page_speaks_the_browsers_language(new_browser):
    page = new_browser(headers=GERMAN).get(f"{CONSOLE}/sign-in")

    assert '<html lang="de">' in page.text
    assert "Bei der Agenten-Konsole anmelden" in page.text and "Benutzername" in page.text
    assert ">English</button>" in page.text  # the way back, named in its own language


def test_a_language_chosen_before_signing_in_is_kept_for_the_browser(browser):
    response = post_form(browser, "/language", {"language": "de", "next": "/sign-in"}, "/sign-in")

    assert response.headers["location"] == "/console/sign-in"
    assert "Passwort" in browser.get(f"{CONSOLE}/sign-in").text


def test_a_signed_in_users_choice_is_kept_on_their_profile_and_wins(new_browser, agent, session):
    browser = new_browser(headers={"Accept-Language": "en"})
    sign_in(browser, agent.user.username)

    post_form(browser, "/language", {"language": "de", "next": "/"})

    assert "Willkommen" in browser.get(f"{CONSOLE}/").text
    session.expire_all()
    assert session.get(User, agent.user.id).language == "de"
    change = session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert change.after == {"language": "de", "timeZone": None} and change.channel == "console"
    elsewhere = new_browser(headers={"Accept-Language": "en"})  # another computer
    sign_in(elsewhere, agent.user.username)
    assert "Willkommen" in elsewhere.get(f"{CONSOLE}/").text


def test_an_unknown_language_changes_nothing(signed_in, agent, session):
    post_form(signed_in, "/language", {"language": "xx", "next": "/"})

    session.expire_all()
    assert session.get(User, agent.user.id).language is None


def test_error_pages_speak_the_users_language(new_browser, agent):
    browser = new_browser(headers=GERMAN)
    sign_in(browser, agent.user.username)

    missing = browser.get(f"{CONSOLE}/customers/nobody")
    forged = browser.post(f"{CONSOLE}/sign-out", data={"csrf_token": "forged"})

    assert missing.status_code == 404 and "Nicht gefunden" in main_text(missing.text)
    assert forged.status_code == 403 and "Dieses Formular ist abgelaufen" in main_text(forged.text)


def test_times_are_shown_in_the_users_time_zone_in_their_languages_way(new_browser, agent, session):
    user = session.get(User, agent.user.id)
    user.time_zone, user.language = "America/New_York", "de"
    session.commit()
    browser = new_browser()
    sign_in(browser, agent.user.username)

    words = main_text(browser.get(f"{CONSOLE}/").text)

    started = session.scalars(select(WebSession.created_at)).one().astimezone(NEW_YORK)
    assert started.strftime("%d.%m.%Y, %H:%M") in words  # as Germans write it, in New York
    assert "America/New_York" in words
