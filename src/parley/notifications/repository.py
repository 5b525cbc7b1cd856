"""Queries of outbound communications: templates and contact preferences."""

from sqlalchemy import func, select

from parley.db.repository import Repository, conditions_for
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

    def list_messages(self, filters: dict, offset: int, limit: int, customer_ids=None):
        conditions = conditions_for(MESSAGE_COLUMNS, CommunicationMessage.document, filters)
        if customer_ids is not None:
            conditions.append(CommunicationMessage.customer_id.in_(customer_ids))
        total = self.session.scalar(
            select(func.count()).select_from(CommunicationMessage).where(*conditions)
        )
        rows = self.session.scalars(
            select(CommunicationMessage)
            .where(*conditions)
            .order_by(CommunicationMessage.created_at.desc(), CommunicationMessage.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0
