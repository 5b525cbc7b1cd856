"""Refresh tokens rotate, a replayed one ends every session, and log-out revokes both tokens."""

from datetime import timedelta

from sqlalchemy import select

from parley.auth.models import RefreshToken, RevokedAccessToken
from parley.auth.service import AuthService
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from tests.auth.helpers import SYSTEM, bearer, login, make_user
from tests.auth.test_login import audit_actions, oauth_error
from tests.conftest import PARLEY_API

ME = f"{PARLEY_API}/me"


def refresh(client, token: str):
    return client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token})


def test_refreshing_gives_new_tokens_and_retires_the_old_refresh_token(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    first = login(client, "kim")

    second = refresh(client, first["refresh_token"])

    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["access_token"] != first["access_token"]
    assert client.get(ME, headers=bearer(renewed["access_token"])).status_code == 200
    assert refresh(client, renewed["refresh_token"]).status_code == 200


def test_a_reused_refresh_token_revokes_every_refresh_token_of_the_user(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    other_device = login(client, "kim")
    stolen = login(client, "kim")["refresh_token"]
    rotated = refresh(client, stolen).json()

    replay = refresh(client, stolen)

    assert "already used" in oauth_error(replay, 400, "invalid_grant")
    oauth_error(refresh(client, rotated["refresh_token"]), 400, "invalid_grant")
    oauth_error(refresh(client, other_device["refresh_token"]), 400, "invalid_grant")
    session.expire_all()
    assert "refresh_reused" in audit_actions(session, resource_id=user.id)


def test_an_unknown_or_expired_refresh_token_is_refused(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    tokens = login(client, "kim")
    stored = session.scalars(select(RefreshToken)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    oauth_error(refresh(client, "made-up"), 400, "invalid_grant")
    oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")


def test_a_disabled_user_cannot_refresh(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    tokens = login(client, "kim")
    UserService(UnitOfWork(session, settings, SYSTEM)).update_user(user.id, disabled=True)
    session.commit()

    oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")


def test_logout_revokes_the_access_token_and_the_refresh_token(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    tokens = login(client, "kim")
    headers = bearer(tokens["access_token"])
    assert client.get(ME, headers=headers).status_code == 200

    response = client.post(
        "/oauth/revoke", data={"token": tokens["refresh_token"]}, headers=headers
    )

    assert response.status_code == 200
    after = client.get(ME, headers=headers)
    assert after.status_code == 401 and "revoked" in after.json()["message"]
    oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")
    session.expire_all()
    assert audit_actions(session, resource_id=user.id)[-1] == "logout"


def test_revoking_an_access_token_given_in_the_form_logs_it_out(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    access = login(client, "kim")["access_token"]

    assert client.post("/oauth/revoke", data={"token": access}).status_code == 200

    assert client.get(ME, headers=bearer(access)).status_code == 401


def test_revoking_garbage_answers_200_and_nothing_answers_400(client):
    assert client.post("/oauth/revoke", data={"token": "no-such-token"}).status_code == 200
    oauth_error(client.post("/oauth/revoke"), 400, "invalid_request")


def test_a_new_password_ends_other_sessions(client, session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    tokens = login(client, "kim")

    UserService(UnitOfWork(session, settings, SYSTEM)).set_password(user.id, "a-brand-new-secret")
    session.commit()

    oauth_error(refresh(client, tokens["refresh_token"]), 400, "invalid_grant")
    login(client, "kim", "a-brand-new-secret")


def test_a_logged_out_refresh_token_is_refused_without_ending_other_sessions(
    client, session, settings
):
    make_user(session, settings, "agent", username="kim")
    phone = login(client, "kim")
    laptop = login(client, "kim")
    client.post("/oauth/revoke", data={"token": laptop["refresh_token"]})

    oauth_error(refresh(client, laptop["refresh_token"]), 400, "invalid_grant")

    assert refresh(client, phone["refresh_token"]).status_code == 200


def test_expired_revocations_and_refresh_tokens_can_be_purged(client, session, settings):
    make_user(session, settings, "agent", username="kim")
    tokens = login(client, "kim")
    client.post("/oauth/revoke", headers=bearer(tokens["access_token"]))
    session.expire_all()
    for row in [
        *session.scalars(select(RefreshToken)),
        *session.scalars(select(RevokedAccessToken)),
    ]:
        row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    assert AuthService(UnitOfWork(session, settings)).purge_expired_tokens() == 2
    session.commit()
    assert session.scalars(select(RevokedAccessToken)).all() == []
