"""Helpers for tests that log in: make users of any role, get tokens, build headers.

A role's users get a known password (PASSWORD); clients get their generated secret back.
"""

import itertools

from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.auth.users import NewUser, UserService
from parley.changes import UnitOfWork
from parley.parties.service import PartyService
from parley.settings import Settings
from tests.factories import customer_payload, individual_payload

PASSWORD = "Tr0ub4dor&3-horse"
SYSTEM = Actor(name="test-setup", channel="test")
_numbers = itertools.count(1)


def make_user(
    session: Session,
    settings: Settings,
    *roles: str,
    username: str | None = None,
    kind: str = "staff",
    customer_id: str | None = None,
    password: str | None = PASSWORD,
) -> NewUser:
    """A committed user with ``roles`` (default: agent)."""
    username = username or f"{(roles or ('agent',))[0]}{next(_numbers)}"
    made = UserService(UnitOfWork(session, settings, SYSTEM)).create_user(
        username,
        list(roles or ("agent",)),
        kind,
        None if kind == "client" else password,
        customer_id=customer_id,
    )
    session.commit()
    return made


def token_response(client, username: str, password: str = PASSWORD, **extra):
    form = {"grant_type": "password", "username": username, "password": password, **extra}
    return client.post("/oauth/token", data=form)


def login(client, username: str, password: str = PASSWORD) -> dict:
    """The token answer of a successful password log-in."""
    response = token_response(client, username, password)
    assert response.status_code == 200, response.text
    return response.json()


def client_login(client, client_id: str, secret: str) -> dict:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def headers_for(client, session: Session, settings: Settings, *roles: str) -> dict[str, str]:
    """Authorization headers of a new user holding ``roles``."""
    made = make_user(session, settings, *roles)
    return bearer(login(client, made.user.username)["access_token"])


def make_customer(session: Session, settings: Settings):
    """A committed customer (made through the parties service, no HTTP needed)."""
    service = PartyService(UnitOfWork(session, settings, SYSTEM))
    party = service.create_party("Individual", individual_payload())
    document = {"id": party.id, "@type": "Individual", **party.document}
    customer = service.create_customer(customer_payload(document))
    session.commit()
    return customer
