"""Dependencies shared by every edge: the unit of work, settings, links and the acting user.

The settings are the app's (``request.app.state.settings``): an endpoint that needs them, or
the hrefs made from them, takes ``settings: AppSettings`` or ``links: AppLinks``; the unit of
work does not hand them out (services read their domain's options records from it)."""

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.api.hrefs import links_of
from parley.changes import UnitOfWork as Work
from parley.links import Links
from parley.settings import Settings

# Dependencies that do no I/O are ``async``: FastAPI runs them on the event loop, where a sync
# one would cost a hand-over to the thread pool (tenths of a millisecond each, per request).


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_links(request: Request) -> Links:
    return links_of(request)


# An endpoint's one parameter for the app's settings, or for the hrefs it makes from them.
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
AppLinks = Annotated[Links, Depends(get_links)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: committed once at the end, rolled back on any error.

    Opening a session does no I/O. At the end, a transaction still open is committed (or, on
    an error, rolled back) in one hand-over to the thread pool; a route that committed as its
    last step (``commit_now``) leaves nothing to do there but close.
    """
    # At most as many units of work as pooled connections: the rest wait here, holding neither
    # a thread nor a connection (a thread waiting for a connection while the requests holding
    # them wait for a thread would deadlock).
    async with request.app.state.db_slots:
        session = request.app.state.sessionmaker()
        try:
            yield session
        except BaseException:
            # Shielded: after a cancellation (the client went away) the rollback must still
            # run and the connection go back to the pool.
            with CancelScope(shield=True):
                await run_in_threadpool(end_unit_of_work, session, False)
            raise
        if session.in_transaction():
            await run_in_threadpool(end_unit_of_work, session, True)
        else:
            session.close()  # no transaction: the connection is back in the pool


def commit_now(session: Session) -> None:
    """Commit from inside a sync route, as its last step before answering (saves the unit of
    work a hand-over to the thread pool: see get_session)."""
    session.commit()


def end_unit_of_work(session: Session, commit: bool) -> None:
    """Commit (or roll back) and close; a failed commit is rolled back and raised."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_channel(request: Request) -> str:
    """The channel the caller says it acts through (``X-Parley-Channel``; default ``api``)."""
    return (request.headers.get("x-parley-channel", "").strip() or "api")[:32]


async def get_actor(request: Request) -> Actor:
    """The logged-in user acting, through the channel it names.

    Routes that use it also declare a permission, so the principal is already established.
    """
    from parley.api.security import current_principal_of  # which imports UnitOfWork from here

    return current_principal_of(request).actor(get_channel(request))


# scope="function": the commit happens before the response is sent, so a failed commit is
# an error answer, never a 201 for data that was not stored.
UnitOfWork = Depends(get_session, scope="function")


async def get_work(request: Request, session: Session = UnitOfWork) -> Work:
    """The request's unit of work: its session (committed as ``get_session`` says), the
    settings, and the caller as the actor of its writes, looked up when first needed (routes
    that write also declare a permission, so the caller is known by then)."""
    return Work(session, request.app.state.settings, actor_source=lambda: _caller(request))


def _caller(request: Request) -> Actor | None:
    principal = getattr(request.state, "principal", None)
    return principal.actor(get_channel(request)) if principal is not None else None


# An endpoint's one parameter for its unit of work: ``uow: RequestWork``.
RequestWork = Annotated[Work, Depends(get_work)]
