"""From a TMF666 billing account document to the key columns: owner, contacts, billing address,
bill delivery, payment method and credit limit. Reads and fills documents; the rules on who may
change what live in ``service.py``."""

from decimal import Decimal, InvalidOperation

from parley.errors import InvalidInput
from parley.parties.models import BILL_DELIVERIES, PAYMENT_METHODS, BillingAccount

OWNER_ROLES = ("owner", "customer")
PRIMARY = "primary"
DEFAULT_CURRENCY = "EUR"
# What a bill presentation medium may be called, and the delivery it means.
DELIVERY_NAMES = {
    "email": "email",
    "electronic": "email",
    "e-bill": "email",
    "paper": "postal",
    "postal": "postal",
    "post": "postal",
}
ADDRESS_FIELDS = ("street1", "postCode", "city", "country")
_MAX_CREDIT = Decimal("9999999999.99")


def owner_reference(document: dict) -> tuple[int, str]:
    """(index, customer id) of the relatedParty entry naming the owning customer."""
    found = []
    for index, related in enumerate(document.get("relatedParty") or []):
        target = related.get("partyOrPartyRole") or {}
        role = (related.get("role") or "").strip().lower()
        if role in OWNER_ROLES and target.get("@referredType") == "Customer" and target.get("id"):
            found.append((index, target["id"]))
    if len(found) != 1:
        raise InvalidInput(
            "relatedParty: name exactly one owning customer (role 'owner', partyOrPartyRole "
            "with @referredType Customer and its id)",
            "relatedParty",
        )
    return found[0]


def media_of(contacts: list[dict]) -> list[dict]:
    """Contact media of the account's contacts, the primary contact's first, preferred first."""
    ordered = sorted(
        contacts, key=lambda c: (c.get("contactType") or "").strip().lower() != PRIMARY
    )
    media = [m for c in ordered for m in c.get("contactMedium") or []]
    return sorted(media, key=lambda m: not m.get("preferred", False))


def billing_address(media: list[dict]) -> dict | None:
    """The first complete postal address among ``media``."""
    for medium in media:
        if medium.get("@type") == "GeographicAddressContactMedium" and all(
            isinstance(medium.get(f), str) and medium[f].strip() for f in ADDRESS_FIELDS
        ):
            return medium
    return None


def first_email(media: list[dict]) -> str | None:
    for medium in media:
        if medium.get("@type") == "EmailContactMedium" and medium.get("emailAddress"):
            return medium["emailAddress"]
    return None


def bill_delivery(document: dict, email: str | None) -> str:
    """How bills are delivered, from ``billStructure.presentationMedia``; by email when an
    email address is known and nothing was asked for. Fills the document when it said nothing."""
    structure = document.setdefault("billStructure", {"@type": "BillStructure"})
    asked = [m.get("name") for m in structure.get("presentationMedia") or [] if m.get("name")]
    if not asked:
        delivery = "email" if email else "postal"
        structure["presentationMedia"] = [{"@type": "BillPresentationMedia", "name": delivery}]
        return delivery
    delivery = DELIVERY_NAMES.get(asked[0].strip().lower())
    if delivery not in BILL_DELIVERIES:
        names = ", ".join(DELIVERY_NAMES)
        raise InvalidInput(
            f"billStructure.presentationMedia[0].name: one of {names}",
            "billStructure.presentationMedia",
        )
    return delivery


def payment_method(document: dict) -> str:
    ref = document.get("defaultPaymentMethod")
    kinds = ", ".join(PAYMENT_METHODS)
    if not ref:
        raise InvalidInput(
            f"defaultPaymentMethod: is required (a reference with @referredType one of {kinds})",
            "defaultPaymentMethod",
        )
    kind = ref.get("@referredType")
    if kind not in PAYMENT_METHODS:
        raise InvalidInput(
            f"defaultPaymentMethod.@referredType: one of {kinds}",
            "defaultPaymentMethod.@referredType",
        )
    return kind


def credit_limit(document: dict) -> tuple[Decimal, str]:
    money = document.get("creditLimit")
    if money is None:
        document["creditLimit"] = {"unit": DEFAULT_CURRENCY, "value": 0}
        return Decimal("0.00"), DEFAULT_CURRENCY
    unit = (money.get("unit") or DEFAULT_CURRENCY).strip().upper()
    if len(unit) != 3 or not unit.isalpha():
        raise InvalidInput("creditLimit.unit: an ISO 4217 code such as EUR", "creditLimit.unit")
    try:
        value = Decimal(str(money.get("value", 0))).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput("creditLimit.value: a number", "creditLimit.value") from None
    if not Decimal(0) <= value <= _MAX_CREDIT:
        raise InvalidInput(f"creditLimit.value: between 0 and {_MAX_CREDIT}", "creditLimit.value")
    document["creditLimit"] = {**money, "unit": unit, "value": float(value)}
    return value, unit


def apply_address(account: BillingAccount, address: dict) -> None:
    account.billing_street = _fits(BillingAccount.billing_street, address["street1"], "street1")
    account.billing_postcode = _fits(
        BillingAccount.billing_postcode, address["postCode"], "postCode"
    )
    account.billing_city = _fits(BillingAccount.billing_city, address["city"], "city")
    account.billing_country = _fits(BillingAccount.billing_country, address["country"], "country")


def _fits(column, value: str, field: str) -> str:
    value = value.strip()
    if len(value) > column.type.length:
        where = f"billing address {field}"
        raise InvalidInput(f"{where}: at most {column.type.length} characters", field)
    return value
