"""A client's concurrent requests share one look-up of their token's principal."""

import asyncio
from types import SimpleNamespace

import pytest

from parley.api.security import _single_look_up
from parley.auth.principal_cache import PRINCIPALS
from parley.errors import Unauthorized


def request() -> SimpleNamespace:
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(principal_look_ups={})))


def test_concurrent_requests_with_one_token_wait_for_one_look_up():
    looked_up = []

    async def look_up(token: str):
        looked_up.append(token)
        await asyncio.sleep(0.01)
        return f"principal of {token}"

    async def main():
        shared = request()
        return await asyncio.gather(
            *(_single_look_up(shared, "token-a", look_up) for _ in range(5)),
            _single_look_up(shared, "token-b", look_up),
        )

    try:
        answers = asyncio.run(main())
    finally:
        PRINCIPALS.clear()

    assert answers == ["principal of token-a"] * 5 + ["principal of token-b"]
    assert sorted(looked_up) == ["token-a", "token-b"]


def test_a_refused_token_is_refused_to_every_waiter_and_looked_up_again_next_time():
    calls = []

    async def look_up(token: str):
        calls.append(token)
        await asyncio.sleep(0.01)
        raise Unauthorized("the access token was revoked (logged out); log in again")

    async def main():
        shared = request()
        first = await asyncio.gather(
            *(_single_look_up(shared, "t", look_up) for _ in range(3)), return_exceptions=True
        )
        with pytest.raises(Unauthorized):
            await _single_look_up(shared, "t", look_up)
        return first, shared.app.state.principal_look_ups

    first, in_flight = asyncio.run(main())

    assert all(isinstance(answer, Unauthorized) for answer in first)
    assert calls == ["t", "t"] and in_flight == {}
