"""Monetary adjustments (request type ``adjustment``): checking what is asked, and either handing
it to billing at once or parking it for a supervisor's approval.

- The amount (``amount``: positive, at most two decimals), the ``currency`` (ISO 4217 letters,
  one the roles' limits are in) and the ``billingAccount`` (an active account of the request's
  customer) are checked before anything is written: a bad one is a 400.
- Within the requester's own limit (the highest ``adjustmentLimit`` of their roles, in the
  roles' ``currency``) the adjustment goes to billing through the outbox (kind ``billing``, key
  ``adjustment:<request id>``) and the request waits, in progress, for billing's
  acknowledgement (requests.handoffs), which closes it completed (``adjusted``) or not.
- Above it, an approval is recorded and the request waits, ``pending``. Only staff users have
  a limit of their own: an integration's or a system's adjustment always waits for approval.
  An amount above every approving role's limit could never be approved, and is refused (400).
- A request closed or cancelled while its approval waits withdraws the approval.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from parley.actor import Actor
from parley.auth.permissions import ADJUSTMENT_LIMIT, CURRENCY, REQUEST_APPROVE, STAFF
from parley.auth.roles import RoleService
from parley.auth.users import UserService
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, utcnow
from parley.errors import InvalidInput, NotFound
from parley.parties.accounts.service import BillingAccountService
from parley.requests import lifecycle as lc
from parley.requests.approvals.models import PENDING, WITHDRAWN, Approval
from parley.requests.approvals.repository import ApprovalRepository
from parley.requests.models import CustomerRequest, RequestType

ADJUSTMENT = "adjustment"
RESOURCE = "approval"
BILLING = "billing"
AWAITING = "awaiting approval by a supervisor"
ADJUSTED = "adjusted"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")  # below Numeric(14, 2)'s ceiling
NO_LIMIT = Decimal("0")


@dataclass(frozen=True)
class Adjustment:
    amount: Decimal
    currency: str
    billing_account_id: str
    reason: str

    @property
    def shown(self) -> str:
        return f"{money(self.amount)} {self.currency}"


@dataclass(frozen=True)
class Authority:
    """How far a user may go on their own: their limit, the currency it is in, and whether
    they may decide approvals (``request:approve``)."""

    user_id: str | None
    name: str
    limit: Decimal
    currency: str | None
    may_approve: bool

    def covers(self, amount: Decimal, currency: str) -> bool:
        return self.currency == currency and amount <= self.limit

    def limit_in(self, currency: str) -> Decimal:
        return self.limit if self.currency == currency else NO_LIMIT


def money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def authority_of(uow: UnitOfWork, actor: Actor) -> Authority:
    """Read from the database, as permissions are: a role changed a second ago counts."""
    nobody = Authority(actor.user_id, actor.name, NO_LIMIT, None, False)
    if actor.user_id is None or actor.self_service:
        return nobody
    users = UserService(uow)
    try:
        user = users.get_user(actor.user_id)
    except NotFound:
        return nobody
    if user.kind != STAFF or user.disabled:
        return nobody
    permissions, limits = users.grants(user.id)
    limit = limits.get(ADJUSTMENT_LIMIT)
    return Authority(
        user.id,
        actor.name,
        Decimal(str(limit)) if _is_number(limit) else NO_LIMIT,
        limits.get(CURRENCY),
        REQUEST_APPROVE in permissions,
    )


class Adjustments:
    def __init__(self, uow: UnitOfWork, requests):
        """``requests``: the RequestService taking or moving the request."""
        self.uow, self.session = uow, uow.session
        self.requests = requests
        self.approvals = ApprovalRepository(uow.session)

    # -- taking an adjustment --------------------------------------------------------------

    def check(self, document: dict, request_type: RequestType, customer_id: str):
        """The adjustment a new request asks for, checked (None: not an adjustment)."""
        if request_type.code != ADJUSTMENT:
            return None
        adjustment = read_adjustment(document)
        self._check_account(adjustment.billing_account_id, customer_id)
        own = authority_of(self.uow, self.uow.writer())
        if not own.covers(adjustment.amount, adjustment.currency):
            self._check_approvable(adjustment)
        return adjustment

    def take(self, row: CustomerRequest) -> None:
        """Within the requester's limit: to billing, and the request waits for billing's
        answer. Above it: an approval, and the request waits for a supervisor."""
        adjustment = read_adjustment(row.document)
        actor = self.uow.writer()
        own = authority_of(self.uow, actor)
        if own.covers(adjustment.amount, adjustment.currency):
            self.hand_to_billing(row, adjustment, actor.name, None)
            return None
        now = utcnow()
        approval = Approval(
            request_id=row.id,
            customer_id=row.customer_id,
            amount=adjustment.amount,
            currency=adjustment.currency,
            reason=adjustment.reason,
            billing_account_id=adjustment.billing_account_id,
            requested_by_id=own.user_id,
            requested_by=actor.name[:150],
            requester_limit=own.limit_in(adjustment.currency),
            status=PENDING,
            created_at=now,
            updated_at=now,
        )
        self.approvals.add(approval)
        self.record(CREATE, approval)
        self.requests._transition(row, lc.PENDING, AWAITING)
        return None

    def hand_to_billing(self, row, adjustment: Adjustment, approved_by: str, approval) -> None:
        """To billing through the outbox; the request waits, in progress, for its answer."""
        account = adjustment.billing_account_id
        payload = {  # its references' hrefs are made when it is sent (parley.links)
            "@type": "BillingAdjustment",
            "id": row.id,
            "amount": money(adjustment.amount),
            "currency": adjustment.currency,
            "reason": adjustment.reason,
            "billingAccount": {
                "id": account,
                "@referredType": "BillingAccount",
            },
            "customer": {
                "id": row.customer_id,
                "@referredType": "Customer",
            },
            "request": {
                "id": row.id,
                "@referredType": "TroubleTicket",
            },
            "requestedBy": approval.requested_by if approval else approved_by,
            "approvedBy": approved_by,
            "approval": {"id": approval.id, "@referredType": "Approval"} if approval else None,
        }
        within = "approved by" if approval else "within the limit of"
        said = (
            f"Adjustment of {adjustment.shown} to billing account {account} handed to billing "
            f"({within} {approved_by})"
        )
        self.requests.handoffs.to_billing(row, payload, f"adjustment:{row.id}", said)

    # -- the request moving on ---------------------------------------------------------------

    def unchanged(self, before: dict, after: dict, request_type: RequestType) -> None:
        """An adjustment's amount, currency and account are what was checked and approved."""
        if request_type.code != ADJUSTMENT:
            return
        names = ("amount", "currency", "billingAccount")
        if [_value(before, n) for n in names] != [_value(after, n) for n in names]:
            raise InvalidInput(
                "troubleTicketCharacteristic: an adjustment's amount, currency and "
                "billingAccount can't change once it is taken; cancel it and raise another",
                "troubleTicketCharacteristic",
            )

    def ended(self, row: CustomerRequest, request_type: RequestType, reason) -> None:
        """The request reached a final status: an approval still waiting is withdrawn."""
        if request_type.code != ADJUSTMENT:
            return
        approval = self.approvals.of_request(row.id, for_update=True)
        if approval is None or approval.status != PENDING:
            return
        before = present_approval(approval)
        actor = self.uow.writer()
        approval.status, approval.decided_at = WITHDRAWN, utcnow()
        approval.decided_by_id, approval.decided_by = actor.user_id, actor.name[:150]
        approval.decision_note = f"request {row.status}: {reason or ''}".strip(": ")[:500]
        approval.updated_at = approval.decided_at
        self.approvals.add(approval)
        self.record(UPDATE, approval, before)

    # -- shared ------------------------------------------------------------------------------

    def record(self, action: str, approval: Approval, before: dict | None = None) -> None:
        """Audited and told as a domain event (``approval``: on the event bus when it is on)."""
        after = present_approval(approval)
        self.uow.record(RESOURCE, action, approval.id, before=before, after=after, event=after)

    def _check_account(self, account_id: str, customer_id: str) -> None:
        where = "billingAccount"
        try:
            account = BillingAccountService(self.uow).get(account_id)
        except NotFound:
            account = None
        if account is None or account.customer_id != customer_id:
            raise InvalidInput(
                f"{where}: the customer has no billing account with id {account_id}", where
            )
        if account.state != "active":
            raise InvalidInput(
                f"{where}: billing account {account_id} is {account.state}; "
                "adjustments go to active accounts",
                where,
            )

    def _check_approvable(self, adjustment: Adjustment) -> None:
        roles = RoleService(self.uow).list_roles()
        ceilings = [
            Decimal(str(found.role.limits[ADJUSTMENT_LIMIT]))
            for found in roles
            if REQUEST_APPROVE in found.permissions
            and found.role.limits.get(CURRENCY) == adjustment.currency
            and _is_number(found.role.limits.get(ADJUSTMENT_LIMIT))
        ]
        if not ceilings:
            currencies = sorted(
                {
                    str(found.role.limits[CURRENCY])
                    for found in roles
                    if found.role.limits.get(CURRENCY)
                }
            )
            raise InvalidInput(
                f"currency: no role's limit is in {adjustment.currency}; adjustments are taken "
                f"in {', '.join(currencies) or 'the currency of the roles limits'}",
                "currency",
            )
        if adjustment.amount > max(ceilings):
            raise InvalidInput(
                f"amount: {adjustment.shown} is above every approver's limit (the highest is "
                f"{money(max(ceilings))} {adjustment.currency}): nobody could approve it",
                "amount",
            )


def read_adjustment(document: dict) -> Adjustment:
    """The adjustment's characteristics, checked; the reason is ``reason`` or the description."""
    raw_amount = _value(document, "amount")
    if isinstance(raw_amount, bool) or not isinstance(raw_amount, str | int | float):
        raise InvalidInput("amount: a positive decimal number such as 25.50", "amount")
    try:
        amount = Decimal(str(raw_amount).strip())
    except InvalidOperation:
        raise InvalidInput("amount: a positive decimal number such as 25.50", "amount") from None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        raise InvalidInput(f"amount: more than 0 and less than {MAX_AMOUNT}", "amount")
    if amount != amount.quantize(CENT):
        raise InvalidInput("amount: at most two decimal places", "amount")
    currency = _value(document, "currency")
    if not isinstance(currency, str) or not (
        len(currency.strip()) == 3 and currency.strip().isascii() and currency.strip().isalpha()
    ):
        raise InvalidInput("currency: an ISO 4217 code of three letters, such as EUR", "currency")
    account = _value(document, "billingAccount")
    if not isinstance(account, str) or not account.strip() or len(account.strip()) > 36:
        raise InvalidInput(
            "billingAccount: the id of one of the customer's billing accounts", "billingAccount"
        )
    reason = _value(document, "reason") or document.get("description") or ""
    return Adjustment(
        amount.quantize(CENT), currency.strip().upper(), account.strip(), str(reason).strip()[:500]
    )


def present_approval(approval: Approval) -> dict:
    """An approval as served; its href and its references' are made by the edge."""

    def user(user_id, name):
        return {"id": user_id, "name": name} if name else None

    account = approval.billing_account_id
    return {
        "@type": "Approval",
        "id": approval.id,
        "status": approval.status,
        "amount": money(approval.amount),
        "currency": approval.currency,
        "reason": approval.reason,
        "request": {
            "id": approval.request_id,
            "@referredType": "TroubleTicket",
        },
        "customer": {
            "id": approval.customer_id,
            "@referredType": "Customer",
        },
        "billingAccount": {
            "id": account,
            "@referredType": "BillingAccount",
        },
        "requestedBy": user(approval.requested_by_id, approval.requested_by),
        "requesterLimit": money(approval.requester_limit),
        "decidedBy": user(approval.decided_by_id, approval.decided_by),
        "decidedAt": _iso(approval.decided_at),
        "decisionNote": approval.decision_note,
        "createdAt": _iso(approval.created_at),
    }


def _iso(moment) -> str | None:
    return iso(moment) if moment else None


def _value(document: dict, name: str):
    for characteristic in document.get("troubleTicketCharacteristic") or []:
        if characteristic.get("name") == name:
            return characteristic.get("value")
    return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
