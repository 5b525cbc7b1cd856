"""Reading raw mail with the standard library's email package: CPython's own test mails
(multipart, nested messages, charsets, encoded words, defects, reports) are read or refused
with the reason, and a program's mail is told apart from a person's (RFC 3834)."""

import os

import pytest

from parley.errors import InvalidInput
from parley.mediation.email.reading import read_mail
from tests.mediation.email.conftest import NORA, make_mail, require_cpython_mails


def _corpus(name: str) -> bytes:
    with open(os.path.join(require_cpython_mails(), name), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("msg_15.txt", "a multipart mail whose boundary never starts"),
        ("msg_25.txt", "a multipart mail without a boundary"),
        ("msg_35.txt", "headers running into the body"),
        ("msg_18.txt", "from: malformed: no sender address"),
        ("msg_43.txt", "from: malformed: no sender address"),  # From: MAILER DAEMON <>
    ],
)
def test_a_mail_that_cannot_be_read_is_refused_with_the_reason(name, reason):
    with pytest.raises(InvalidInput) as refused:
        read_mail(_corpus(name))
    assert reason in refused.value.message
    assert "malformed" in refused.value.message


def test_a_plain_mail_is_read_whole():
    read = read_mail(_corpus("msg_01.txt"))

    assert (read.sender, read.subject) == ("bbb@ddd.com", "This is a test message")
    assert read.message_id == "<15090.61304.110929.45684@aaa.zzz.org>"
    assert read.text.startswith("Hi,") and read.date == "2001-05-04T14:05:44-04:00"
    assert (read.attachments, read.defects, read.automatic) == ([], [], None)


def test_attachments_are_listed_and_the_body_is_the_text_part():
    read = read_mail(_corpus("msg_07.txt"))  # text, and a GIF

    assert read.sender == "barry@digicool.com" and read.sender_name == "Barry"
    (picture,) = read.attachments
    assert (picture.filename, picture.content_type) == ("dingusfish.gif", "image/gif")
    assert picture.size > 100
    assert read.text == "Hi there,\n\nThis is the dingus fish."


def test_a_forwarded_mail_is_one_attachment_not_its_parts():
    read = read_mail(_corpus("msg_46.txt"))  # the whole mail is message/rfc822

    assert [(a.filename, a.content_type) for a in read.attachments] == [
        ("message.eml", "message/rfc822")
    ]


def _raw(content_type: str, body: bytes, subject: bytes = b"Hello") -> bytes:
    return (
        b"From: Nora Keller <nora@example.org>\nTo: support@parley.test\nSubject: " + subject
        + b"\nMIME-Version: 1.0\nContent-Type: " + content_type.encode()
        + b"\nContent-Transfer-Encoding: 8bit\n\n" + body
    )  # fmt: skip


def test_encoded_words_and_charsets_are_decoded():
    subject = b"=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="
    latin = _raw("text/plain; charset=iso-8859-1", "Ärger: 12,50 DM".encode("latin-1"), subject)
    utf8 = _raw("text/plain; charset=utf-8", "Ärger: 12,50 €".encode())

    assert read_mail(latin).subject == "Grüße aus Köln"
    assert read_mail(latin).text == "Ärger: 12,50 DM"
    assert read_mail(utf8).text == "Ärger: 12,50 €"


def test_an_unknown_charset_is_read_as_well_as_can_be_and_said():
    read = read_mail(_raw("text/plain; charset=x-nonsense", "plain wörds".encode()))

    assert read.text == "plain wörds"
    assert read.defects == ["UnknownCharset(x-nonsense)"]


def test_an_html_only_mail_is_read_as_its_text():
    html = (
        b"<html><head><style>p{}</style></head><body><p>Line one</p>"
        b"<p>Line <b>two</b> &amp; more</p><script>alert(1)</script></body></html>\n"
    )

    read = read_mail(_raw("text/html; charset=utf-8", html))

    assert read.html_only and read.text == "Line one\n\nLine two & more"


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Auto_Submitted": "auto-generated; owner-email=x@example.org"}, "auto-generated"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "list"}, "Precedence: list"),
        ({"List_Id": "<support.lists.example.org>"}, "mailing list"),
        ({"X_Auto_Response_Suppress": "OOF, AutoReply"}, "X-Auto-Response-Suppress"),
        ({"Return_Path": "<>"}, "a bounce (empty Return-Path)"),
    ],
)
def test_a_programs_mail_is_told_apart(headers, why):
    assert why in read_mail(make_mail(**headers)).automatic


def test_a_person_and_an_auto_submitted_no_are_not_programs():
    assert read_mail(make_mail()).automatic is None
    assert read_mail(make_mail(Auto_Submitted="no")).automatic is None
    assert read_mail(make_mail(Precedence="first-class")).automatic is None


def test_reports_and_role_addresses_are_programs():
    assert read_mail(_corpus("msg_16.txt")).automatic  # a delivery notification
    assert "mailer-daemon" in read_mail(make_mail(sender="MAILER-DAEMON@example.org")).automatic
    assert read_mail(make_mail(sender="owner-list@example.org")).automatic
    assert read_mail(make_mail(sender="list-request@example.org")).automatic


def test_the_envelope_sender_stands_in_for_a_missing_return_path():
    assert read_mail(make_mail(), envelope_from="").automatic == "a bounce (empty Return-Path)"
    assert read_mail(make_mail(), envelope_from=NORA).return_path == NORA
    assert read_mail(make_mail(Return_Path="<b+1@example.org>")).return_path == "b+1@example.org"


def test_what_a_reply_answers_comes_first():
    read = read_mail(
        make_mail(In_Reply_To="<c@parley.test>", References="<a@parley.test> <b@x> <c@parley.test>")
    )

    assert read.answered_ids() == ["<c@parley.test>", "<b@x>", "<a@parley.test>"]


@pytest.mark.parametrize("name", [f"msg_{n:02d}.txt" for n in range(1, 47)] + ["msg_12a.txt"])
def test_every_cpython_test_mail_is_read_or_refused_never_a_crash(name):
    try:
        read = read_mail(_corpus(name))
    except InvalidInput as refused:
        assert "malformed" in refused.message
    else:
        assert "@" in read.sender
