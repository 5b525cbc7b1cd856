"""What a customer wrote themselves: the quoted history stripped from the reply-parser corpus
(zapier/email-reply-parser's test emails, with what that project's tests expect of each),
German clients' quote headers, and phone numbers found in the signature."""

import pytest

from parley.mediation.email.replies import Reply, signature_phones, visible_reply
from tests.mediation.email.conftest import reply_corpus


def _reply(name: str) -> Reply:
    return visible_reply(reply_corpus(name))


@pytest.mark.parametrize(
    ("name", "wanted", "left_out"),
    [
        ("email_1_2", "You can list the keys for the bucket", "riak-users"),
        ("email_1_4", "Awesome! I haven't had another problem with it.", "Loader"),
        ("email_1_7", ":+1:", "Steps 0-2"),
        ("email_2_1", "Outlook with a reply", "From:"),
        ("email_2_2", "Outlook with a reply directly above line", "From:"),
        ("email_iPhone", "Here is another email", "Sent from my iPhone"),
        ("email_BlackBerry", "Here is another email", "Sent from my BlackBerry"),
        ("email_one_is_not_on", "Thank, this is really helpful.", "Dave Tapley wrote:"),
        ("email_gmail", "This is a test for inbox replying", "xxx@gmail.com"),
        ("email_headers_no_delimiter", "And another reply!", "Sent from my iPhone"),
        ("correct_sig", "this is an email with a correct -- signature.", "rick"),
    ],
)
def test_the_reply_is_what_the_sender_wrote(name, wanted, left_out):
    reply = _reply(name)

    assert wanted in reply.text
    assert left_out not in reply.text


def test_exact_replies_of_the_corpus():
    assert _reply("email_2_1").text == "Outlook with a reply"
    assert _reply("email_2_2").text == "Outlook with a reply directly above line"
    assert _reply("email_headers_no_delimiter").text == "And another reply!"


def test_a_partial_quote_header_keeps_the_reply_whole():
    reply = _reply("email_partial_quote_header").text

    for part in ("On your remote host you can run:", "telnet 127.0.0.1 52698",
                 "This should connect to TextMate"):  # fmt: skip
        assert part in reply


def test_a_signature_delimiter_mid_line_is_no_signature():
    assert _reply("email_sig_delimiter_in_middle_of_line").signature == ""
    assert _reply("correct_sig").signature == "-- \nrick"


def test_the_pathological_mail_is_read():
    assert _reply("pathological").text.startswith("I think you're onto something.")


@pytest.mark.parametrize(
    "header",
    [
        "Am 03.12.2026 um 10:15 schrieb Parley Support <support@parley.test>:",
        "Am Mi., 3. Dez. 2026 um 10:15 Uhr schrieb Parley Support\n<support@parley.test>:",
        "-----Ursprüngliche Nachricht-----\nVon: Parley Support",
        "Von: Parley Support <support@parley.test>\nGesendet: Mittwoch, 3. Dezember 2026 10:15",
    ],
)
def test_german_quote_headers_end_the_reply(header):
    text = (
        "Hallo,\n\nmein Internet geht wieder.\n\nViele Grüße\nNora Keller\n\n"
        f"{header}\n> Ihre Anfrage R-4821-77349 ist eingegangen.\n"
    )

    reply = visible_reply(text)

    assert reply.text.endswith("Nora Keller")
    assert "eingegangen" not in reply.text and "Parley Support" not in reply.text


def test_phone_numbers_in_the_signature_are_found_in_e164():
    reply = visible_reply(
        "Please call me back.\n\n-- \nNora Keller\nMobile: 0171 3334440\nFax +49 30 1234567\n"
    )

    assert signature_phones(reply, "DE") == ["+491713334440", "+49301234567"]


def test_without_a_delimiter_the_last_lines_are_the_signature():
    text = "Line\n" * 20 + "My number is in the first line.\n" + "Nora\nTel. 0171 3334440\n"

    assert signature_phones(visible_reply(text), "DE") == ["+491713334440"]
    assert signature_phones(visible_reply("Call 0171 3334440\n" + "Text\n" * 10), "DE") == []
