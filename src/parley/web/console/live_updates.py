"""``/console/live``: the console's live stream (Server-Sent Events, ``web/live.py``).

Every page of a signed-in agent opens it (``parley.js``): task changes refresh the work lists,
a call ringing for the agent pops up. A topic reaches only those whose roles may read it
(tasks: ``task:read``; calls: ``call:read``, and only the agents the call rings for).
"""

from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import CALL_READ, TASK_READ
from parley.auth.web_sessions import WebSessions
from parley.changes import UnitOfWork
from parley.web.access import SESSION_COOKIE, Visitor, session_limits
from parley.web.live import Reader, live_stream
from parley.web.site import Site

TOPICS = {"task": TASK_READ, "call": CALL_READ}


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/live")
    async def live(request: Request, visitor: Annotated[Visitor, site.page()]):
        settings = visitor.settings
        token = request.cookies.get(SESSION_COOKIE)
        held = {"permissions": visitor.principal.permissions}

        def check():
            """The session read again (not counted as activity); None once it has ended."""
            session = request.app.state.sessionmaker()
            try:
                uow = UnitOfWork(session, settings)
                sessions = WebSessions(uow, session_limits(settings), site.channel, site.kinds)
                signed_in = sessions.resume(token, touch=False)
                session.commit()
            finally:
                session.close()
            if signed_in is not None:
                held["permissions"] = signed_in.principal.permissions
            return signed_in

        reader = Reader(visitor.principal.user_id, lambda: held["permissions"], check, TOPICS)
        return live_stream(
            request, reader, settings.live_heartbeat_seconds, settings.live_queue_size
        )

    return pages
