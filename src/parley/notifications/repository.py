"""Queries of outbound communications: templates and contact preferences."""

from sqlalchemy import ColumnElement, select

from parley.db.repository import Page, Reader, Repository, conditions_for, owned_by_reader
from parley.notifications.models import CommunicationMessage, ContactPreference, MessageTemplate

# Filters answered from columns; any other attribute is looked up in the document.
MESSAGE_COLUMNS = {
    "id": CommunicationMessage.id,
    "state": CommunicationMessage.state,
    "tryTimes": CommunicationMessage.try_times,
}


class NotificationRepository(Repository):
    def template(self, template_id: str) -> MessageTemplate | None:
        return self.session.get(MessageTemplate, template_id)

    def template_for(self, kind: str, channel: str, language: str) -> MessageTemplate | None:
        return self.session.scalar(
            select(MessageTemplate).where(
                MessageTemplate.kind == kind,
                MessageTemplate.channel == channel,
                MessageTemplate.language == language,
            )
        )

    def templates(
        self, kind: str | None = None, channel: str | None = None, language: str | None = None
    ) -> list[MessageTemplate]:
        query = select(MessageTemplate).order_by(
            MessageTemplate.kind, MessageTemplate.channel, MessageTemplate.language
        )
        for column, value in (
            (MessageTemplate.kind, kind),
            (MessageTemplate.channel, channel),
            (MessageTemplate.language, language),
        ):
            if value is not None:
                query = query.where(column == value)
        return list(self.session.scalars(query))

    def preference(self, customer_id: str) -> ContactPreference | None:
        return self.session.get(ContactPreference, customer_id)

    def message(self, message_id: str, lock: bool = False) -> CommunicationMessage | None:
        """``lock``: held until the transaction ends, so that two workers reporting on two
        copies of one message bring its state up to date one after the other."""
        if not lock:
            return self.session.get(CommunicationMessage, message_id)
        query = select(CommunicationMessage).where(CommunicationMessage.id == message_id)
        return self.session.scalar(
            query.with_for_update().execution_options(populate_existing=True)
        )

    def readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads the messages to its own customer only."""
        return owned_by_reader(CommunicationMessage.customer_id, reader)

    def list_messages(self, page: Page, readable: ColumnElement | None = None):
        conditions = conditions_for(MESSAGE_COLUMNS, CommunicationMessage.document, page)
        order = ((CommunicationMessage.created_at, True),)
        return self.page(CommunicationMessage, [*conditions, readable], page, *order)
