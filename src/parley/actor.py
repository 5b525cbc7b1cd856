"""Who is acting, and through which channel: recorded with every write and audit entry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str
    channel: str = "api"
    # Set when the actor logged in: the user's id and the OAuth client the request came through.
    user_id: str | None = None
    client_id: str | None = None
    # A customer's self-service log-in acts for this customer only (None: staff or a system).
    customer_id: str | None = None
    self_service: bool = False
