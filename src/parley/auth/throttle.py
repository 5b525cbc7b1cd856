"""Log-in throttling: the source is held back before the account.

Issue 18: anyone could lock any staff account with five wrong passwords, and the lock then
refused the right password too. Now a wrong guess holds back where it came from:

- **the address**: failed (or refused) log-ins from one client address, whatever the
  usernames, are limited (``login_address_limit``, e.g. 30 a minute and 300 an hour): a
  password spray or a run through usernames from one client stops there;
- **the address on this account**: after ``login_max_failures`` failures in a row from one
  address on one username, that address waits before trying that username again: 30 seconds,
  twice as long after each further failure, at most ``login_lock_minutes``;
- **the account**: failures on one username are limited too (``login_username_limit``, e.g.
  10 in 15 minutes), but one address counts only until it has to wait (its first
  ``login_max_failures``), so no single address can reach the limit; and past it only
  addresses the user has not signed in from in the last 30 days are held back. An attacker
  cannot lock the real user out from the addresses they work from.

Every counter is keyed on the username as typed (lower-cased), whether or not such a user
exists, so the answers tell nobody which usernames exist. A refused attempt checks no secret
(no argon2) and is answered 429 with the seconds to wait. The audit trail records each failure
with its address, and each hold when it begins (``login_locked``: an address on an account, or
the account for addresses it has not signed in from; ``login_throttled``: an address), not
every refusal while it lasts: an attacker cannot grow the append-only trail at will.
"""

from dataclasses import dataclass
from datetime import timedelta

from parley import ratelimit
from parley.actor import Actor
from parley.auth import audit
from parley.auth.audit import record_access
from parley.auth.models import User
from parley.auth.options import AuthOptions
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.rates import describe, parse_rates

ADDRESS, SOURCE, ACCOUNT, KNOWN = "login.address", "login.source", "login.account", "login.known"
UNKNOWN_SOURCE = "unknown"  # an edge that could not tell the address
FIRST_WAIT_SECONDS = 30
KNOWN_SOURCE_DAYS = 30
FAILURES_REMEMBERED_HOURS = 24  # an address's failures on an account, after its last one


@dataclass(frozen=True)
class Refusal:
    """A log-in refused before its secret was checked: wait ``retry_after`` seconds."""

    retry_after: int
    message: str


class LoginThrottle:
    """The holds of one log-in attempt from ``source`` (the client's address)."""

    def __init__(self, uow: UnitOfWork, options: AuthOptions, source: str | None):
        self.uow = uow
        self.session = uow.session
        self.options = options
        self.source = source or UNKNOWN_SOURCE
        self.address_rates = parse_rates(options.login_address_limit)
        self.account_rates = parse_rates(options.login_username_limit)
        self.backoff = ratelimit.Backoff(
            free=options.login_max_failures,
            first_wait=FIRST_WAIT_SECONDS,
            longest_wait=options.login_lock_minutes * 60,
            memory=FAILURES_REMEMBERED_HOURS * 3600,
        )
        self._reserved = ratelimit.ALLOWED

    def admit(self, actor: Actor) -> Refusal | None:
        """First of all, before the user is looked up: one failure of the address reserved
        (given back if the log-in succeeds); None, or why the address must wait."""
        verdict = ratelimit.hit(self.session, self.address_rates, ADDRESS, self.source)
        if verdict.allowed:
            self._reserved = verdict
            return None
        if verdict.first:
            after = {
                "source": self.source,
                "limit": str(verdict.exceeded),
                "retryAfter": verdict.retry_after,
            }
            self._record(actor, audit.LOGIN_THROTTLED, None, after)
        return Refusal(
            verdict.retry_after,
            f"too many failed log-ins from this address: try again in {verdict.retry_after} s",
        )

    def check(self, name: str) -> Refusal | None:
        """Once the user's row is locked: whether this address must still wait on this
        username, or the username is held back for addresses it has not signed in from."""
        wait = ratelimit.waiting(self.session, SOURCE, name, self.source)
        if wait:
            return Refusal(
                wait,
                f"too many failed log-ins on this account from this address: try again in {wait} s",
            )
        verdict = ratelimit.peek(self.session, self.account_rates, ACCOUNT, name)
        if not verdict.allowed and not ratelimit.remembered(self.session, KNOWN, name, self.source):
            return Refusal(
                verdict.retry_after,
                f"too many failed log-ins on this account: try again in {verdict.retry_after} s, "
                "or from where you signed in before",
            )
        return None

    def failed(self, user: User | None, actor: Actor, reason: str) -> None:
        """A wrong secret (or no such user): counted for the address on this username and,
        while the address has not had to wait, for the account; audited with the address,
        and the holds that begin with it after it."""
        name = actor.name
        failures, wait = ratelimit.strike(self.session, self.backoff, SOURCE, name, self.source)
        account = ratelimit.ALLOWED
        if failures <= self.options.login_max_failures:
            account = ratelimit.hit(self.session, self.account_rates, ACCOUNT, name)
        detail = {"reason": reason, "source": self.source, "failedLogins": failures}
        if wait:
            detail["retryAfter"] = wait
        user_id = user.id if user is not None else None
        self._record(actor, audit.LOGIN_FAILED, user_id, detail)
        now = utcnow()
        if wait and failures == self.options.login_max_failures:
            held = {"source": self.source, "lockedUntil": now + timedelta(seconds=wait)}
            self._record(actor, audit.LOGIN_LOCKED, user_id, held)
        if account.full:
            until = now + timedelta(
                seconds=ratelimit.peek(self.session, self.account_rates, ACCOUNT, name).retry_after
            )
            held = {
                "lockedUntil": until,
                "limit": describe(self.account_rates),
                "except": "addresses the user signed in from",
            }
            self._record(actor, audit.LOGIN_LOCKED, user_id, held)
            if user is not None:
                user.locked_until = until  # shown by `parley users list`
        if user is not None:
            user.failed_logins += 1

    def succeeded(self, name: str) -> None:
        """The right secret: the address's reserved failure is given back, its failures on
        this username forgotten, and the address known to be the user's for a while."""
        ratelimit.give_back(self.session, self._reserved)
        ratelimit.clear(self.session, SOURCE, name, self.source)
        ratelimit.remember(self.session, KNOWN_SOURCE_DAYS * 86400, KNOWN, name, self.source)

    def _record(self, actor: Actor, action: str, user_id: str | None, after: dict) -> None:
        record_access(self.uow.acting_as(actor), "user", action, user_id, after=after)


def forget_failures(uow: UnitOfWork, username: str) -> None:
    """Lift every hold on ``username`` (enabling the user, a new password): the waits of the
    addresses that failed on it and the account's count."""
    ratelimit.forget(uow.session, SOURCE, username)
    ratelimit.forget(uow.session, ACCOUNT, username)
