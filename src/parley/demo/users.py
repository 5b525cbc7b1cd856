"""Demo log-ins, one per built-in role, with documented passwords (never use them in production).

The integration client gets a generated secret, printed once like any client's.
"""

from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.errors import NotFound
from parley.parties.models import Customer
from parley.settings import Settings

DEMO_PASSWORD = "parley-demo-2026"
CLIENT = "crm-connector"  # the integration client
# (username, role, display name, telephone extension): the console shows who is signed in by
# their name; a call the phone system reports for an extension pops up on its agent's console.
STAFF = (
    ("agent", "agent", "Kim Weber", "101"),
    ("supervisor", "supervisor", "Sam Becker", "102"),
    ("admin", "administrator", "Alex Richter", None),
)
LOADER = Actor("demo-loader", "cli")


def create_demo_users(session: Session, settings: Settings, customer: Customer | None) -> list[str]:
    """Create the demo log-ins; return the lines that tell people how to use them."""
    users = UserService(UnitOfWork(session, settings, LOADER))
    if _exists(users, "admin"):
        return ["  (the demo log-ins exist already: `parley demo --show` lists them)"]
    lines = []
    for username, role, name, extension in STAFF:
        made = users.create_user(username, [role], "staff", DEMO_PASSWORD, display_name=name)
        if extension:
            users.update_user(made.user.id, extension=extension)
        rings = f", extension {extension}" if extension else ""
        lines.append(f"  {username:<12} {role:<14} password {DEMO_PASSWORD}{rings}")
    client = users.create_user(CLIENT, ["integration"], "client")
    lines.append(
        f"  {CLIENT:<12} {'integration':<14} client secret {client.client_secret} (shown only "
        f"now; `parley users reset-secret {CLIENT}` makes a new one)"
    )
    if customer is not None:
        username = f"customer-{customer.customer_number}"
        users.create_user(
            username,
            ["customer"],
            "customer",
            DEMO_PASSWORD,
            display_name=customer.name,
            customer_id=customer.id,
        )
        lines.append(
            f"  {username:<12} {'customer':<14} password {DEMO_PASSWORD} ({customer.name}; "
            "signs in to the customer portal, /portal, too)"
        )
    return lines


def _exists(users: UserService, username: str) -> bool:
    try:
        users.get_by_username(username)
    except NotFound:
        return False
    return True
