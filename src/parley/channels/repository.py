"""The only place network self-service queries: menus and sessions."""

from datetime import datetime

from sqlalchemy import bindparam, func, select

from parley.channels.models import ACTIVE, ChannelMenu, ChannelSession
from parley.db.repository import Repository

EXPIRY_BATCH = 200
# Every USSD step's first statement: built once (building and keying it each time cost more
# CPU than PostgreSQL spends answering it).
ACTIVE_SESSION = (
    select(ChannelSession)
    .where(
        ChannelSession.channel == bindparam("channel"),
        ChannelSession.session_key == bindparam("key"),
        ChannelSession.status == ACTIVE,
    )
    .order_by(ChannelSession.created_at.desc())
    .limit(1)
    .with_for_update()
)


class ChannelRepository(Repository):
    def menus(self) -> list[ChannelMenu]:
        return list(self.session.scalars(select(ChannelMenu).order_by(ChannelMenu.code)))

    def menu(self, code: str) -> ChannelMenu | None:
        return self.session.scalars(select(ChannelMenu).where(ChannelMenu.code == code)).first()

    def active_session(self, channel: str, key: str) -> ChannelSession | None:
        """The newest active session under this gateway id, locked for this step (another
        process taking the same session's next request waits)."""
        return self.session.scalars(ACTIVE_SESSION, {"channel": channel, "key": key}).first()

    def last_session(self, channel: str, key: str) -> ChannelSession | None:
        statement = (
            select(ChannelSession)
            .where(ChannelSession.channel == channel, ChannelSession.session_key == key)
            .order_by(ChannelSession.created_at.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def expired(self, now: datetime) -> list[ChannelSession]:
        """Active sessions past their expiry, locked; ones another worker holds are skipped."""
        statement = (
            select(ChannelSession)
            .where(ChannelSession.status == ACTIVE, ChannelSession.expires_at < now)
            .order_by(ChannelSession.expires_at)
            .limit(EXPIRY_BATCH)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(statement))

    def started_between(self, start: datetime, end: datetime, channels) -> list[tuple]:
        """(channel, status, sessions) of the sessions of ``channels`` started in
        [start, end)."""
        statement = (
            select(ChannelSession.channel, ChannelSession.status, func.count())
            .where(
                ChannelSession.created_at >= start,
                ChannelSession.created_at < end,
                ChannelSession.channel.in_(channels),
            )
            .group_by(ChannelSession.channel, ChannelSession.status)
        )
        return [tuple(row) for row in self.session.execute(statement)]
