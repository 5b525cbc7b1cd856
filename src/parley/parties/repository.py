"""Every query of the parties domain."""

from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    delete,
    exists,
    func,
    select,
)

from parley.db.repository import Page, Reader, Repository, owned_by_reader
from parley.parties.models import (
    Customer,
    CustomerAccount,
    CustomerContact,
    CustomerNote,
    CustomerSecurity,
    Party,
    PartyKey,
    SecurityQuestion,
    VerificationAttempt,
)


def engaged_party_of(customer_id: ColumnElement) -> ScalarSelect:
    """The id of the customer's engaged party, as a subquery of a statement built elsewhere."""
    return select(Customer.party_id).where(Customer.id == customer_id).scalar_subquery()


class PartyRepository(Repository):
    # -- parties -------------------------------------------------------------------------

    def get_party(self, party_id: str, kind: str | None = None) -> Party | None:
        party = self.session.get(Party, party_id)
        if party is None or (kind is not None and party.kind != kind):
            return None
        return party

    def parties_readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads its customer's engaged party and its contacts' parties."""
        own = owned_by_reader(Customer.id, reader)
        if own is None:
            return None
        engaged = select(Customer.party_id).where(own)
        contacts = select(CustomerContact.party_id).where(
            owned_by_reader(CustomerContact.customer_id, reader)
        )
        return Party.id.in_(engaged.union(contacts))

    def list_parties(self, kind: str, conditions: list, page: Page) -> tuple[list[Party], int]:
        order = ((Party.created_at, True),)
        return self.page(Party, [Party.kind == kind, *conditions], page, *order)

    def party_exists(self, party_id: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Party.id == party_id))))

    def party_in_use(self, party_id: str) -> bool:
        engaged = select(Customer.id).where(Customer.party_id == party_id).limit(1)
        contact = select(CustomerContact.id).where(CustomerContact.party_id == party_id).limit(1)
        return self.session.scalar(engaged) is not None or self.session.scalar(contact) is not None

    def replace_keys(self, party_id: str, customer_id: str | None, keys: Iterable[dict]) -> None:
        owner = (
            PartyKey.customer_id == customer_id
            if customer_id
            else (PartyKey.party_id == party_id) & PartyKey.customer_id.is_(None)
        )
        self.session.execute(delete(PartyKey).where(owner))
        rows = [{"party_id": party_id, "customer_id": customer_id, **key} for key in keys]
        if rows:
            self.session.execute(PartyKey.__table__.insert(), rows)

    # -- customers -----------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def customers_readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads its own customer only."""
        return owned_by_reader(Customer.id, reader)

    def list_customers(
        self, conditions: list, page: Page, read_only: bool = False
    ) -> tuple[list[Customer], int]:
        """``read_only``: rows with the customer's columns, not Customer objects (page())."""
        order = ((Customer.created_at, True),)
        return self.page(Customer, conditions, page, *order, read_only=read_only)

    def engaged_party_id(self, customer_id: str) -> str | None:
        return self.session.scalar(select(Customer.party_id).where(Customer.id == customer_id))

    def customer_ids_of_party(self, party_id: str) -> list[str]:
        query = select(Customer.id).where(Customer.party_id == party_id).order_by(Customer.id)
        return list(self.session.scalars(query))

    def engaged_party_ids(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        query = select(Customer.id, Customer.party_id).where(Customer.id.in_(wanted))
        return {row.id: row.party_id for row in self.session.execute(query)}

    def existing_customer_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        return set(self.session.scalars(select(Customer.id).where(Customer.id.in_(wanted))))

    def customer_number_taken(self, number: str) -> bool:
        query = select(Customer.id).where(Customer.customer_number == number)
        return self.session.scalar(query) is not None

    def replace_contacts(self, customer_id: str, contacts: list[dict]) -> None:
        self.session.execute(
            delete(CustomerContact).where(CustomerContact.customer_id == customer_id)
        )
        if contacts:
            self.session.execute(
                CustomerContact.__table__.insert(),
                [{"customer_id": customer_id, **c} for c in contacts],
            )

    def contact_party_ids(self, customer_id: str) -> list[str]:
        query = select(CustomerContact.party_id).where(CustomerContact.customer_id == customer_id)
        return list(self.session.scalars(query))

    def replace_accounts(self, customer_id: str, account_refs: list[str]) -> None:
        self.session.execute(
            delete(CustomerAccount).where(CustomerAccount.customer_id == customer_id)
        )
        if account_refs:
            self.session.execute(
                CustomerAccount.__table__.insert(),
                [{"customer_id": customer_id, "account_ref": ref} for ref in account_refs],
            )

    def customer_has_history(self, customer_id: str) -> bool:
        for model in (CustomerNote, VerificationAttempt):
            query = select(model.id).where(model.customer_id == customer_id).limit(1)
            if self.session.scalar(query) is not None:
                return True
        return False

    # -- notes ---------------------------------------------------------------------------

    def list_notes(
        self, customer_id: str, offset: int, limit: int
    ) -> tuple[list[CustomerNote], int]:
        where = CustomerNote.customer_id == customer_id
        total = self.session.scalar(select(func.count()).select_from(CustomerNote).where(where))
        rows = self.session.scalars(
            select(CustomerNote)
            .where(where)
            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total or 0

    # -- security ------------------------------------------------------------------------

    def get_security(self, customer_id: str, for_update: bool = False) -> CustomerSecurity | None:
        query = select(CustomerSecurity).where(CustomerSecurity.customer_id == customer_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def list_questions(self, customer_id: str) -> list[SecurityQuestion]:
        query = select(SecurityQuestion).where(SecurityQuestion.customer_id == customer_id)
        return list(self.session.scalars(query.order_by(SecurityQuestion.question)).all())

    def replace_questions(self, customer_id: str, questions: list[SecurityQuestion]) -> None:
        self.session.execute(
            delete(SecurityQuestion).where(SecurityQuestion.customer_id == customer_id)
        )
        self.session.add_all(questions)
        self.session.flush()

    def list_attempts(self, customer_id: str, limit: int) -> list[VerificationAttempt]:
        query = (
            select(VerificationAttempt)
            .where(VerificationAttempt.customer_id == customer_id)
            .order_by(VerificationAttempt.attempted_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query).all())

    # -- keys ----------------------------------------------------------------------------

    def keys_matching(self, kind: str, value: str) -> list[PartyKey]:
        query = select(PartyKey).where(PartyKey.kind == kind, PartyKey.value == value).limit(50)
        return list(self.session.scalars(query).all())
