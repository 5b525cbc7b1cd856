"""One unit of work per page request, as the API has one per API request (``api/deps.py``,
which the web edge does not import: the two edges change independently).

A page's handler runs in the thread pool and works through services on the request's
session; the session is committed after the handler returns and before the page is sent (a
failed commit is an error page, never a page saying something was saved that was not), and
rolled back on any error.
"""

from collections.abc import AsyncIterator

from anyio import CancelScope
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session


async def _page_session(request: Request) -> AsyncIterator[Session]:
    # At most as many units of work as pooled connections, shared with the API: the rest wait
    # here holding neither a thread nor a connection (see api/deps.py).
    async with request.app.state.db_slots:
        session = request.app.state.sessionmaker()
        try:
            yield session
        except BaseException:
            with CancelScope(shield=True):  # a client gone away: still roll back and close
                await run_in_threadpool(_end, session, False)
            raise
        await run_in_threadpool(_end, session, True)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit and session.in_transaction():
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": committed before the response is sent.
PageSession = Depends(_page_session, scope="function")
