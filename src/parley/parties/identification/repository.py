"""The queries of identification: from exact keys or name matches to parties and customers.

Identification is on the path of every call an agent takes, so each look is one Core
statement returning the few columns shown (never the TMF documents).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    cast,
    exists,
    literal,
    null,
    select,
    union_all,
)

from parley.db.base import UTCDateTime
from parley.db.repository import Repository
from parley.parties.models import Customer, CustomerAccount, CustomerContact, Party, PartyKey

# What identification shows of a party and a customer: the document stays unread.
_PARTY_BRIEF = (
    Party.id.label("party_id"),
    Party.kind.label("party_kind"),
    Party.display_name.label("party_name"),
    Party.status.label("party_status"),
    Party.city.label("party_city"),
)
_CUSTOMER_BRIEF = (
    Customer.id.label("customer_id"),
    Customer.customer_number.label("customer_number"),
    Customer.name.label("customer_name"),
    Customer.status.label("customer_status"),
)
_MAX_IDENTIFIED_ROWS = 200
_PHONES = bindparam("phones", expanding=True)
_NO_TIME = cast(null(), UTCDateTime)  # typed: a union needs one type per column


@dataclass(frozen=True)
class PartyBrief:
    id: str
    kind: str
    display_name: str
    status: str
    city: str | None


@dataclass(frozen=True)
class CustomerBrief:
    id: str
    customer_number: str
    name: str
    status: str


@dataclass(frozen=True)
class IdentifiedRow:
    field: str
    value: str
    valid_to: datetime | None
    party: PartyBrief
    customer: CustomerBrief | None
    relation: str

    @classmethod
    def from_row(cls, row) -> "IdentifiedRow":
        party = PartyBrief(
            row.party_id, row.party_kind, row.party_name, row.party_status, row.party_city
        )
        customer = None
        if row.customer_id is not None:
            customer = CustomerBrief(
                row.customer_id, row.customer_number, row.customer_name, row.customer_status
            )
        return cls(row.field, row.value, row.valid_to, party, customer, row.relation or "")


class IdentificationRepository(Repository):
    def exact(
        self,
        number: str | None = None,
        phones: list[str] | None = None,
        email: str | None = None,
        ident: str | None = None,
        account: str | None = None,
    ) -> list[IdentifiedRow]:
        """Whoever holds any of these keys (a national id in ``ident``, an account reference in
        ``account``)."""
        given = {
            "number": number,
            "phones": phones or None,
            "email": email,
            "ident": ident,
            "account": account,
        }
        present = tuple(name for name, value in given.items() if value)
        if not present:
            return []
        params = {name: given[name] for name in present}
        return self._rows(_exact_statement(present), params)

    def parties(self, party_ids: list[str]) -> list[IdentifiedRow]:
        """These parties with the customers they are the engaged party or a contact of."""
        if not party_ids:
            return []
        return self._rows(_PARTIES_STATEMENT, {"party_ids": list(party_ids)})

    def birth_days(self, party_ids: list[str]) -> dict[str, str]:
        """The birth day (YYYY-MM-DD) of those of these individuals who gave one."""
        if not party_ids:
            return {}
        query = select(Party.id, Party.document).where(
            Party.id.in_(party_ids), Party.kind == "Individual"
        )
        days = {}
        for party_id, document in self.session.execute(query):
            born = (document or {}).get("birthDate")
            if isinstance(born, str) and len(born) >= 10:
                days[party_id] = born[:10]
        return days

    def _rows(self, statement: Select, params: dict) -> list[IdentifiedRow]:
        return [IdentifiedRow.from_row(row) for row in self.session.execute(statement, params)]


def _resolved(hits: list[Select]) -> Select:
    """The parties and customers behind hits, in one statement.

    Each hit select yields (party_id, customer_id, field, value, valid_to). A hit with a
    customer (a customer number, an account, a key of the customer's own contact media) names
    that customer; a hit on a party alone names each customer the party is the engaged party or
    a contact of, or the party by itself when it has none.
    """
    # Each hit is wrapped so that its own LIMIT is allowed inside the union (SQLite).
    wrapped = [select(*h.subquery().c) for h in hits]
    hit = (wrapped[0] if len(wrapped) == 1 else union_all(*wrapped)).cte("hit")
    fields = (hit.c.field, hit.c.value, hit.c.valid_to, *_PARTY_BRIEF)
    own_party = Party.id == hit.c.party_id
    engaged_party = literal("engagedParty").label("relation")
    direct = (
        select(*fields, *_CUSTOMER_BRIEF, engaged_party)
        .join(Party, own_party)
        .join(Customer, Customer.id == hit.c.customer_id)
    )
    party_only = hit.c.customer_id.is_(None)
    engaged = (
        select(*fields, *_CUSTOMER_BRIEF, engaged_party)
        .join(Party, own_party)
        .join(Customer, Customer.party_id == hit.c.party_id)
        .where(party_only)
    )
    contact = (
        select(*fields, *_CUSTOMER_BRIEF, CustomerContact.role)
        .join(Party, own_party)
        .join(CustomerContact, CustomerContact.party_id == hit.c.party_id)
        .join(Customer, Customer.id == CustomerContact.customer_id)
        .where(party_only, Customer.party_id != CustomerContact.party_id)
    )
    no_customer = [null().label(c.key) for c in _CUSTOMER_BRIEF]
    alone = (
        select(*fields, *no_customer, null().label("relation"))
        .join(Party, own_party)
        .where(
            party_only,
            ~exists().where(Customer.party_id == hit.c.party_id),
            ~exists().where(CustomerContact.party_id == hit.c.party_id),
        )
    )
    return union_all(direct, engaged, contact, alone).limit(_MAX_IDENTIFIED_ROWS)


@cache
def _exact_statement(present: tuple[str, ...]) -> Select:
    """Built once for each combination of keys (the statement is then a cache hit)."""
    builders = {
        "number": lambda: [_customer_number_hit()],
        # A phone number has several readings (national, international).
        "phones": lambda: [_key_hit("phone", "phone", PartyKey.value.in_(_PHONES))],
        "email": lambda: [_key_hit("email", "email", PartyKey.value == bindparam("email"))],
        "ident": lambda: [
            _key_hit("national_id", "nationalId", PartyKey.value == bindparam("ident"))
        ],
        "account": lambda: [_account_hit()],
    }
    return _resolved([hit for name in present for hit in builders[name]()])


def _customer_number_hit() -> Select:
    return select(
        Customer.party_id,
        Customer.id.label("customer_id"),
        literal("customerNumber").label("field"),
        Customer.customer_number.label("value"),
        _NO_TIME.label("valid_to"),
    ).where(Customer.customer_number == bindparam("number"))


def _account_hit() -> Select:
    return (
        select(
            Customer.party_id,
            Customer.id.label("customer_id"),
            literal("account").label("field"),
            CustomerAccount.account_ref.label("value"),
            _NO_TIME.label("valid_to"),
        )
        .join(Customer, Customer.id == CustomerAccount.customer_id)
        .where(CustomerAccount.account_ref == bindparam("account"))
        .limit(20)
    )


def _key_hit(kind: str, field_name: str, value_matches: ColumnElement) -> Select:
    return (
        select(
            PartyKey.party_id,
            PartyKey.customer_id,
            literal(field_name).label("field"),
            PartyKey.value,
            PartyKey.valid_to,
        )
        .where(PartyKey.kind == kind, value_matches)
        .limit(50)
    )


def _parties_hit() -> Select:
    """The parties themselves (fuzzy name matches, scored by the caller)."""
    return select(
        Party.id.label("party_id"),
        null().label("customer_id"),
        literal("name").label("field"),
        Party.display_name.label("value"),
        _NO_TIME.label("valid_to"),
    ).where(Party.id.in_(bindparam("party_ids", expanding=True)))


_PARTIES_STATEMENT = _resolved([_parties_hit()])
