"""Who is calling, as established from a valid access token."""

from dataclasses import dataclass, field
from datetime import datetime

from parley.actor import Actor
from parley.auth.permissions import CUSTOMER, merge_limits


@dataclass(frozen=True)
class Principal:
    """A logged-in user with the permissions and limits their roles grant right now."""

    user_id: str
    username: str
    kind: str  # staff, client or customer
    roles: tuple[str, ...]
    permissions: frozenset[str]
    limits: dict = field(default_factory=dict)
    customer_id: str | None = None  # the one customer a customer log-in acts for
    client_id: str | None = None  # the OAuth client the token was issued to, if any
    token_id: str | None = None
    token_expires_at: datetime | None = None

    @classmethod
    def from_rows(cls, rows: list, **token) -> "Principal":
        """The principal of a user's rows (``AuthRepository.principal_rows`` and alike: the
        user's columns with one role and permission each), with what the token or session
        adds (``client_id``, ``token_id``, ``token_expires_at``)."""
        user = rows[0]
        roles: dict[str, dict] = {}
        for row in rows:
            if row.role is not None:
                roles.setdefault(row.role, row.limits or {})
        return cls(
            user_id=user.id,
            username=user.username,
            kind=user.kind,
            roles=tuple(roles),
            permissions=frozenset(row.permission for row in rows if row.permission),
            limits=merge_limits(list(roles.values())),
            customer_id=user.customer_id,
            **token,
        )

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def limit(self, name: str, default=None):
        return self.limits.get(name, default)

    @property
    def is_customer(self) -> bool:
        return self.kind == CUSTOMER

    def may_see_customer(self, customer_id: str | None) -> bool:
        """Customers see only their own record; staff and clients see any (by permission)."""
        return not self.is_customer or (customer_id is not None and customer_id == self.customer_id)

    def actor(self, channel: str = "api") -> Actor:
        return Actor(
            name=self.username,
            channel=channel,
            user_id=self.user_id,
            client_id=self.client_id,
            customer_id=self.customer_id if self.is_customer else None,
            self_service=self.is_customer,
        )
