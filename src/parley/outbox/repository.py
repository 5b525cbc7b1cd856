"""Every query of the outbox. The worker's statements (claim, record an outcome) are Core
statements built once: they run for every message delivered.

Claiming is one statement on both databases: an UPDATE of the due rows that returns them. On
PostgreSQL its subquery locks the rows it picks with ``FOR UPDATE SKIP LOCKED``, so concurrent
workers pick disjoint rows without waiting for each other. SQLite has no row locks (the
``FOR UPDATE`` is not rendered there); every Parley transaction on SQLite begins with
``BEGIN IMMEDIATE`` (db.engine), which takes the database's write lock first, so claims run one
after the other and none can pick a row another has just claimed.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, insert, select, update

from parley.db.repository import Repository
from parley.outbox.models import (
    CLAIMABLE,
    DEAD,
    DELIVERED,
    IN_PROGRESS,
    PENDING,
    OutboxAttachment,
    OutboxMessage,
)

_table = OutboxMessage.__table__
_INSERT = insert(_table)
_DUE = (
    select(_table.c.id)
    .where(_table.c.status.in_(CLAIMABLE), _table.c.next_attempt_at <= bindparam("now"))
    .order_by(_table.c.next_attempt_at)
    .limit(bindparam("batch_size"))
    .with_for_update(skip_locked=True)
)
# The lease end is also the row's next due time: a dead worker's rows come back by themselves.
_CLAIM = (
    update(_table)
    .where(_table.c.id.in_(_DUE.scalar_subquery()))
    .values(
        status=IN_PROGRESS,
        attempts=_table.c.attempts + 1,
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("lease_end"),
        next_attempt_at=bindparam("lease_end"),
    )
    .returning(*_table.c)
)
# An outcome counts only while the claim that it answers is still the row's current one (the
# attempt number fences off a worker whose lease ran out and whose row was claimed again).
_STILL_CLAIMED = and_(
    _table.c.id == bindparam("message_id"),
    _table.c.status == IN_PROGRESS,
    _table.c.claimed_by == bindparam("worker"),
    _table.c.attempts == bindparam("attempt"),
)
_DELIVERED = (
    update(_table)
    .where(_STILL_CLAIMED)
    .values(status=DELIVERED, delivered_at=bindparam("now"), claimed_until=None, last_error=None)
)
_RESCHEDULE = (
    update(_table)
    .where(_STILL_CLAIMED)
    .values(
        status=bindparam("new_status"),
        next_attempt_at=bindparam("next_attempt_at"),
        last_error=bindparam("error"),
        claimed_until=None,
    )
)
# Handing a claimed row back untried (a worker stopping): the attempt it did not make is undone.
_RELEASE = (
    update(_table)
    .where(_STILL_CLAIMED)
    .values(
        status=PENDING,
        attempts=_table.c.attempts - 1,
        next_attempt_at=bindparam("now"),
        claimed_by=None,
        claimed_until=None,
    )
)


class OutboxRepository(Repository):
    def insert(self, values: dict) -> None:
        self.run(_INSERT, values)

    def add_attachments(self, message_id: str, files) -> None:
        rows = [
            {
                "message_id": message_id,
                "position": position,
                "filename": file.filename,
                "content_type": file.content_type,
                "content": file.content,
            }
            for position, file in enumerate(files)
        ]
        if rows:
            self.run(insert(OutboxAttachment.__table__), rows)

    def attachments(self, message_id: str) -> list[OutboxAttachment]:
        query = select(OutboxAttachment).where(OutboxAttachment.message_id == message_id)
        return list(self.session.scalars(query.order_by(OutboxAttachment.position)))

    def get(self, message_id: str) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, message_id)

    def id_for_key(self, idempotency_key: str) -> str | None:
        query = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key)
        return self.session.scalar(query)

    def list_messages(
        self, conditions: Sequence[ColumnElement], offset: int, limit: int
    ) -> tuple[list[OutboxMessage], int]:
        """Messages newest first, and how many match in all."""
        query = select(OutboxMessage).where(*conditions)
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        page = query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        return list(self.session.scalars(page.offset(offset).limit(limit))), total or 0

    def of_subject(self, subject_type: str, subject_id: str) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(
            OutboxMessage.subject_type == subject_type, OutboxMessage.subject_id == subject_id
        )
        return list(self.session.scalars(query.order_by(OutboxMessage.created_at)))

    def delete_untried(self, subject_type: str, subject_id: str) -> int:
        """Delete the subject's messages no worker has touched; how many went."""
        statement = delete(OutboxMessage).where(
            OutboxMessage.subject_type == subject_type,
            OutboxMessage.subject_id == subject_id,
            OutboxMessage.status == PENDING,
            OutboxMessage.attempts == 0,
        )
        return self.session.execute(statement).rowcount

    # -- the worker's ----------------------------------------------------------------------

    def claim(self, worker: str, now: datetime, lease_end: datetime, batch_size: int) -> list:
        params = {"worker": worker, "now": now, "lease_end": lease_end, "batch_size": batch_size}
        rows = self.run(_CLAIM, params).all()
        return sorted(rows, key=lambda row: row.created_at)  # oldest first

    def mark_delivered(self, claim: dict, now: datetime) -> bool:
        return self.run(_DELIVERED, {**claim, "now": now}).rowcount == 1

    def reschedule(self, claim: dict, dead: bool, next_attempt_at: datetime, error: str) -> bool:
        """Back to pending for another attempt at ``next_attempt_at``, or ``dead``."""
        params = {
            **claim,
            "new_status": DEAD if dead else PENDING,
            "next_attempt_at": next_attempt_at,
            "error": error,
        }
        return self.run(_RESCHEDULE, params).rowcount == 1

    def release(self, claim: dict, now: datetime) -> bool:
        return self.run(_RELEASE, {**claim, "now": now}).rowcount == 1
