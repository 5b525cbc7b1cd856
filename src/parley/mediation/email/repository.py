"""Every query of the email channel: the Message-IDs of email threads (``models.py``)."""

from sqlalchemy import select

from parley.db.repository import Repository
from parley.mediation.email.models import SENT, EmailThreadMessage


class ThreadRepository(Repository):
    def request_of_sent(self, message_ids: list[str]) -> str | None:
        """The request of the latest mail Parley sent among ``message_ids``."""
        query = (
            select(EmailThreadMessage.request_id)
            .where(
                EmailThreadMessage.direction == SENT,
                EmailThreadMessage.message_id.in_(message_ids),
                EmailThreadMessage.request_id.is_not(None),
            )
            .order_by(EmailThreadMessage.recorded_at.desc())
            .limit(1)
        )
        return self.session.scalar(query)

    def conversation(self, request_id: str) -> list[str]:
        """The Message-IDs of a request's mail, sent and received, oldest first."""
        query = (
            select(EmailThreadMessage.message_id)
            .where(EmailThreadMessage.request_id == request_id)
            .order_by(EmailThreadMessage.recorded_at, EmailThreadMessage.id)
        )
        return list(self.session.scalars(query))

    def recorded(self, direction: str, message_id: str) -> bool:
        query = select(EmailThreadMessage.id).where(
            EmailThreadMessage.direction == direction, EmailThreadMessage.message_id == message_id
        )
        return self.session.scalar(query) is not None

    def add(self, row: EmailThreadMessage) -> None:
        self.session.add(row)
        self.session.flush()
