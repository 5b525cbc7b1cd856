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


def get_channel(request: Request) -> str:
    """The channel the caller says it acts through (``X-Parley-Channel``; default ``api``)."""
    return (request.headers.get("x-parley-channel", "").strip() or "api")[:32]


def get_actor(request: Request) -> Actor:
    """The logged-in user acting, through the channel it names.

    Routes that use it also declare a permission, so the principal is already established.
    """
    from parley.api.security import current_principal_of

    return current_principal_of(request).actor(get_channel(request))


# scope="function": the commit happens before the response is sent, so a failed commit is
# an error answer, never a 201 for data that was not stored.
UnitOfWork = Depends(get_session, scope="function")
