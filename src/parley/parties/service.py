"""Develop Contact: create, change and remove individuals, organisations and customers.

Documents reaching this service have already been checked against the TMF schema by the edge;
here live the rules a telco adds: mandatory details, canonical phone numbers and emails,
customer numbers, contacts, status lifecycle, and what may be deleted.
"""

import copy
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, func
from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.changes.recorder import CREATE, DELETE, UPDATE
from parley.db.base import ID_LENGTH, new_id, storable_id, utcnow
from parley.db.listing import Attribute
from parley.db.repository import Page, Reader, conditions_for, json_text
from parley.errors import Conflict, InvalidInput, NotFound
from parley.parties import projection
from parley.parties.duplicates import DuplicateCheck, DuplicateSuspected, Prospect, Suspect
from parley.parties.external import (
    adoptable,
    external_owner,
    is_external,
    is_placeholder,
    placeholder_document,
)
from parley.parties.models import (
    Customer,
    CustomerAccount,
    CustomerContact,
    CustomerNote,
    Party,
    PartyKey,
)
from parley.parties.normalize import luhn_check_digit
from parley.parties.options import PartyOptions
from parley.parties.repository import PartyRepository, engaged_party_of

CUSTOMER_NUMBER_CHARACTERISTIC = "customerNumber"
PRIMARY_CONTACT_ROLE = "primaryContact"
DEFAULT_CUSTOMER_STATUS = "active"
FORCED_CREATE = "create_forced"  # audit action: created despite likely duplicates
CUSTOMER_TRANSITIONS = {
    "prospective": {"active", "closed"},
    "active": {"suspended", "disconnected", "closed"},
    "suspended": {"active", "disconnected", "closed"},
    "disconnected": {"active", "closed"},
    "closed": set(),
}
DEFAULT_PARTY_STATUS = "initialized"
PARTY_COLUMNS = {
    "id": Party.id,
    "status": Party.status,
    "givenName": Party.given_name,
    "familyName": Party.family_name,  # not sortable: organisations have none (NULL)
    "creationDate": Attribute(Party.created_at, sortable=True),
    "lastUpdate": Party.updated_at,
}
# An organisation's trading name, or its name where it has none (TMF632 v4 requires one and
# shows it so: its lists filter on it as shown).
TRADING_NAME = Attribute(
    func.coalesce(json_text(Party.document, "tradingName"), json_text(Party.document, "name")),
    "text",
)
# What TMF629 lists filter on and sort by (db.listing), each backed by an index (0022).
CUSTOMER_COLUMNS = {
    "id": Customer.id,
    "status": Customer.status,
    "name": Attribute(Customer.name, sortable=True),
    CUSTOMER_NUMBER_CHARACTERISTIC: Customer.customer_number,
    "engagedParty.id": Customer.party_id,
    # Parley's own dates (not in the v5 Customer schema): sync by them.
    "creationDate": Attribute(Customer.created_at, sortable=True),
    "lastUpdate": Customer.updated_at,
    "statusChangeDate": Customer.status_changed_at,
    # The customer's contacts, by their party and role.
    "relatedParty.id": Attribute(
        CustomerContact.party_id, through=(Customer.id, CustomerContact.customer_id)
    ),
    "relatedParty.role": Attribute(
        CustomerContact.role, through=(Customer.id, CustomerContact.customer_id)
    ),
}


@dataclass
class _CustomerIndex:
    keys: list[dict]
    contacts: list[dict]
    accounts: list[str]


class PartyService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.session = uow.session
        self.repo = PartyRepository(uow.session)
        self.options = uow.options(PartyOptions)

    # -- individuals and organisations ---------------------------------------------------

    def get_party(self, kind: str, party_id: str, reader: Reader | None = None) -> Party:
        """The party of this kind, if ``reader`` (None: the system) may read it."""
        missing = f"No {kind.lower()} with id {party_id}"
        party = self.repo.found(Party, party_id, self.repo.parties_readable_by(reader), missing)
        if party.kind != kind:
            raise NotFound(missing)
        return party

    def any_party(self, party_id: str) -> Party:
        """An individual or an organisation, whichever it is."""
        party = self.repo.get_party(party_id) if storable_id(party_id) else None
        if party is None:
            raise NotFound(f"No individual or organization with id {party_id}")
        return party

    def find_parties(
        self, kind: str, page: Page, reader: Reader | None = None, columns=PARTY_COLUMNS
    ):
        """``columns``: what the list filters on, where more than PARTY_COLUMNS (a column
        of the API's own, such as TRADING_NAME)."""
        conditions = conditions_for(columns, Party.document, page)
        readable = self.repo.parties_readable_by(reader)
        return self.repo.list_parties(kind, [*conditions, readable], page)

    def party_ids_of_customer(self, customer_id: str | None) -> list[str]:
        """The engaged party and the contacts of a customer: what its own log-in may see."""
        customer = self.repo.get_customer(customer_id) if customer_id else None
        if customer is None:
            return []
        return [customer.party_id, *self.repo.contact_party_ids(customer.id)]

    def create_party(self, kind: str, document: dict) -> Party:
        document.pop("id", None)
        placeholder = self._placeholder_named_by(kind, document)
        if placeholder is not None:
            # The party an external reference named has appeared: it takes the placeholder's
            # place (and id), so what refers to it (customers, their history) now refers to it.
            return self.replace_party(kind, placeholder.id, document)
        party = Party(id=new_id(), kind=kind, created_at=utcnow())
        keys = self._apply_party(party, document)
        self.repo.add(party)
        self.repo.replace_keys(party.id, None, keys)
        self.uow.record(kind.lower(), CREATE, party.id, after=party.document, event=party.document)
        return party

    def replace_party(self, kind: str, party_id: str, document: dict) -> Party:
        party = self.get_party(kind, party_id)
        before = copy.deepcopy(party.document)
        keys = self._apply_party(party, document)
        self.repo.add(party)
        self.repo.replace_keys(party.id, None, keys)
        self.uow.record(
            kind.lower(),
            UPDATE,
            party.id,
            before=before,
            after=party.document,
            event=party.document,
        )
        return party

    def delete_party(self, kind: str, party_id: str) -> None:
        party = self.get_party(kind, party_id)
        if self.repo.party_in_use(party_id):
            raise Conflict(
                f"{kind} {party_id} is the engaged party or a contact of a customer and cannot "
                "be deleted; change its status instead"
            )
        self.uow.record(kind.lower(), DELETE, party.id, before=party.document, event=party.document)
        self.repo.delete(party)

    def _apply_party(self, party: Party, document: dict) -> list[dict]:
        """Project the document onto the row; return the party's identification keys."""
        document["@type"] = party.kind
        keys = projection.normalize_contact_media(document, self.options.phone_region)
        if party.kind == "Individual":
            party.given_name, party.family_name, party.display_name = projection.individual_names(
                document
            )
            keys += projection.identification_keys(document, "individualIdentification")
        else:
            party.display_name = projection.organization_name(document)
            projection.check_period(document, "existsDuring")
            party.given_name = party.family_name = None
            keys += projection.identification_keys(document, "organizationIdentification")
        keys += projection.external_keys(document)
        document.setdefault("status", DEFAULT_PARTY_STATUS)
        party.status = document["status"]
        party.city = projection.preferred_city(document)
        party.search_text = projection.name_search_text(party.display_name, party.city)
        party.document = document
        party.updated_at = utcnow()
        return keys

    # -- customers -----------------------------------------------------------------------

    def get_customer(self, customer_id: str, reader: Reader | None = None) -> Customer:
        """The customer, if ``reader`` (None: the system) may read it; else not found."""
        readable = self.repo.customers_readable_by(reader)
        return self.repo.found(
            Customer, customer_id, readable, f"No customer with id {customer_id}"
        )

    def contact_media_of_customer(self, customer_id: str) -> list[dict]:
        """Where the customer can be reached: the account's own contact media first, then its
        engaged party's (the person or organisation behind it)."""
        customer = self.get_customer(customer_id)
        party = self.repo.get_party(customer.party_id)
        media = list(customer.document.get("contactMedium", []))
        return media + (party.document.get("contactMedium", []) if party is not None else [])

    def customer_ids_of_party(self, party_id: str) -> list[str]:
        """The customer accounts whose engaged party is ``party_id`` (a person's accounts)."""
        return self.repo.customer_ids_of_party(party_id)

    def find_customers(self, page: Page, reader: Reader | None = None, read_only: bool = False):
        """``read_only``: the rows as read-only tuples of the customer's columns, for a page
        that is only shown (the TMF list), not Customer objects."""
        conditions = conditions_for(CUSTOMER_COLUMNS, Customer.document, page)
        readable = self.repo.customers_readable_by(reader)
        return self.repo.list_customers([*conditions, readable], page, read_only)

    def create_customer(
        self, document: dict, force: bool = False, check_duplicates: bool = True
    ) -> Customer:
        """A new customer, unless it looks like a customer or open lead already known (409
        naming them); ``force`` creates it all the same and records what it overrode.
        ``check_duplicates=False`` only for a caller that ran the check itself (conversion)."""
        document.pop("id", None)
        now = utcnow()
        customer = Customer(
            id=new_id(),
            customer_number=self._new_customer_number(),
            created_at=now,
            status_changed_at=now,
            status=document.setdefault("status", DEFAULT_CUSTOMER_STATUS),
        )
        self._check_status(document["status"], None)
        index = self._apply_customer(customer, document)
        suspects = self.duplicates_of(customer) if check_duplicates else []
        if suspects and not force:
            raise DuplicateSuspected(suspects, f"The customer {customer.name}")
        self.repo.add(customer)
        self._index_customer(customer, index)
        self.uow.record(
            "customer", CREATE, customer.id, after=customer.document, event=customer.document
        )
        if suspects:
            overridden = {"suspects": [s.as_dict() for s in suspects]}
            self.uow.record("customer", FORCED_CREATE, customer.id, after=overridden)
        return customer

    def duplicates_of(self, customer: Customer) -> list[Suspect]:
        """Customers and open leads likely the same as this (unsaved) customer: its engaged
        party's name, keys and birth day, and its own contact media and city. (The check asks
        about customers and open leads alike, so it lives with the leads; it imports only the
        parties' matcher and models, never this module.)"""
        prospect = Prospect.of_party(self.repo.get_party(customer.party_id))
        own_city = projection.preferred_city(customer.document)
        prospect.add_media(customer.document.get("contactMedium", []), own_city)
        return DuplicateCheck(self.uow).suspects(prospect)

    def replace_customer(self, customer_id: str, document: dict) -> Customer:
        customer = self.get_customer(customer_id)
        before = copy.deepcopy(customer.document)
        document.setdefault("status", customer.status)
        if document["status"] != customer.status:
            self._check_status(document["status"], customer.status)
            customer.status_changed_at = utcnow()
        customer.status = document["status"]
        index = self._apply_customer(customer, document)
        self.repo.add(customer)
        self._index_customer(customer, index)
        self.uow.record(
            "customer",
            UPDATE,
            customer.id,
            before=before,
            after=customer.document,
            event=customer.document,
        )
        return customer

    def delete_customer(self, customer_id: str) -> None:
        customer = self.get_customer(customer_id)
        if self.repo.customer_has_history(customer_id):
            raise Conflict(
                f"Customer {customer.customer_number} has history (notes, verifications) and "
                "cannot be deleted; set its status to disconnected or closed instead"
            )
        self.uow.record(
            "customer", DELETE, customer.id, before=customer.document, event=customer.document
        )
        self.repo.delete(customer)

    def _apply_customer(self, customer: Customer, document: dict) -> "_CustomerIndex":
        """Project the document onto the row; return its keys, contacts and accounts."""
        document["@type"] = "Customer"
        projection.check_period(document, "validFor")
        engaged = self._engaged_party(document.get("engagedParty"))
        customer.party_id = engaged.id
        if document["engagedParty"].get("id") == engaged.id:  # ours: completed
            document["engagedParty"] = {
                **document["engagedParty"],
                "@referredType": engaged.kind,
            }
            document["engagedParty"].setdefault("name", engaged.display_name)
        # else an external reference: kept as sent
        name = document.get("name")
        if name is not None and not name.strip():
            raise InvalidInput("name: must not be blank", "name")
        customer.name = projection.fits(
            Customer.name, (name or engaged.display_name).strip(), "name"
        )
        document["name"] = customer.name
        index = _CustomerIndex(
            keys=projection.normalize_contact_media(document, self.options.phone_region),
            contacts=self._contacts(document),
            accounts=sorted(
                {
                    projection.fits(CustomerAccount.account_ref, a["id"], f"account[{i}].id")
                    for i, a in enumerate(document.get("account", []))
                    if a.get("id")
                }
            ),
        )
        characteristics = [
            c
            for c in document.get("characteristic", [])
            if c.get("name") != CUSTOMER_NUMBER_CHARACTERISTIC
        ]
        characteristics.append(
            {
                "@type": "StringCharacteristic",
                "name": CUSTOMER_NUMBER_CHARACTERISTIC,
                "valueType": "string",
                "value": customer.customer_number,
            }
        )
        document["characteristic"] = characteristics
        customer.document = document
        customer.updated_at = utcnow()
        return index

    def _index_customer(self, customer: Customer, index: "_CustomerIndex") -> None:
        self.repo.replace_keys(customer.party_id, customer.id, index.keys)
        self.repo.replace_contacts(customer.id, index.contacts)
        self.repo.replace_accounts(customer.id, index.accounts)

    def _contacts(self, document: dict) -> list[dict]:
        contacts, primaries = [], 0
        for index, related in enumerate(document.get("relatedParty", [])):
            ref = related.get("partyOrPartyRole") or {}
            role = (related.get("role") or "").strip()
            where = f"relatedParty[{index}]"
            if not role:
                raise InvalidInput(
                    f"{where}.role: is required for a related party", f"{where}.role"
                )
            projection.fits(CustomerContact.role, role, f"{where}.role")
            if ref.get("@type") == "PartyRoleRef" or not ref.get("id"):
                continue  # a reference to another party role, not a contact person
            if is_external(ref) and not self.repo.get_party(ref["id"]):
                continue  # a party Parley does not hold: an external reference, kept as sent
            party = self._referenced_party(ref, f"{where}.partyOrPartyRole")
            is_primary = role == PRIMARY_CONTACT_ROLE
            primaries += is_primary
            contacts.append({"party_id": party.id, "role": role, "is_primary": is_primary})
        if primaries > 1:
            raise InvalidInput(
                f"relatedParty: only one '{PRIMARY_CONTACT_ROLE}' is allowed", "relatedParty"
            )
        return contacts

    def _engaged_party(self, ref: dict | None) -> Party:
        """The engaged party: one of ours (checked strictly), or an external reference.

        A reference to a party Parley does not hold (a BSS's own party master: ``{"id":
        "500"}``, with or without its href) is kept in the customer as sent; behind it stands
        a placeholder party carrying the reference as its ``externalReference`` (made once
        per id and owner), so the customer can be identified by name, and which the party
        itself replaces when it is created here with that external identifier.
        """
        ref = ref or {}
        ref_id = ref.get("id") or ""
        if not ref_id or not is_external(ref) or self.repo.get_party(ref_id):
            return self._referenced_party(ref, "engagedParty")
        return self.external_party(ref, "engagedParty")

    def external_party(self, ref: dict, where: str) -> Party:
        """The party behind a reference to another system's party or customer (``ref``, kept
        as sent by whoever holds it): the party carrying that external identifier (id and
        owner) if there is one, else a placeholder for it, made once. The party itself takes
        the placeholder's place when it is created here (docs/api.md, "External
        references"), so what refers to the placeholder then refers to it."""
        ref_id = ref.get("id")
        if not isinstance(ref_id, str) or not ref_id.strip() or "\x00" in ref_id:
            raise InvalidInput(f"{where}.id: is required", f"{where}.id")
        owner = external_owner(ref)
        key = projection.fits(PartyKey.value, projection.external_key(owner, ref_id), f"{where}.id")
        known = self.repo.keys_matching("external_id", key)
        if known:
            return self.repo.get_party(known[0].party_id)
        return self.create_party(*placeholder_document(ref, owner))

    def party_held(self, party_id: str) -> bool:
        """Whether Parley holds an individual or organisation with this id."""
        return storable_id(party_id, ID_LENGTH) and self.repo.get_party(party_id) is not None

    def customer_exists(self, customer_id: str) -> bool:
        return (
            storable_id(customer_id, ID_LENGTH) and self.repo.get_customer(customer_id) is not None
        )

    def _placeholder_named_by(self, kind: str, document: dict) -> Party | None:
        """The placeholder of an external reference this new party's own external
        identifiers name, if there is one of its kind (or one made for a reference that
        said no kind of party: another system's customer); it becomes of this kind."""
        for key in projection.external_keys(document):
            for found in self.repo.keys_matching("external_id", key["value"]):
                party = self.repo.get_party(found.party_id)
                if party is None or not is_placeholder(party.document):
                    continue
                if party.kind == kind:
                    return party
                if adoptable(party.document):
                    party.kind = kind
                    self.repo.add(party)
                    return party
        return None

    def _referenced_party(self, ref: dict | None, where: str) -> Party:
        if not ref or not ref.get("id"):
            raise InvalidInput(f"{where}.id: is required", f"{where}.id")
        party = self.repo.get_party(ref["id"])
        if party is None:
            raise InvalidInput(f"{where}.id: no party with id {ref['id']}", f"{where}.id")
        referred = ref.get("@referredType")
        if referred and referred not in ("Party", party.kind):
            raise InvalidInput(
                f"{where}.@referredType: party {party.id} is an {party.kind}, not {referred}",
                f"{where}.@referredType",
            )
        return party

    def _check_status(self, new: str, old: str | None) -> None:
        if new not in CUSTOMER_TRANSITIONS:
            allowed = ", ".join(CUSTOMER_TRANSITIONS)
            raise InvalidInput(f"status: must be one of {allowed}", "status")
        if old is not None and new not in CUSTOMER_TRANSITIONS[old]:
            raise Conflict(f"status: a customer cannot go from {old} to {new}")

    def _new_customer_number(self) -> str:
        # Random (not sequential: numbers don't reveal the customer count), Luhn-checked so
        # a digit misheard on the phone is caught.
        while True:
            body = str(secrets.randbelow(900_000_000) + 100_000_000)
            number = body + luhn_check_digit(body)
            if not self.repo.customer_number_taken(number):
                return number

    # -- notes ---------------------------------------------------------------------------

    def add_note(self, customer_id: str, text: str) -> CustomerNote:
        """Append a note written by the acting user."""
        self.get_customer(customer_id)
        if not text.strip():
            raise InvalidInput("text: must not be blank", "text")
        note = CustomerNote(
            id=new_id(),
            customer_id=customer_id,
            author=self.uow.writer().name,
            text=text.strip(),
            created_at=utcnow(),
        )
        self.repo.add(note)
        self._record_note(note)
        return note

    def carry_note(self, customer_id: str, author: str, text: str) -> CustomerNote:
        """A note written elsewhere (a sales lead's) carried onto the customer, its author kept."""
        note = CustomerNote(
            id=new_id(),
            customer_id=customer_id,
            author=(author or self.uow.writer().name)[:150],
            text=text.strip(),
            created_at=utcnow(),
        )
        self.repo.add(note)
        self._record_note(note)
        return note

    def _record_note(self, note: CustomerNote) -> None:
        after = {"customerId": note.customer_id, "text": note.text}
        self.uow.record("customerNote", CREATE, note.id, after=after)

    def list_notes(self, customer_id: str, offset: int, limit: int):
        self.get_customer(customer_id)
        return self.repo.list_notes(customer_id, offset, limit)


# -- what other domains read of parties, past no repository of ours ---------------------------


def engaged_party_id(session: Session, customer_id: str) -> str | None:
    """The id of the customer's engaged party; None if there is no such customer."""
    return PartyRepository(session).engaged_party_id(customer_id)


def engaged_party_ids(session: Session, customer_ids: list[str]) -> dict[str, str]:
    """The engaged party of each of these customers (those that exist), in one query."""
    return PartyRepository(session).engaged_party_ids(i for i in customer_ids if storable_id(i))


def existing_customer_ids(session: Session, customer_ids: list[str]) -> set[str]:
    """Which of these (storable) ids are customers': one query for a batch of them."""
    return PartyRepository(session).existing_customer_ids(i for i in customer_ids if storable_id(i))


def party_exists(session: Session, party_id: str) -> bool:
    return PartyRepository(session).party_exists(party_id)


def engaged_party_query(customer_id: ColumnElement) -> ScalarSelect:
    """``engaged_party_id`` inside another domain's prebuilt statement (no extra round trip)."""
    return engaged_party_of(customer_id)
