"""Dependencies shared by every edge: the unit of work, settings and the acting user."""

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed once at the end, rolled back on any error."""
    session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_actor(request: Request) -> Actor:
    """The acting user and channel as declared by the caller.

    Until log-in exists (the roles-and-credentials issue) callers name themselves with the
    ``X-Parley-User`` and ``X-Parley-Channel`` headers; the token's subject replaces this.
    """
    name = request.headers.get("x-parley-user", "").strip() or "anonymous"
    channel = request.headers.get("x-parley-channel", "").strip() or "api"
    return Actor(name=name[:150], channel=channel[:32])


# scope="function": the commit happens before the response is sent, so a failed commit is
# an error answer, never a 201 for data that was not stored.
UnitOfWork = Depends(get_session, scope="function")
