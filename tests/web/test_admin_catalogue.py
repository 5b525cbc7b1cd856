"""Administering what agents choose from and what Parley sends, through the TestClient:
request types' SLA targets, interaction reasons (with their summary policy), message
templates with their live preview (errors beside the field), and the outbox's dead letters
(sent again); wrong and stale forms change nothing; agents reach none of it."""

import re

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.interactions.models import InteractionReason
from parley.notifications.models import MessageTemplate
from parley.outbox.models import DEAD, PENDING, OutboxMessage
from parley.outbox.service import OutboxService
from parley.requests.models import RequestType
from tests.web.conftest import CONSOLE, csrf_in, main_text, sign_in
from tests.web.helpers import error_beside


@pytest.fixture
def admin(new_browser, users):
    made = users.make("administrator", username="alex.admin")
    browser = new_browser()
    assert sign_in(browser, made.user.username).status_code == 303
    return browser


def _post(browser, path: str, page: str, data: dict, **headers):
    html = browser.get(f"{CONSOLE}{page}").text
    body = {"csrf_token": csrf_in(html), **data}
    stamp = re.search(
        rf'action="{re.escape(CONSOLE + path)}".*?name="updated" value="([^"]+)"', html, re.S
    )
    if stamp and "updated" not in data:
        body["updated"] = stamp.group(1)
    return browser.post(f"{CONSOLE}{path}", data=body, headers=headers)


def _fresh(session, model, key):
    session.rollback()
    row = session.get(model, key, populate_existing=True)
    session.expunge(row)
    session.rollback()
    return row


def _type(session, code: str) -> RequestType:
    session.rollback()
    row = session.scalar(select(RequestType).where(RequestType.code == code))
    session.rollback()
    return _fresh(session, RequestType, row.id)


def test_sla_targets_of_a_request_type(admin, session):
    fault = _type(session, "fault.repair")
    page = f"/admin/request-types/{fault.id}"
    listing = main_text(admin.get(f"{CONSOLE}/admin/request-types").text)
    assert "Fault repair fault.repair Offered" in listing

    wrong = _post(
        admin,
        page,
        page,
        {
            "hours_critical": "0",
            "hours_high": "x",
            "hours_medium": "8",
            "hours_low": "48",
            "warning": "150",
        },
    )
    assert wrong.status_code == 422
    assert error_beside(wrong.text, "sla-hours_critical").startswith("A number of hours above 0")
    assert error_beside(wrong.text, "sla-hours_high").startswith("A number of hours")
    assert error_beside(wrong.text, "sla-warning").startswith("A whole percentage")
    assert _type(session, "fault.repair").document == fault.document

    saved = _post(
        admin,
        page,
        page,
        {
            "hours_critical": "2",
            "hours_high": "4,5",
            "hours_medium": "8",
            "hours_low": "48",
            "warning": "75",
        },
    )
    assert saved.status_code == 303
    document = _type(session, "fault.repair").document
    assert {t["priority"]: t["hours"] for t in document["slaTarget"]} == {
        "critical": 2,
        "high": 4.5,
        "medium": 8,
        "low": 48,
    }
    assert document["slaWarningPercent"] == 75
    stale = _post(
        admin,
        page,
        page,
        {
            "hours_critical": "1",
            "hours_high": "1",
            "hours_medium": "1",
            "hours_low": "1",
            "updated": "2020-01-01",
        },
    )
    assert stale.status_code == 422 and "Someone else changed this" in main_text(stale.text)
    assert _type(session, "fault.repair").document["slaWarningPercent"] == 75


def test_interaction_reasons_and_their_summary_policy(admin, session):
    page = "/admin/reasons"
    changed = _post(
        admin,
        "/admin/reasons/complaint",
        page,
        {"label": "Complaint about us", "policy": "always", "active": "yes"},
    )
    assert changed.status_code == 303
    row = _fresh(session, InteractionReason, "complaint")
    assert (row.label, row.summary_policy, row.active) == ("Complaint about us", "always", True)
    retired = _post(
        admin, "/admin/reasons/complaint", page, {"label": "Complaint", "policy": "never"}
    )
    assert retired.status_code == 303 and not _fresh(session, InteractionReason, "complaint").active

    blank = _post(admin, "/admin/reasons/complaint", page, {"label": " ", "policy": "sometimes"})
    assert blank.status_code == 422
    assert (
        error_beside(blank.text, f"reason-{_index(blank.text, 'complaint')}-label") == "Required."
    )

    made = _post(
        admin,
        page,
        page,
        {
            "code": "roaming.enquiry",
            "label": "Roaming enquiry",
            "category": "billing",
            "policy": "agentDecides",
        },
    )
    assert made.status_code == 303
    assert _fresh(session, InteractionReason, "roaming.enquiry").summary_policy == "agentDecides"
    again = _post(
        admin,
        page,
        page,
        {"code": "roaming.enquiry", "label": "Again", "category": "billing", "policy": "never"},
    )
    bad = _post(
        admin, page, page, {"code": "Not A Code", "label": "x", "category": "x", "policy": "never"}
    )
    assert again.status_code == bad.status_code == 422
    assert "already in the catalogue" in error_beside(again.text, "new-reason-code")
    assert "lower-case letters" in error_beside(bad.text, "new-reason-code")


def _index(html: str, code: str) -> int:
    codes = re.findall(r'action="/console/admin/reasons/([^"]+)"', html)
    return codes.index(code) + 1


def _template(session, kind: str, channel: str, language: str = "en") -> MessageTemplate:
    session.rollback()
    row = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.kind == kind,
            MessageTemplate.channel == channel,
            MessageTemplate.language == language,
        )
    )
    session.rollback()
    return _fresh(session, MessageTemplate, row.id)


def test_a_template_previews_live_with_errors_beside_the_field(admin, session):
    template = _template(session, "interaction.summary", "email")
    page = f"/admin/templates/{template.id}"
    shown = admin.get(f"{CONSOLE}{page}").text
    assert "customerName = Anna Schmidt" in shown
    assert "Dear Anna Schmidt," in main_text(shown)
    live = {"hx-request": "true"}
    samples = "customerName = Jan\ndate = 1 May\nsummary = Fixed"

    broken = _post(
        admin,
        f"{page}/preview",
        page,
        {"subject": "Hi", "body": "Dear {{ customerName ", "samples": samples},
        **live,
    )
    unknown = _post(
        admin,
        f"{page}/preview",
        page,
        {"subject": "Hi", "body": "Dear {{ nickname }}", "samples": samples},
        **live,
    )
    good = _post(
        admin,
        f"{page}/preview",
        page,
        {
            "subject": "On {{ date }}",
            "body": "Dear {{ customerName }}: {{ summary }}",
            "samples": samples,
        },
        **live,
    )

    assert broken.status_code == unknown.status_code == good.status_code == 200
    assert (
        '<div id="tpl-body-problem" class="field-problem" hx-swap-oob="true">'
        '<p class="field-error">' in broken.text
    )
    assert "This is not valid: line 1" in broken.text and "No preview" in broken.text
    assert "nickname" in re.search(r'id="tpl-samples-problem".*?</div>', unknown.text, re.S).group(
        0
    )
    assert "Dear Jan: Fixed" in good.text and "On 1 May" in good.text
    assert '<div id="tpl-body-problem" class="field-problem" hx-swap-oob="true"></div>' in good.text
    assert "<html" not in good.text  # a partial

    plain = _post(
        admin, f"{page}/preview", page, {"subject": "Hi", "body": "{% for %}", "samples": ""}
    )
    assert plain.status_code == 422 and "<html" in plain.text  # without JavaScript: the page
    assert 'aria-invalid="true"' in re.search(r'<textarea id="tpl-body"[^>]*>', plain.text).group(0)
    assert _template(session, "interaction.summary", "email").body == template.body


def test_a_template_is_saved_only_when_it_is_valid(admin, session):
    template = _template(session, "interaction.summary", "sms")
    page = f"/admin/templates/{template.id}"
    bounded = _post(admin, page, page, {"body": "{{ 10 ** 100000 }}", "active": "yes"})
    assert bounded.status_code == 422
    assert _template(session, "interaction.summary", "sms").body == template.body

    saved = _post(admin, page, page, {"body": "Thanks! {{ summary }}", "active": "yes"})
    assert saved.status_code == 303
    assert _template(session, "interaction.summary", "sms").body == "Thanks! {{ summary }}"
    stale = _post(admin, page, page, {"body": "Old", "active": "yes", "updated": "2020"})
    assert stale.status_code == 422
    assert _template(session, "interaction.summary", "sms").body == "Thanks! {{ summary }}"


@pytest.fixture
def dead_letter(session, settings):
    outbox = OutboxService(UnitOfWork(session, settings, Actor("test-setup", "test")))
    made = outbox.enqueue(
        "webhook", {"url": "https://hooks.example.org/in", "secret": "s3cret"}, {"invoice": "INV-7"}
    )
    row = session.get(OutboxMessage, made.id)  # as the worker leaves it after its last try
    row.status, row.attempts, row.last_error = DEAD, 8, "HTTP 404 from hooks.example.org"
    session.commit()
    return made.id


def test_a_dead_letter_is_seen_and_sent_again(admin, session, dead_letter):
    page = "/admin/dead-letters"
    shown = admin.get(f"{CONSOLE}{page}")
    words = main_text(shown.text)
    assert "Attempts 8" in words and "HTTP 404 from hooks.example.org" in words
    assert "https://hooks.example.org/in" in words and "s3cret" not in shown.text

    retried = _post(admin, f"{page}/{dead_letter}/retry", page, {})

    assert retried.status_code == 303
    assert _fresh(session, OutboxMessage, dead_letter).status == PENDING
    after = main_text(admin.get(retried.headers["location"]).text)
    assert "It is queued again" in after and "No dead letters" in after
    twice = _post(admin, f"{page}/{dead_letter}/retry", page, {})
    assert twice.status_code == 409 and "no longer a dead letter" in main_text(twice.text)


def test_agents_reach_none_of_it(signed_in, dead_letter):
    home = signed_in.get(f"{CONSOLE}/").text
    for path in (
        "/admin/request-types",
        "/admin/reasons",
        "/admin/templates",
        "/admin/dead-letters",
    ):
        assert f'href="{CONSOLE}{path}"' not in home
        assert signed_in.get(f"{CONSOLE}{path}").status_code == 403
    posted = signed_in.post(
        f"{CONSOLE}/admin/dead-letters/{dead_letter}/retry", data={"csrf_token": csrf_in(home)}
    )
    assert posted.status_code == 403
