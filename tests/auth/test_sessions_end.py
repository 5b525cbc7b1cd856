"""Ending a user's sessions ends their access tokens at once, not when they run out: a
replayed refresh token (issue 18: "the access token of the rotated pair keeps working until
it expires"), the user disabled (and enabled again), a new password. A change of roles takes
the rights away from the tokens already out on their next request; a log-out ends only its
own session."""

import jwt

from parley.auth.tokens import VERSION_CLAIM
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from tests.auth.conftest import SECRET
from tests.auth.helpers import SYSTEM, bearer, login, make_user
from tests.auth.test_refresh_and_logout import ME, refresh
from tests.conftest import PARLEY_API

AUDIT = f"{PARLEY_API}/audit"


def ended(response) -> bool:
    body = response.json()
    return (
        response.status_code == 401
        and "sessions of this access token's user were ended" in (body["message"])
    )


def users(session, settings) -> UserService:
    return UserService(UnitOfWork(session, settings, SYSTEM))


def test_a_replayed_refresh_token_ends_every_access_token_of_the_user(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    laptop = login(client, "kim")
    stolen = login(client, "kim")
    rotated = refresh(client, stolen["refresh_token"]).json()
    for tokens in (laptop, stolen, rotated):  # warm the principal cache: it must not save them
        assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 200

    assert refresh(client, stolen["refresh_token"]).status_code == 400  # the replay

    for tokens in (laptop, stolen, rotated):
        assert ended(client.get(ME, headers=bearer(tokens["access_token"])))
    fresh = login(client, "kim")
    assert client.get(ME, headers=bearer(fresh["access_token"])).status_code == 200


def test_disabling_ends_the_access_tokens_and_enabling_does_not_bring_them_back(
    client, session, settings
):
    user = make_user(session, settings, "agent", username="kim").user
    access = bearer(login(client, "kim")["access_token"])
    assert client.get(ME, headers=access).status_code == 200

    users(session, settings).update_user(user.id, disabled=True)
    session.commit()
    assert client.get(ME, headers=access).status_code == 401
    users(session, settings).update_user(user.id, disabled=False)
    session.commit()

    assert ended(client.get(ME, headers=access))
    assert client.get(ME, headers=bearer(login(client, "kim")["access_token"])).status_code == 200


def test_a_new_password_ends_the_access_tokens_too(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    access = bearer(login(client, "kim")["access_token"])

    users(session, settings).set_password(user.id, "a-brand-new-secret")
    session.commit()

    assert ended(client.get(ME, headers=access))


def test_a_role_taken_away_is_refused_to_the_token_already_out_at_once(client, session, settings):
    make_user(session, settings, "administrator")  # someone must still manage users
    user = make_user(session, settings, "administrator", username="kim").user
    access = bearer(login(client, "kim")["access_token"])
    assert client.get(AUDIT, headers=access).status_code == 200  # cached for this process

    users(session, settings).update_user(user.id, roles=["agent"])
    session.commit()

    assert client.get(AUDIT, headers=access).status_code == 403
    assert client.get(ME, headers=access).json()["roles"] == ["agent"]  # the session goes on


def test_logging_out_ends_only_that_session(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    phone, laptop = login(client, "kim"), login(client, "kim")

    client.post("/oauth/revoke", headers=bearer(laptop["access_token"]))

    assert client.get(ME, headers=bearer(laptop["access_token"])).status_code == 401
    assert client.get(ME, headers=bearer(phone["access_token"])).status_code == 200


def test_tokens_carry_the_version_and_tokens_without_one_are_of_version_zero(
    client, session, settings
):
    user = make_user(session, settings, "agent", username="kim").user
    first = login(client, "kim")["access_token"]
    assert VERSION_CLAIM not in jwt.decode(first, SECRET, ["HS256"], audience="parley-api")

    users(session, settings).update_user(user.id, disabled=True)
    users(session, settings).update_user(user.id, disabled=False)
    session.commit()

    second = login(client, "kim")["access_token"]
    claims = jwt.decode(second, SECRET, ["HS256"], audience="parley-api")
    assert claims[VERSION_CLAIM] == 1
    assert ended(client.get(ME, headers=bearer(first)))
    assert client.get(ME, headers=bearer(second)).status_code == 200
