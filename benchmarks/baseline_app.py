"""The baseline of benchmarks/interactions.py: the same row inserted with nothing around it.

A FastAPI app that takes the TMF683 body Parley takes and only inserts the equivalent
party_interaction row with psycopg: no validation, authentication, audit, events or ORM. Served
the same way as Parley (uvicorn, the same number of worker processes), it gives the rate the
stack itself (HTTP, JSON, one INSERT and its commit) allows on this machine, which Parley's
rate is compared with.

    BASELINE_DSN=postgresql://postgres@127.0.0.1:5432/parley_bench_http \\
        .venv/bin/uvicorn baseline_app:app --app-dir benchmarks --workers 2 --port 8001

Each worker process keeps BASELINE_POOL_SIZE connections (default 16) in a queue of its own:
psycopg_pool is not a Parley dependency, and a single connection per process would make the
baseline wait on one commit at a time where Parley's SQLAlchemy pool does not
(BASELINE_POOL_SIZE=1 gives that variant).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

PATH = "/tmf-api/partyInteractionManagement/v5/partyInteraction"
# The customer's party comes from a subquery: still one statement and one round trip.
INSERT = """
INSERT INTO party_interaction (id, customer_id, party_id, direction, channel, reason_code,
    reason, status, started_at, ended_at, description, logged_by, document, created_at,
    updated_at, status_changed_at)
SELECT %(id)s, c.id, c.party_id, %(direction)s, %(channel)s, %(reason)s, %(reason)s,
    %(status)s, %(started)s::timestamptz, %(ended)s::timestamptz, %(description)s,
    'baseline', %(document)s::jsonb, now(), now(), now()
FROM customer c WHERE c.id = %(customer)s
"""


class Pool:
    """A fixed set of autocommit connections handed out one request at a time."""

    def __init__(self, dsn: str, size: int):
        self.dsn, self.size = dsn, size
        self.idle: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await psycopg.AsyncConnection.connect(self.dsn, autocommit=True))

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        conn = await self.idle.get()
        try:
            yield conn
        finally:
            self.idle.put_nowait(conn)


pool = Pool(os.environ["BASELINE_DSN"], int(os.environ.get("BASELINE_POOL_SIZE", "16")))


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await pool.open()
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan, openapi_url=None)


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@app.post(PATH)
async def log_interaction(request: Request) -> JSONResponse:
    raw = await request.body()
    body = json.loads(raw)
    channel = body["relatedChannel"][0]["channel"]
    dates = body.get("interactionDate") or {}
    interaction_id = str(uuid.uuid4())
    values = {
        "id": interaction_id,
        "customer": body["relatedParty"][0]["partyOrPartyRole"]["id"],
        "direction": body["direction"],
        "channel": channel.get("name") or channel.get("id"),
        "reason": body.get("reason"),
        "status": body.get("status") or "completed",
        "started": dates.get("startDateTime"),
        "ended": dates.get("endDateTime"),
        "description": body.get("description"),
        "document": raw.decode(),
    }
    async with pool.connection() as conn:
        await conn.execute(INSERT, values)
    return JSONResponse({"id": interaction_id}, status_code=201)
