"""Verify a caller: PIN and security questions, argon2 hashes, lock-out, and the attempt log."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.parties.models import CustomerSecurity, SecurityQuestion, VerificationAttempt
from parley.parties.verification import VerificationService
from tests.conftest import CUSTOMER_API, PARLEY_API, staff_headers
from tests.factories import assert_tmf_error, create_person_customer

PIN = "2468"
QUESTION = "Where was your mother born?"
ANSWER = "Müller-Lüdenscheidt"
AGENT = {"X-Parley-Channel": "phone"}


def security_url(customer: dict) -> str:
    return f"{PARLEY_API}/customers/{customer['id']}/security"


def verification_url(customer: dict) -> str:
    return f"{PARLEY_API}/customers/{customer['id']}/verification"


def put_security(client, customer: dict, **body) -> dict:
    response = client.put(security_url(customer), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def secured_customer(client) -> tuple[dict, str]:
    """A customer with PIN and one security question; returns it and the question's id."""
    customer = create_person_customer(client, "Vera", "Lange")
    body = put_security(
        client, customer, pin=PIN, questions=[{"question": QUESTION, "answer": ANSWER}]
    )
    return customer, body["questions"][0]["id"]


def verify(client, customer: dict, answer: str, method: str = "pin", headers=None, **extra):
    body = {"method": method, "answer": answer, **extra}
    headers = AGENT if headers is None else headers
    response = client.post(verification_url(customer), json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def attempts(client, customer: dict) -> list[dict]:
    response = client.get(verification_url(customer))
    assert response.status_code == 200, response.text
    return response.json()


# -- setting security --------------------------------------------------------------------


def test_a_new_customer_has_no_security(client):
    customer = create_person_customer(client, "Vera", "Lange")

    response = client.get(security_url(customer))

    assert response.status_code == 200
    assert response.json() == {"hasPin": False, "questions": [], "lockedUntil": None}


def test_setting_pin_and_questions_never_shows_hashes_or_answers(client):
    customer = create_person_customer(client, "Vera", "Lange")

    put = put_security(
        client,
        customer,
        pin=PIN,
        questions=[
            {"question": QUESTION, "answer": ANSWER},
            {"question": "Name of your first pet?", "answer": "Bello"},
        ],
    )
    got = client.get(security_url(customer))

    assert got.json() == put
    assert put["hasPin"] is True and put["lockedUntil"] is None
    assert {q["question"] for q in put["questions"]} == {QUESTION, "Name of your first pet?"}
    assert all(set(q) == {"id", "question"} for q in put["questions"])
    for secret in ("argon2", PIN, "Lüdenscheidt", "ludenscheidt", "Bello", "bello", "hash"):
        assert secret not in got.text


def test_stored_pin_and_answers_are_salted_argon2_hashes(client, session):
    customer, _ = secured_customer(client)
    other = create_person_customer(client, "Uwe", "Lange")
    put_security(client, other, pin=PIN)

    hashes = session.scalars(select(CustomerSecurity.pin_hash)).all()
    answers = session.scalars(select(SecurityQuestion.answer_hash)).all()

    assert len(hashes) == 2 and len(set(hashes)) == 2
    assert all(h.startswith("$argon2") for h in [*hashes, *answers])
    assert all(PIN not in h for h in hashes)


def test_pin_and_questions_can_be_changed_separately(client):
    customer, question_id = secured_customer(client)

    only_pin = put_security(client, customer, pin="97531")
    assert [q["id"] for q in only_pin["questions"]] == [question_id]
    assert verify(client, customer, "97531")["verified"] is True

    only_questions = put_security(
        client,
        customer,
        questions=[
            {"question": "Favourite football club?", "answer": "St. Pauli"},
        ],
    )
    assert only_questions["hasPin"] is True
    [new_question] = only_questions["questions"]
    assert new_question["id"] != question_id
    assert verify(client, customer, "97531")["verified"] is True
    assert (
        verify(client, customer, "st pauli", "question", questionId=new_question["id"])["verified"]
        is True
    )


# -- checking PIN and answers ------------------------------------------------------------


def test_a_wrong_pin_fails_and_the_right_one_passes(client):
    customer, _ = secured_customer(client)

    wrong = verify(client, customer, "1357")
    right = verify(client, customer, f" {PIN} ")

    assert wrong == {
        "verified": False,
        "outcome": "failed",
        "attemptsRemaining": 2,
        "lockedUntil": None,
    }
    assert right == {
        "verified": True,
        "outcome": "passed",
        "attemptsRemaining": 3,
        "lockedUntil": None,
    }


@pytest.mark.parametrize(
    "said",
    [
        "Müller-Lüdenscheidt",
        "muller ludenscheidt",
        "MUELLER LUEDENSCHEIDT",
        "  Muller   Ludenscheidt ",
        "müller lüdenscheidt",
        "MÜLLER-LÜDENSCHEIDT",
    ],
)
def test_security_answers_ignore_case_accents_and_spacing(client, said):
    customer, question_id = secured_customer(client)

    result = verify(client, customer, said, "question", questionId=question_id)

    expected = "mueller" not in said.lower()  # a transliteration is a different answer
    assert result["verified"] is expected


def test_a_wrong_security_answer_fails(client):
    customer, question_id = secured_customer(client)

    result = verify(client, customer, "Hamburg", "question", questionId=question_id)

    assert result["outcome"] == "failed" and result["verified"] is False


# -- lock-out and the attempt log --------------------------------------------------------


def test_three_failures_lock_verification_even_for_the_right_pin(client):
    customer, question_id = secured_customer(client)
    before = utcnow()

    results = [verify(client, customer, wrong) for wrong in ("0000", "1111", "2222")]
    locked_pin = verify(client, customer, PIN)
    locked_question = verify(client, customer, ANSWER, "question", questionId=question_id)

    assert [r["outcome"] for r in results] == ["failed"] * 3
    assert [r["attemptsRemaining"] for r in results] == [2, 1, 0]
    assert results[-1]["lockedUntil"] is not None
    for result in (locked_pin, locked_question):
        assert result["outcome"] == "locked" and result["verified"] is False
        assert result["attemptsRemaining"] == 0
        assert result["lockedUntil"] == results[-1]["lockedUntil"]
    security = client.get(security_url(customer)).json()
    assert security["lockedUntil"] == results[-1]["lockedUntil"]
    until = datetime.fromisoformat(results[-1]["lockedUntil"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < until - before <= timedelta(minutes=15, seconds=30)


def test_every_attempt_is_recorded_with_who_asked_through_which_channel(client, as_user):
    customer, question_id = secured_customer(client)
    kim, ivr, ole = as_user("agent.kim"), as_user("ivr-7"), as_user("agent.ole")

    verify(client, customer, "0000", headers={**kim, "X-Parley-Channel": "phone"})
    verify(
        client,
        customer,
        ANSWER,
        "question",
        questionId=question_id,
        headers={**ivr, "X-Parley-Channel": "ivr"},
    )
    verify(client, customer, "1111", headers=kim)
    verify(client, customer, "2222", headers=kim)
    verify(client, customer, "3333", headers=kim)
    verify(client, customer, PIN, headers={**ole, "X-Parley-Channel": "shop"})

    log = attempts(client, customer)

    assert [(a["method"], a["outcome"], a["askedBy"], a["channel"]) for a in log] == [
        ("pin", "locked", "agent.ole", "shop"),
        ("pin", "failed", "agent.kim", "api"),
        ("pin", "failed", "agent.kim", "api"),
        ("pin", "failed", "agent.kim", "api"),
        ("question", "passed", "ivr-7", "ivr"),
        ("pin", "failed", "agent.kim", "phone"),
    ]
    assert all(set(a) == {"method", "outcome", "askedBy", "channel", "attemptedAt"} for a in log)


def _expire_lock(session, customer: dict) -> None:
    """Move the customer's lock into the past, as if its 15 minutes had gone by."""
    security = session.get(CustomerSecurity, customer["id"])
    assert security.locked_until is not None
    security.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()


def test_after_the_lock_expires_the_right_pin_passes_and_resets_the_counter(client, session):
    customer, _ = secured_customer(client)
    for wrong in ("0000", "1111", "2222"):
        verify(client, customer, wrong)
    _expire_lock(session, customer)

    passed = verify(client, customer, PIN)
    failed = verify(client, customer, "0000")

    assert passed == {
        "verified": True,
        "outcome": "passed",
        "attemptsRemaining": 3,
        "lockedUntil": None,
    }
    assert failed["outcome"] == "failed" and failed["attemptsRemaining"] == 2
    assert client.get(security_url(customer)).json()["lockedUntil"] is None


def test_after_the_lock_expires_a_wrong_pin_starts_a_new_count(client, session):
    customer, _ = secured_customer(client)
    for wrong in ("0000", "1111", "2222"):
        verify(client, customer, wrong)
    _expire_lock(session, customer)

    results = [verify(client, customer, wrong) for wrong in ("3333", "4444")]

    assert [(r["outcome"], r["attemptsRemaining"], r["lockedUntil"]) for r in results] == [
        ("failed", 2, None),
        ("failed", 1, None),
    ]


def test_the_service_locks_and_unlocks_by_the_clock(client, session, settings):
    customer, _ = secured_customer(client)
    service = VerificationService(UnitOfWork(session, settings, Actor("agent.kim", "phone")))

    outcomes = [service.verify(customer["id"], "pin", "0000").outcome for _ in range(3)]
    locked = service.verify(customer["id"], "pin", PIN)
    session.commit()
    _expire_lock(session, customer)
    unlocked = service.verify(customer["id"], "pin", PIN)
    session.commit()

    assert outcomes == ["failed", "failed", "failed"]
    assert locked.outcome == "locked" and not locked.verified
    assert unlocked.verified and unlocked.outcome == "passed"
    security = session.get(CustomerSecurity, customer["id"])
    assert (security.failed_attempts, security.locked_until) == (0, None)
    recorded = session.scalars(select(VerificationAttempt.outcome)).all()
    assert sorted(recorded) == ["failed", "failed", "failed", "locked", "passed"]


def test_a_customer_with_verification_history_cannot_be_deleted(client):
    customer, _ = secured_customer(client)
    verify(client, customer, PIN)

    response = client.delete(f"{CUSTOMER_API}/customer/{customer['id']}")

    assert_tmf_error(response, 409)
    assert client.get(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 200


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"pin": "123"},
        {"pin": "123456789"},
        {"pin": "12a4"},
        {"pin": ""},
        {"pin": "12 34"},
        {"pin": "¹²³⁴"},
        {"pin": "١٢٣٤"},
        {"pin": 2468},
        {},
        {"pin": PIN, "pinHash": "$argon2id$x"},
        {"pin": PIN, "questions": [{"question": QUESTION, "answer": "x"}]},
        {"pin": PIN, "questions": [{"question": "  ", "answer": ANSWER}]},
        {"pin": PIN, "questions": [{"question": QUESTION, "answer": ANSWER, "hint": "M"}]},
        {"questions": [{"question": f"Question {i}?", "answer": "answer"} for i in range(6)]},
    ],
)
def test_bad_security_input_is_refused_and_writes_nothing(client, body):
    customer = create_person_customer(client, "Vera", "Lange")

    response = client.put(security_url(customer), json=body)

    assert_tmf_error(response, 400)
    assert client.get(security_url(customer)).json() == {
        "hasPin": False,
        "questions": [],
        "lockedUntil": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"method": "sms", "answer": PIN},
        {"method": "pin"},
        {"method": "pin", "answer": ""},
        {"method": "pin", "answer": PIN, "pin": PIN},
        {"method": "question", "answer": ANSWER},
        {"method": "question", "answer": ANSWER, "questionId": "no-such-question"},
    ],
)
def test_bad_verification_input_is_refused_and_not_recorded(client, body):
    customer, _ = secured_customer(client)

    response = client.post(verification_url(customer), json=body, headers=AGENT)

    assert_tmf_error(response, 400)
    assert attempts(client, customer) == []


def test_another_customers_question_cannot_be_used(client):
    customer, _ = secured_customer(client)
    _, foreign_question = secured_customer(client)

    response = client.post(
        verification_url(customer),
        json={
            "method": "question",
            "answer": ANSWER,
            "questionId": foreign_question,
        },
    )

    assert_tmf_error(response, 400)
    assert attempts(client, customer) == []


def test_verifying_a_customer_without_a_pin_is_refused_and_not_recorded(client):
    customer = create_person_customer(client, "Vera", "Lange")

    response = client.post(verification_url(customer), json={"method": "pin", "answer": PIN})

    assert_tmf_error(response, 400)
    assert "no PIN" in response.json()["message"]
    assert attempts(client, customer) == []


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "security", None),
        ("put", "security", {"pin": PIN}),
        ("get", "verification", None),
        ("post", "verification", {"method": "pin", "answer": PIN}),
    ],
)
def test_security_of_an_unknown_customer_is_404(client, method, suffix, body):
    url = f"{PARLEY_API}/customers/00000000-0000-4000-8000-000000000000/{suffix}"

    response = client.request(method, url, json=body)

    assert_tmf_error(response, 404)


@pytest.mark.parametrize("path", ["security", "verification", "notes"])
def test_an_id_the_database_cannot_hold_is_not_found(client, path):
    # A NUL in the id made PostgreSQL fail (500) where the customer was looked up twice over.
    response = client.get(f"{PARLEY_API}/customers/a%00b/{path}")
    assert_tmf_error(response, 404)


# -- rate limits (issue 18) ------------------------------------------------------------------


@pytest.fixture
def calm_quarter(clock):
    """A quarter of an hour just begun: no 15-minute window ends while the test runs."""
    now = clock.now()
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    clock.set(start + timedelta(minutes=15, seconds=1))
    return clock


def test_checks_of_one_customer_are_limited_whoever_asks(
    client, as_user, session, settings, calm_quarter
):
    customer, _ = secured_customer(client)
    url = verification_url(customer)
    answers = []
    for n in range(12):  # right and wrong, from two agents: all are checks
        agent = as_user("agent.kim" if n % 2 else "agent.lee")
        pin = PIN if n % 3 else "0000"
        answers.append(client.post(url, json={"method": "pin", "answer": pin}, headers=agent))

    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    body = assert_tmf_error(answers[10], 429, "of one customer", "10/15 minutes")
    assert body["code"] == "TOO_MANY_REQUESTS" and answers[10].headers["retry-after"]
    assert len(attempts(client, customer)) == 10  # refused checks compare nothing
    throttled = client.get(f"{PARLEY_API}/audit", params={"action": "throttled"}).json()
    assert [e["resourceId"] for e in throttled] == [customer["id"]]
    calm_quarter.advance(minutes=15)  # a new window (and new tokens: the old ran out)
    assert verify(client, customer, PIN, headers=staff_headers(session, settings, "agent"))[
        "verified"
    ]


def test_checks_by_one_user_over_many_customers_are_limited(
    client, as_user, settings, calm_quarter
):
    """Guessing one PIN for each of many customers (no customer's lock is reached)."""
    settings.verification_user_limit = "5/15 minutes"
    customers = [secured_customer(client)[0] for _ in range(6)]
    agent = as_user("agent.kim")

    answers = [
        client.post(verification_url(c), json={"method": "pin", "answer": "1234"}, headers=agent)
        for c in customers
    ]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert_tmf_error(answers[5], 429, "by one user", "5/15 minutes")
    assert verify(client, customers[5], PIN, headers=as_user("agent.lee"))["verified"]
