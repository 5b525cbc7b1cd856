"""The queries of billing accounts and their contacts."""

from sqlalchemy import ColumnElement, delete, select

from parley.db.repository import Page, Reader, Repository, owned_by_reader
from parley.parties.models import BillingAccount, BillingAccountContact


class AccountRepository(Repository):
    def get(self, account_id: str, for_update: bool = False) -> BillingAccount | None:
        query = select(BillingAccount).where(BillingAccount.id == account_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads its own customer's accounts only."""
        return owned_by_reader(BillingAccount.customer_id, reader)

    def list_accounts(self, conditions: list, page: Page) -> tuple[list[BillingAccount], int]:
        order = ((BillingAccount.created_at, True),)
        return self.page(BillingAccount, conditions, page, *order)

    def replace_contacts(self, account_id: str, contacts: list[dict]) -> None:
        self.session.execute(
            delete(BillingAccountContact).where(BillingAccountContact.account_id == account_id)
        )
        if contacts:
            self.session.execute(
                BillingAccountContact.__table__.insert(),
                [{"account_id": account_id, **contact} for contact in contacts],
            )

    def contacts(self, account_id: str) -> list[BillingAccountContact]:
        query = (
            select(BillingAccountContact)
            .where(BillingAccountContact.account_id == account_id)
            .order_by(BillingAccountContact.id)
        )
        return list(self.session.scalars(query).all())

    def account_ids_of_customer(self, customer_id: str) -> list[str]:
        query = select(BillingAccount.id).where(BillingAccount.customer_id == customer_id)
        return list(self.session.scalars(query))
