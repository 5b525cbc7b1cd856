"""What `parley demo` says to try, and `parley demo --show` says again: the log-ins, and one
customer to try the README's examples with (a phone number as people write it, a name, the
customer number, and the customer's id for the timeline)."""

from urllib.parse import quote

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.auth.models import User
from parley.auth.passwords import verify_secret
from parley.demo.users import CLIENT, DEMO_PASSWORD, STAFF
from parley.parties.models import Customer, Party


def try_it(customer: Customer, party: Party | None, region: str) -> list[str]:
    """Values for the README's examples: one demo customer (the self-service one)."""
    phone = _phone_of(party)
    national = _national(phone, region) if phone else None
    lines = ["Try the README's examples (identify, the timeline) with one demo customer:"]
    if national:
        lines.append(
            f"  a phone number      {national}  (in a URL: q={quote(national)}; stored as {phone})"
        )
    lines += [
        f"  a name              {customer.name}",
        f"  a customer number   {customer.customer_number}",
        f"  the customer's id   {customer.id}  (the <id> of "
        "/api/v1/customers/<id>/interactions: the id, not the customer number)",
    ]
    return lines


def demo_customer(session: Session) -> tuple[Customer, Party | None] | None:
    """The customer of the demo's self-service log-in (customer-<number>), if there is one."""
    query = (
        select(Customer, Party)
        .join(User, User.customer_id == Customer.id)
        .join(Party, Party.id == Customer.party_id, isouter=True)
        .where(User.kind == "customer", User.username.like("customer-%"))
        .order_by(User.created_at)
        .limit(1)
    )
    found = session.execute(query).first()
    return (found[0], found[1]) if found else None


def show(session: Session, region: str) -> str:
    """The demo's log-ins as they stand, and what to try; no secret is kept to show again."""
    users = {
        u.username: u
        for u in session.scalars(
            select(User).where(
                User.username.in_([name for name, *_ in STAFF] + [CLIENT])
                | User.username.like("customer-%")
            )
        )
    }
    if not users:
        return "No demo log-ins in this database: load the demo with `parley demo`."
    lines = ["Log in (POST /oauth/token, or Authorize in /docs) as:"]
    for username, role, _name, _extension in STAFF:
        if username in users:
            user = users[username]
            rings = f", extension {user.extension}" if user.extension else ""
            lines.append(f"  {username:<14} {role:<14} {_password(user)}{rings}")
    if CLIENT in users:
        lines.append(
            f"  {CLIENT:<14} {'integration':<14} client secret: not kept (only its hash); "
            f"make a new one with `parley users reset-secret {CLIENT}`"
        )
    for username, user in sorted(users.items()):
        if username.startswith("customer-"):
            lines.append(
                f"  {username:<14} {'customer':<14} {_password(user)} (the customer portal, "
                "/portal, too)"
            )
    found = demo_customer(session)
    if found is not None:
        lines += ["", *try_it(*found, region)]
    return "\n".join(lines)


def _password(user: User) -> str:
    if user.disabled:
        return "(disabled)"
    if verify_secret(user.secret_hash, DEMO_PASSWORD):
        return f"password {DEMO_PASSWORD}"
    return "(password changed since the demo was loaded)"


def _phone_of(party: Party | None) -> str | None:
    media = (party.document.get("contactMedium") or []) if party is not None else []
    return next(
        (m.get("phoneNumber") for m in media if m.get("@type") == "PhoneContactMedium"), None
    )


def _national(e164: str, region: str) -> str:
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
