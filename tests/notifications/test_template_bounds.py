"""Templates that ask for too much: bounded in time, memory, output and arithmetic, rendered in a
child process, so that a template is a 400 naming the bound (at preview and when it is saved),
a message made from it at send time fails with the reason, and the API process lives on."""

import signal
import time

import pytest
from sqlalchemy import select

from parley.notifications import renderer
from parley.notifications.models import CommunicationMessage
from parley.outbox.models import OutboxMessage
from tests.factories import assert_tmf_error, create_customer

TEMPLATES = "/api/v1/message-templates"
MESSAGES = "/tmf-api/communicationManagement/v4/communicationMessage"
NESTED_LOOPS = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"

# What the probe of issue 18 sent, and the other ways of asking for too much.
BOMBS = {
    "a gigabyte by '*'": ("{{ ('x' * 10**9)|length }}", "'*'", "100000"),
    "a huge power": ("{{ 10**5000 }}", "'**'", "1024 bits"),
    "a huge product": ("{{ (2**1000) * (2**1000) }}", "'*'", "1024 bits"),
    "a long range": ("{{ range(10**6)|list|length }}", "range()", "10000"),
    "a growing sum": (
        "{% set ns = namespace(s='x' * 60000) %}{{ (ns.s + ns.s)|length }}",
        "'+'",
        "100000",
    ),
    "a wide format": ("{{ '%0999999999d' % 1 }}", "'%'", "1000"),
    "too much output": ("{% for i in range(2000) %}{{ 'x' * 100 }}{% endfor %}", "100000"),
    "padding to a gigabyte": ("{{ 'x'|center(10**9) }}", "256 MiB"),
    "doubling by ~": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "256 MiB",
    ),
    "endless recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    "nested loops for minutes": (NESTED_LOOPS, "2 seconds"),
}


def _draft(body: str, **variables) -> dict:
    return {"channel": "email", "subject": "Hello", "body": body, "variables": variables}


@pytest.mark.parametrize(("body", "named"), [(b[0], b[1:]) for b in BOMBS.values()], ids=BOMBS)
def test_a_preview_that_asks_for_too_much_is_a_400_naming_the_bound(client, body, named):
    started = time.monotonic()

    response = client.post(f"{TEMPLATES}/preview", json=_draft(body))

    assert_tmf_error(response, 400, "body", *named)
    assert time.monotonic() - started < renderer.RENDER_SECONDS + renderer.GRACE_SECONDS + 2
    # The process that answered is whole: the next preview renders.
    fine = client.post(f"{TEMPLATES}/preview", json=_draft("Hi {{ name }}", name="Ana"))
    assert fine.status_code == 200, fine.text
    assert fine.json()["body"] == "Hi Ana"


def test_the_power_of_the_probe_is_a_400_not_a_500(client):
    response = client.post(
        f"{TEMPLATES}/preview", json={"channel": "sms", "body": "{{ 10**5000 }}"}
    )

    assert_tmf_error(response, 400, "1024 bits")


def test_ordinary_arithmetic_and_loops_still_work(client):
    body = (
        "{{ 2**100 }} {{ 'ab' * 3 }} {{ [1, 2] + [3] }} {{ '%05.1f' % price }} "
        "{% for i in range(3) %}{{ i }}{% endfor %}"
    )

    response = client.post(f"{TEMPLATES}/preview", json=_draft(body, price=4.5))

    assert response.status_code == 200, response.text
    assert response.json()["body"] == f"{2**100} ababab [1, 2, 3] 004.5 012"


def test_a_bound_that_depends_on_the_variables_is_found_at_preview(client):
    template = {"kind": "offer.echo", "channel": "sms", "language": "en"}
    created = client.post(TEMPLATES, json={**template, "body": "{{ word * times }}"})
    assert created.status_code == 201, created.text
    preview = f"{TEMPLATES}/{created.json()['id']}/preview"

    assert client.post(preview, json={"variables": {"word": "ab", "times": 3}}).json()["body"] == (
        "ababab"
    )
    too_many = client.post(preview, json={"variables": {"word": "ab", "times": 10**8}})
    assert_tmf_error(too_many, 400, "'*'", "100000")


@pytest.mark.parametrize(
    "body", [BOMBS["a huge power"][0], NESTED_LOOPS, BOMBS["doubling by ~"][0]]
)
def test_a_template_that_breaks_a_bound_whatever_it_is_given_is_not_saved(client, body):
    template = {"kind": "offer.bomb", "channel": "sms", "language": "en"}

    assert_tmf_error(client.post(TEMPLATES, json={**template, "body": body}), 400, "body")
    assert client.get(TEMPLATES, params={"kind": "offer.bomb"}).json() == []

    saved = client.post(TEMPLATES, json={**template, "body": "Hi {{ name }}"}).json()
    reworded = client.patch(f"{TEMPLATES}/{saved['id']}", json={"body": body})
    assert_tmf_error(reworded, 400, "body")
    assert client.get(f"{TEMPLATES}/{saved['id']}").json()["body"] == "Hi {{ name }}"


def test_a_template_deeper_than_the_parser_reaches_is_a_400(client):
    body = "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"

    assert_tmf_error(client.post(f"{TEMPLATES}/preview", json=_draft(body)), 400, "body")


def test_a_message_whose_rendering_breaks_a_bound_fails_with_the_reason(client, session):
    template = {"kind": "offer.echo", "channel": "sms", "language": "en", "category": "service"}
    assert (
        client.post(TEMPLATES, json={**template, "body": "{{ word * times }}"}).status_code == 201
    )
    customer = create_customer(client)
    message = {
        "messageType": "SMS",
        "receiver": [{"party": {"id": customer["id"], "@referredType": "Customer"}}],
        "sender": {},
        "characteristic": [
            {"name": "templateKind", "value": "offer.echo"},
            {"name": "word", "value": "ab"},
            {"name": "times", "value": 10**8},
        ],
    }

    created = client.post(MESSAGES, json=message)

    assert created.status_code == 201, created.text
    assert created.json()["state"] == "failed"
    reason = next(c for c in created.json()["characteristic"] if c["name"] == "failureReason")
    assert "could not be rendered" in reason["value"] and "100000" in reason["value"]
    stored = session.get(CommunicationMessage, created.json()["id"])
    assert stored.state == "failed"
    queued = session.scalars(select(OutboxMessage).where(OutboxMessage.subject_id == stored.id))
    assert list(queued) == []


def test_a_renderer_that_does_not_answer_in_time_is_killed_and_replaced(client, monkeypatch):
    warm = client.post(f"{TEMPLATES}/preview", json=_draft("Hi"))
    assert warm.status_code == 200, warm.text
    child = renderer.renderers().idle[-1]  # the one the next job is given
    # The parent waits less than the child's own alarm: as it would for a child stuck in one
    # long operation that no alarm interrupts. Had the alarm answered first, the child would be
    # back among the idle ones, alive; killed by the parent, it is gone.
    monkeypatch.setattr(renderer, "GRACE_SECONDS", -1.5)

    stuck = client.post(f"{TEMPLATES}/preview", json=_draft(NESTED_LOOPS))

    assert_tmf_error(stuck, 400, "2 seconds")
    assert child.process.returncode == -signal.SIGKILL
    assert child not in renderer.renderers().idle
    assert all(other.process.poll() is None for other in renderer.renderers().idle)
    monkeypatch.undo()
    fine = client.post(f"{TEMPLATES}/preview", json=_draft("Hi {{ name }}", name="Ana"))
    assert fine.json()["body"] == "Hi Ana"


def test_when_every_renderer_is_busy_the_answer_is_a_503_to_retry(client, monkeypatch):
    busy = renderer.Renderers(size=1)
    busy.slots.acquire()  # the one renderer is at work for someone else
    monkeypatch.setattr(renderer, "_renderers", busy)
    monkeypatch.setattr(renderer, "QUEUE_SECONDS", 0.1)

    response = client.post(f"{TEMPLATES}/preview", json=_draft("Hi {{ name }}", name="Ana"))

    assert_tmf_error(response, 503, "busy")
    busy.slots.release()
    assert client.post(f"{TEMPLATES}/preview", json=_draft("Hi")).status_code == 200
    busy.close()
