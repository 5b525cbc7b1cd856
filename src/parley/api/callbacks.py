"""Who may call back: the ordering and billing systems telling Parley how an order or an
adjustment it handed them went (docs/mediation.md, "Hand-offs and acknowledgements").

A callback is authenticated one of two ways, whichever the other system can do:

- a Bearer access token of a client holding the route's permission (``handoff:acknowledge``:
  integration clients), as every other route takes it; or
- ``X-Parley-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` under the secret Parley
  shares with that system (PARLEY_ORDERING_SECRET, PARLEY_BILLING_SECRET), the signature
  Parley's own webhooks carry; without a secret set, no signature is taken.

Neither: 401 (a wrong signature too); a token without the permission: 403. The marker is an
access marker like ``require`` (api/security.py): the route needs a token unless it is signed,
so the authorization matrix and the declared answers treat it as one needing a token.
"""

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.api.deps import UnitOfWork, get_settings_dep
from parley.api.security import AccessMarker, check_permission, current_principal, oauth2_scheme
from parley.auth.permissions import ALL_PERMISSIONS
from parley.auth.principal import Principal
from parley.changes import UnitOfWork as Work
from parley.errors import Unauthorized
from parley.outbox.webhook import SIGNATURE_HEADER, signature
from parley.settings import Settings


@dataclass(frozen=True)
class Caller:
    """Who called back: a client (its principal) or the system whose signature it carries."""

    name: str
    principal: Principal | None
    channel: str

    def work(self, uow: Work) -> Work:
        """``uow`` acting for this caller (a signed call has no user: the system acts)."""
        if self.principal is not None:
            return uow
        return uow.acting_as(Actor(self.name, self.channel))


class _TokenOrSignature(AccessMarker):
    needs_token = True  # unless signed: without either, 401 as for any route needing a token

    def __init__(self, permission: str, secret_setting: str, system: str):
        """``system``: which one calls back, ``ordering`` or ``billing``."""
        self.permission = permission
        self.secret_setting = secret_setting
        self.system = system

    async def __call__(
        self,
        request: Request,
        token: str | None = Depends(oauth2_scheme),
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
    ) -> Caller:
        given = request.headers.get(SIGNATURE_HEADER)
        if token is None and given is not None:
            secret = getattr(settings, self.secret_setting)
            body = await request.body()
            if secret is None or not hmac.compare_digest(
                given.encode(), signature(secret.get_secret_value(), body).encode()
            ):
                raise Unauthorized(
                    f"{SIGNATURE_HEADER}: not the signature of this body under the secret "
                    f"Parley shares with the {self.system} system; sign with it, or send a "
                    "client's token"
                )
            return Caller(f"{self.system} system (signed)", None, self.system)
        principal = await current_principal(request, token, session, settings)
        check_permission(principal, self.permission)
        return Caller(principal.username, principal, "api")

    def __repr__(self) -> str:
        return f"token_or_signature({self.permission!r}, {self.secret_setting!r})"


def token_or_signature(permission: str, secret_setting: str, system: str):
    """Depend on this: a client token holding ``permission``, or the body signed with the
    secret in the setting ``secret_setting`` (Parley's, shared with the ``system`` system)."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"{permission!r} is not in the permission catalogue (auth/permissions)")
    if secret_setting not in Settings.model_fields:
        raise ValueError(f"{secret_setting!r} is not a setting")
    marker = _TokenOrSignature(permission, secret_setting, system)
    return Security(marker, scopes=[permission])


def caller_of(permission: str, secret_setting: str, system: str):
    """An endpoint's parameter type for the caller: ``caller: caller_of(...)``."""
    return Annotated[Caller, token_or_signature(permission, secret_setting, system)]
