"""The demo data set: loaded through the services, varied, canonical and identifiable."""

import re
from collections import Counter

import phonenumbers
import pytest
from typer.testing import CliRunner

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.cli import app
from parley.db.repository import Page
from parley.demo import loader as demo_loader
from parley.demo.loader import DEMO_ANSWER, DEMO_PIN, load_demo
from parley.demo.users import DEMO_PASSWORD
from parley.interactions.service import InteractionService
from parley.parties.identification.matching import Identifier
from parley.parties.service import PRIMARY_CONTACT_ROLE, PartyService
from parley.parties.verification import VerificationService

CUSTOMERS = 30
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@pytest.fixture
def summary(session, settings, monkeypatch) -> str:
    monkeypatch.setattr(demo_loader, "SECURED_CUSTOMERS", 1)  # argon2 is slow; one shows the point
    text = load_demo(session, settings, CUSTOMERS, seed=7, if_empty=False)
    session.commit()
    return text


def _customers(session, settings) -> list:
    rows, _ = PartyService(UnitOfWork(session, settings)).find_customers(Page({}, 0, 1000))
    return rows


def _parties(session, settings, kind: str) -> list:
    rows, _ = PartyService(UnitOfWork(session, settings)).find_parties(kind, Page({}, 0, 1000))
    return rows


def _phones(party) -> list[dict]:
    return [
        m for m in party.document.get("contactMedium", []) if m["@type"] == "PhoneContactMedium"
    ]


def test_counts_match_the_summary(summary, session, settings):
    customers = _customers(session, settings)
    organizations = _parties(session, settings, "Organization")
    individuals = _parties(session, settings, "Individual")
    engaged = Counter(c.document["engagedParty"]["@referredType"] for c in customers)
    assert len(customers) == CUSTOMERS
    assert engaged["Organization"] == len(organizations) == round(CUSTOMERS * 0.2)
    # every organisation brings at least one contact person
    assert len(individuals) >= engaged["Individual"] + len(organizations)
    assert f"customers: {CUSTOMERS} " in summary
    assert f"parties: {len(individuals) + len(organizations)} " in summary
    assert f"PIN {DEMO_PIN}" in summary


def test_statuses_vary_and_most_are_active(summary, session, settings):
    statuses = Counter(c.status for c in _customers(session, settings))
    assert set(statuses) == {"active", "prospective", "suspended", "disconnected", "closed"}
    assert statuses["active"] > CUSTOMERS / 2
    accounts = [c for c in _customers(session, settings) if c.document.get("account")]
    assert all(a["id"].startswith("BA-") for c in accounts for a in c.document["account"])
    assert len(accounts) == CUSTOMERS - statuses["prospective"]


def test_organisations_have_exactly_one_primary_contact(summary, session, settings):
    orgs = [
        c
        for c in _customers(session, settings)
        if c.document["engagedParty"]["@referredType"] == "Organization"
    ]
    assert orgs
    for customer in orgs:
        roles = Counter(r["role"] for r in customer.document["relatedParty"])
        assert roles[PRIMARY_CONTACT_ROLE] == 1
        assert set(roles) <= {PRIMARY_CONTACT_ROLE, "billingContact", "technicalContact"}


def test_every_stored_phone_is_e164(summary, session, settings):
    parties = _parties(session, settings, "Individual") + _parties(
        session, settings, "Organization"
    )
    numbers = [m["phoneNumber"] for p in parties for m in _phones(p)]
    assert len(numbers) >= len(parties)
    for number in numbers:
        assert E164.match(number), number
        assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number


def test_if_empty_skips_a_second_load(summary, session, settings):
    again = load_demo(session, settings, CUSTOMERS, seed=7, if_empty=True)
    assert "not loaded" in again
    assert len(_customers(session, settings)) == CUSTOMERS


def test_recycled_number_finds_current_owner_first(summary, session, settings):
    individuals = _parties(session, settings, "Individual")
    ended = [
        m["phoneNumber"]
        for p in individuals
        for m in _phones(p)
        if m.get("validFor", {}).get("endDateTime")
    ]
    assert ended
    for number in ended:
        assert f"recycled number {number}" in summary
        candidates = Identifier(UnitOfWork(session, settings)).identify(number)
        owners = [c for c in candidates if c.relation == "engagedParty"]
        assert len(owners) == 2
        current, former = owners
        assert (current.customer.status, current.historical) == ("active", False)
        assert (former.customer.status, former.historical) == ("disconnected", True)
        assert any(r.historical for r in former.reasons)


def test_demo_credentials_verify(summary, session, settings):
    lines = summary.strip().splitlines()
    secured = lines.index(next(line for line in lines if line.startswith("Verification:")))
    numbers = lines[secured + 1].strip().split(", ")
    assert len(numbers) == 1
    customer = Identifier(UnitOfWork(session, settings)).identify(numbers[0])[0].customer
    actor = Actor("test-agent")
    verification = VerificationService(UnitOfWork(session, settings, actor))
    assert verification.verify(customer.id, "pin", DEMO_PIN).verified
    _, questions = verification.security_of(customer.id)
    result = verification.verify(
        customer.id, "question", DEMO_ANSWER.upper(), question_id=questions[0].id
    )
    assert result.verified


def test_same_seed_same_people(session, settings, monkeypatch):
    monkeypatch.setattr(demo_loader, "SECURED_CUSTOMERS", 0)
    for _ in range(2):
        load_demo(session, settings, 12, seed=3, if_empty=False)
    names = Counter(p.display_name for p in _parties(session, settings, "Individual"))
    assert names and all(count % 2 == 0 for count in names.values())


@pytest.mark.parametrize(
    "args", [["--help"], ["db", "--help"], ["serve", "--help"], ["demo", "--help"]]
)
def test_cli_help(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_demo_users_can_log_in_with_the_printed_password(summary, app, session):
    from fastapi.testclient import TestClient

    assert "admin" in summary and DEMO_PASSWORD in summary
    with TestClient(app) as client:
        for username in ("agent", "supervisor", "admin"):
            form = {"grant_type": "password", "username": username, "password": DEMO_PASSWORD}
            assert client.post("/oauth/token", data=form).status_code == 200, username
        customer_login = next(w for w in summary.split() if w.startswith("customer-"))
        form = {"grant_type": "password", "username": customer_login, "password": DEMO_PASSWORD}
        token = client.post("/oauth/token", data=form).json()["access_token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["roles"] == ["customer"]


def test_every_demo_customer_has_a_history_across_channels(summary, session, settings):
    service = InteractionService(UnitOfWork(session, settings))
    pages = [service.timeline(c.id, limit=50) for c in _customers(session, settings)]
    entries = [entry for page in pages for entry in page.items]

    assert all(2 <= len(page.items) <= 12 for page in pages)
    assert f"interactions: {len(entries)}" in summary
    assert {e.channel for e in entries} >= {"phone", "email", "web", "ivr", "ussd", "sms"}
    assert {e.direction for e in entries} == {"inbound", "outbound"}
    assert any(e.status == "inProgress" for e in entries)
    assert all(e.reason_code for e in entries)


def test_every_served_demo_customer_has_a_billing_account(summary, session, settings):
    from parley.parties.accounts.service import BillingAccountService

    served = {c.id for c in _customers(session, settings) if c.status in ("active", "suspended")}
    accounts, total = BillingAccountService(UnitOfWork(session, settings)).find(Page({}, 0, 1000))

    # Demo parties all have a postal address: every served customer gets its account.
    assert {a.customer_id for a in accounts} == served and total == len(served)
    assert f"billing accounts: {total}" in summary
    assert {a.document["defaultPaymentMethod"]["@referredType"] for a in accounts} <= {
        "BankAccountDebit",
        "BankCard",
    }


def test_residential_and_business_customers_each_have_offers(summary, session, settings):
    from parley.offers import OfferCatalogue

    catalogue = OfferCatalogue(UnitOfWork(session, settings))
    customers = [c for c in _customers(session, settings) if c.status == "active"]
    by_segment = {}
    for customer in customers:
        segment = next(
            c["value"] for c in customer.document["characteristic"] if c["name"] == "segment"
        )
        by_segment.setdefault(segment, customer.id)
    offered = {
        segment: sorted(o.name for o in catalogue.selectable_for(customer_id))
        for segment, customer_id in by_segment.items()
    }
    assert (
        "Roaming EU 5 GB" in offered["residential"] and "Static IP address" in offered["business"]
    )
    assert "Static IP address" not in offered["residential"]
    assert "offerings: 5" in summary


def test_the_summary_says_what_to_try_and_it_finds_the_customer_it_names(summary, app):
    from fastapi.testclient import TestClient

    lines = summary.splitlines()
    start = lines.index(
        "Try the README's examples (identify, the timeline) with one demo customer:"
    )
    values = {line[:22].strip(): line[22:].split("  (")[0].strip() for line in lines[start + 1 :]}
    phone, name = values["a phone number"], values["a name"]
    number, customer_id = values["a customer number"], values["the customer's id"]
    with TestClient(app) as client:
        form = {"grant_type": "password", "username": "agent", "password": DEMO_PASSWORD}
        token = client.post("/oauth/token", data=form).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        for query in (phone, name, number):
            found = client.get("/api/v1/identify", params={"q": query}).json()["candidates"]
            assert found[0]["customer"]["id"] == customer_id, query
        timeline = client.get(f"/api/v1/customers/{customer_id}/interactions", params={"limit": 10})
        assert timeline.status_code == 200 and timeline.json()["items"]
    assert f"customer-{number}" in summary  # the self-service log-in is this customer's


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    from parley.db import engine as engine_module
    from parley.settings import get_settings

    caches = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setattr(demo_loader, "SECURED_CUSTOMERS", 1)
    for cached in caches:
        cached.cache_clear()
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    yield
    engine_module.get_engine().dispose()
    for cached in caches:
        cached.cache_clear()


@pytest.mark.usefixtures("cli_database")
def test_demo_show_lists_the_log_ins_again_and_the_client_secret_can_be_reset():
    """Issue 18: the demo printed its log-ins and the client's secret once; a second run could
    not show them again."""
    runner = CliRunner()
    loaded = runner.invoke(app, ["demo", "--customers", "12", "--seed", "7"])
    assert loaded.exit_code == 0, loaded.output
    first_secret = re.search(r"client secret (\S+)", loaded.output).group(1)

    shown = runner.invoke(app, ["demo", "--show"])

    assert shown.exit_code == 0, shown.output
    for username in ("agent", "supervisor", "admin"):
        line = rf"^  {username}\s+\S+\s+password {DEMO_PASSWORD}(, extension \d+)?$"
        assert re.search(line, shown.output, re.M)
    assert "crm-connector" in shown.output and "parley users reset-secret" in shown.output
    assert first_secret not in shown.output  # only its hash is kept
    customer_login = re.search(r"customer-\d+", loaded.output).group(0)
    assert customer_login in shown.output
    assert "the customer's id" in shown.output

    reset = runner.invoke(app, ["users", "reset-secret", "crm-connector"])
    assert reset.exit_code == 0, reset.output
    new_secret = reset.output.rsplit(" ", 1)[1].strip()
    assert new_secret and new_secret != first_secret
    changed = runner.invoke(
        app, ["users", "set-password", "agent", "--password", "Another-Pass-2026"]
    )
    assert changed.exit_code == 0, changed.output
    assert re.search(r"^  agent\s+agent\s+\(password changed", runner.invoke(
        app, ["demo", "--show"]).output, re.M)  # fmt: skip


@pytest.mark.usefixtures("cli_database")
def test_demo_show_on_a_database_without_the_demo_says_so():
    shown = CliRunner().invoke(app, ["demo", "--show"])
    assert shown.exit_code == 0 and "parley demo" in shown.output
