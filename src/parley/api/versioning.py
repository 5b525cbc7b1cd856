"""Optimistic concurrency at the edge, for every versioned row (requests, tasks, approvals,
workflows): an answer about one carries its version as ``ETag``; a write may send the version
it read back in ``If-Match`` (the services refuse a stale one); and a write that lost the race
to a concurrent one while it was being made is a 412 as well, never a 500. Every 412 is the
domain's ``PreconditionFailed``, answered in the TMF error shape."""

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from parley.api.deps import commit_now
from parley.api.error_answers import answers
from parley.api.json_response import JSONResponse
from parley.errors import PreconditionFailed


def etag(row) -> str:
    """The ETag of a versioned row: its version."""
    return f'"{row.version}"'


_VERSION = re.compile(r"[0-9]{1,18}")


def expected_version(request: Request) -> int | None:
    """The version an If-Match names (None: none given, or ``*``); 412 for one that can't be
    ours."""
    given = (request.headers.get("if-match") or "").strip()
    if not given or given == "*":
        return None
    value = given.removeprefix("W/").strip('"')
    # ASCII digits that fit a version column ("²".isdigit() is True; int("²") fails).
    if not _VERSION.fullmatch(value):
        raise PreconditionFailed(f"If-Match: {given[:80]} is not an ETag of this resource")
    return int(value)


@answers(412)
async def _if_match(request: Request) -> int | None:
    return expected_version(request)


# An endpoint's one parameter for the version its caller read: ``version: IfMatch``.
IfMatch = Annotated[int | None, Depends(_if_match)]


def with_etag(body: dict, row, status: int = 200) -> JSONResponse:
    """One versioned resource answered: ``body``, with the row's version as its ETag."""
    return JSONResponse(body, status, headers={"ETag": etag(row)})


def flush_or_412(session: Session, changed: str) -> None:
    """Flush the write now: if a concurrent writer changed the row (``changed``: what it is
    called in the answer) since it was read, the answer is 412 and nothing is stored."""
    try:
        session.flush()
    except StaleDataError:
        raise PreconditionFailed(
            f"the {changed} was changed meanwhile; read it again and repeat"
        ) from None


def written(session: Session, changed: str, answer: Callable[[], JSONResponse]) -> JSONResponse:
    """The answer to a write of a versioned row: flushed (``flush_or_412``), ``answer`` made
    from what was written, and committed as the route's last step (``commit_now``)."""
    flush_or_412(session, changed)
    made = answer()
    commit_now(session)
    return made
