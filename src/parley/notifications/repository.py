"""Queries of outbound communications: templates and contact preferences."""

from sqlalchemy import select

from parley.db.repository import Repository
from parley.notifications.models import ContactPreference, MessageTemplate


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
