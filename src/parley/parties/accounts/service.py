"""Billing accounts (TMF666): owned by a customer, with contacts in roles, a billing address, a
bill delivery medium, a preferred payment method, a credit limit and a state.

Staff and systems manage any account. A customer logged in for self-service (``actor.
self_service``) creates billing accounts for its own customer only, and afterwards changes only
their contacts: the provider sets credit limits, states and payment terms. Every write is
audited; the service never commits.
"""

import copy

from parley.changes import UnitOfWork
from parley.changes.recorder import CREATE, DELETE, UPDATE
from parley.db.base import new_id, storable_id, utcnow
from parley.db.repository import Page, Reader, conditions_for
from parley.errors import Conflict, Forbidden, InvalidInput, NotFound
from parley.parties import projection
from parley.parties.accounts import projection as read
from parley.parties.accounts.repository import AccountRepository
from parley.parties.models import ACCOUNT_STATES, BillingAccount, BillingAccountContact, Party
from parley.parties.options import PartyOptions
from parley.parties.service import PartyService

RESOURCE = "billingAccount"
DEFAULT_STATE = "active"
STATE_TRANSITIONS = {
    "active": {"suspended", "closed"},
    "suspended": {"active", "closed"},
    "closed": set(),
}
LIST_COLUMNS = {
    "id": BillingAccount.id,
    "state": BillingAccount.state,
    "name": BillingAccount.name,
    "relatedParty.partyOrPartyRole.id": BillingAccount.customer_id,
    "relatedParty.id": BillingAccount.customer_id,
    "lastUpdate": BillingAccount.updated_at,
}
# What a self-service customer may change on its own account after creating it.
SELF_SERVICE_CHANGEABLE = ("contact",)
SERVER_FIELDS = ("lastUpdate", "id", "href")


class BillingAccountService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = AccountRepository(uow.session)
        self.parties = PartyService(uow)
        self.options = uow.options(PartyOptions)

    # -- reading -------------------------------------------------------------------------

    def get(self, account_id: str, reader: Reader | None = None) -> BillingAccount:
        """The account, if ``reader`` (None: the system) may read it; else not found."""
        readable = self.repo.readable_by(reader)
        return self.repo.found(
            BillingAccount, account_id, readable, f"No billing account with id {account_id}"
        )

    def find(self, page: Page, reader: Reader | None = None):
        conditions = conditions_for(LIST_COLUMNS, BillingAccount.document, page)
        return self.repo.list_accounts([*conditions, self.repo.readable_by(reader)], page)

    def contacts(self, account_id: str) -> list[BillingAccountContact]:
        return self.repo.contacts(self.get(account_id).id)

    # -- writing -------------------------------------------------------------------------

    def create(self, document: dict) -> BillingAccount:
        actor = self.uow.writer()
        for key in SERVER_FIELDS:
            document.pop(key, None)
        if actor.self_service and "creditLimit" in document:
            raise Forbidden("creditLimit: is set by the provider, not through self-service")
        document.setdefault("state", DEFAULT_STATE)
        if document["state"] != DEFAULT_STATE and actor.self_service:
            raise Forbidden("state: a new account starts active")
        _check_state(document["state"], None)
        now = utcnow()
        account = BillingAccount(id=new_id(), created_at=now, state_changed_at=now)
        contacts = self._apply(account, document)
        self.repo.add(account)
        self.repo.replace_contacts(account.id, contacts)
        self.uow.record(
            RESOURCE, CREATE, account.id, after=account.document, event=present(account)
        )
        return account

    def replace(self, account_id: str, document: dict) -> BillingAccount:
        """Apply a merge-patched document: the owner stays, the state follows its lifecycle."""
        actor = self.uow.writer()
        account = self.repo.get(account_id, for_update=True) if storable_id(account_id) else None
        if account is None:
            raise NotFound(f"No billing account with id {account_id}")
        before = copy.deepcopy(account.document)
        for key in SERVER_FIELDS:
            document.pop(key, None)
        if actor.self_service:
            _only_contacts_changed(before, document)
        if account.state == "closed":
            raise Conflict("a closed billing account is not changed")
        document.setdefault("state", account.state)
        if document["state"] != account.state:
            _check_state(document["state"], account.state)
            account.state_changed_at = utcnow()
        _, owner = read.owner_reference(document)
        if owner != account.customer_id:
            raise Conflict("relatedParty: a billing account keeps its owning customer")
        contacts = self._apply(account, document)
        self.repo.add(account)
        self.repo.replace_contacts(account.id, contacts)
        self.uow.record(
            RESOURCE,
            UPDATE,
            account.id,
            before=before,
            after=account.document,
            event=present(account),
        )
        return account

    def delete(self, account_id: str) -> None:
        if self.uow.writer().self_service:
            raise Forbidden("a billing account is closed by the provider, not deleted")
        account = self.get(account_id)
        if account.state != "closed":
            raise Conflict("only a closed billing account may be deleted; close it first")
        self.uow.record(
            RESOURCE, DELETE, account.id, before=account.document, event=present(account)
        )
        self.repo.delete(account)

    # -- rules -----------------------------------------------------------------------------

    def _apply(self, account: BillingAccount, document: dict) -> list[dict]:
        """Project the document onto the row; return the contact rows."""
        document["@type"] = "BillingAccount"
        name = document.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("name: is required and must not be blank", "name")
        account.name = projection.fits(BillingAccount.name, name.strip(), "name")
        document["name"] = account.name
        account.customer_id = self._owner(document)
        contacts, primary = self._contacts(document, account.customer_id)
        account.contact_party_id = primary.id
        media = read.media_of(document["contact"])
        address = read.billing_address(media) or read.billing_address(
            read.media_of([{"contactType": read.PRIMARY, **primary.document}])
        )
        if address is None:
            raise InvalidInput(
                "contact: a billing address is required: a GeographicAddressContactMedium with "
                "street1, postCode, city and country on the primary contact (or its party)",
                "contact.contactMedium",
            )
        read.apply_address(account, address)
        email = read.first_email(media) or read.first_email(
            read.media_of([{"contactType": read.PRIMARY, **primary.document}])
        )
        account.bill_delivery = read.bill_delivery(document, email)
        if account.bill_delivery == "email" and not email:
            raise InvalidInput(
                "billStructure: bills by email need an EmailContactMedium on a contact",
                "billStructure.presentationMedia",
            )
        account.bill_delivery_email = email if account.bill_delivery == "email" else None
        account.payment_method = read.payment_method(document)
        account.credit_limit, account.currency = read.credit_limit(document)
        account.state = document["state"]
        account.document = document
        account.updated_at = utcnow()
        return contacts

    def _owner(self, document: dict) -> str:
        index, customer_id = read.owner_reference(document)
        actor = self.uow.writer()
        if actor.self_service and customer_id != actor.customer_id:
            raise Forbidden("a customer log-in manages its own customer's billing accounts only")
        try:
            customer = self.parties.get_customer(customer_id)
        except NotFound:
            where = f"relatedParty[{index}].partyOrPartyRole.id"
            raise InvalidInput(f"{where}: no customer with id {customer_id}", where) from None
        target = document["relatedParty"][index]["partyOrPartyRole"]
        target.pop("href", None)  # ours: made when served (parley.links)
        target.setdefault("name", customer.name)
        return customer.id

    def _contacts(self, document: dict, customer_id: str) -> tuple[list[dict], Party]:
        """The contact rows, and the primary contact's party (the customer's when none is
        named, added to the document)."""
        contacts = document.setdefault("contact", [])
        allowed = None
        if self.uow.writer().self_service:
            allowed = set(self.parties.party_ids_of_customer(customer_id))
        rows, primary = [], None
        for index, contact in enumerate(contacts):
            where = f"contact[{index}]"
            role = (contact.get("contactType") or "").strip()
            if not role:
                raise InvalidInput(f"{where}.contactType: is required", f"{where}.contactType")
            party = self._contact_party(contact, where, allowed)
            name = (contact.get("contactName") or (party.display_name if party else "")).strip()
            if not name:
                raise InvalidInput(
                    f"{where}.contactName: is required for a contact without a party",
                    f"{where}.contactName",
                )
            contact["contactName"] = name
            projection.normalize_contact_media(
                contact, self.options.phone_region, f"{where}.contactMedium"
            )
            is_primary = role.lower() == read.PRIMARY
            if is_primary and primary is not None:
                raise InvalidInput("contact: only one primary contact is allowed", "contact")
            if is_primary and party is None:
                raise InvalidInput(
                    f"{where}.relatedParty: the primary contact must name its party",
                    f"{where}.relatedParty",
                )
            primary = party if is_primary else primary
            rows.append(
                {
                    "party_id": party.id if party else None,
                    "role": projection.fits(BillingAccountContact.role, role, where),
                    "name": projection.fits(BillingAccountContact.name, name, where),
                    "is_primary": is_primary,
                }
            )
        if primary is None:
            primary = self._default_contact(customer_id)
            contacts.insert(0, self._contact_entry(primary))
            rows.insert(
                0,
                {"party_id": primary.id, "role": read.PRIMARY, "name": primary.display_name[:300]},
            )
            rows[0]["is_primary"] = True
        return rows, primary

    def _contact_party(self, contact: dict, where: str, allowed: set[str] | None) -> Party | None:
        target = (contact.get("relatedParty") or {}).get("partyOrPartyRole") or {}
        if not target.get("id"):
            return None
        where = f"{where}.relatedParty.partyOrPartyRole"
        party = self.parties.repo.get_party(target["id"]) if storable_id(target["id"]) else None
        if party is None or (allowed is not None and party.id not in allowed):
            raise InvalidInput(f"{where}.id: no party with id {target['id']}", f"{where}.id")
        target.pop("href", None)  # ours: made when served (parley.links)
        target["@referredType"] = party.kind
        target.setdefault("name", party.display_name)
        return party

    def _default_contact(self, customer_id: str) -> Party:
        customer = self.parties.get_customer(customer_id)
        primary = [
            r.get("partyOrPartyRole", {}).get("id")
            for r in customer.document.get("relatedParty", [])
            if r.get("role") == "primaryContact"
        ]
        party_id = primary[0] if primary and primary[0] else customer.party_id
        return self.parties.repo.get_party(party_id) or self.parties.repo.get_party(
            customer.party_id
        )

    def _contact_entry(self, party: Party) -> dict:
        return {
            "@type": "Contact",
            "contactType": read.PRIMARY,
            "contactName": party.display_name,
            "relatedParty": {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": read.PRIMARY,
                "partyOrPartyRole": {
                    "@type": "PartyRef",
                    "id": party.id,
                    "name": party.display_name,
                    "@referredType": party.kind,
                },
            },
        }


def present(row: BillingAccount) -> dict:
    body = dict(row.document)
    body["lastUpdate"] = row.updated_at.isoformat().replace("+00:00", "Z")
    return body


def _check_state(new: str, old: str | None) -> None:
    if new not in ACCOUNT_STATES:
        raise InvalidInput(f"state: one of {', '.join(ACCOUNT_STATES)}", "state")
    if old is not None and new not in STATE_TRANSITIONS[old]:
        raise Conflict(f"state: a billing account cannot go from {old} to {new}")


def _only_contacts_changed(before: dict, after: dict) -> None:
    for key in (set(before) | set(after)) - set(SERVER_FIELDS):
        if key not in SELF_SERVICE_CHANGEABLE and before.get(key) != after.get(key):
            raise Forbidden(
                f"{key}: a customer log-in changes only the contacts of its billing accounts"
            )
