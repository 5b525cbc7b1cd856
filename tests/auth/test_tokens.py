"""Access tokens: only HS256 with our key, issuer and audience, with every required claim, and
the signing key kept in a private file when none is configured."""

import stat
from datetime import timedelta

import jwt
import pytest
from pydantic import SecretStr

from parley.auth import tokens
from parley.auth.tokens import (
    AUDIENCE,
    ISSUER,
    decode_access_token,
    issue_access_token,
    refresh_token_hash,
)
from parley.db.base import utcnow
from parley.errors import Unauthorized
from parley.keyfile import read_or_make
from parley.settings import Settings
from tests.auth.conftest import SECRET


def claims(**overrides) -> dict:
    now = int(utcnow().timestamp())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "00000000-0000-4000-8000-000000000001",
        "jti": "abc123",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def refused(token: str, settings: Settings) -> str:
    with pytest.raises(Unauthorized) as caught:
        decode_access_token(token, settings)
    return caught.value.message


def issue(settings: Settings, **options):
    return issue_access_token(
        settings,
        user_id="u1",
        username="kim",
        kind="staff",
        roles=["agent"],
        permissions=["note:read", "customer:read"],
        **options,
    )


def test_an_issued_token_decodes_with_its_claims(settings):
    issued = issue(settings, customer_id="c1", client_id="console")

    decoded = decode_access_token(issued.token, settings)

    assert decoded["sub"] == "u1" and decoded["jti"] == issued.jti
    assert decoded["scope"] == issued.scope == "customer:read note:read"
    assert decoded["customer_id"] == "c1" and decoded["client_id"] == "console"
    assert jwt.get_unverified_header(issued.token)["alg"] == "HS256"


def test_an_expired_token_is_refused(settings):
    issued = issue(settings, now=utcnow() - timedelta(hours=1))

    assert "expired" in refused(issued.token, settings)


def test_a_token_signed_with_another_key_is_refused(settings):
    token = jwt.encode(claims(), "another-key-" + "x" * 40, algorithm="HS256")

    assert "signature" in refused(token, settings)


def test_an_unsigned_alg_none_token_is_refused(settings):
    token = jwt.encode(claims(), None, algorithm="none")

    assert "HS256" in refused(token, settings)


def test_other_algorithms_are_refused_even_with_the_right_key(settings):
    token = jwt.encode(claims(), SECRET, algorithm="HS384")

    assert "HS256" in refused(token, settings)


@pytest.mark.parametrize("missing", ["exp", "iat", "nbf", "sub", "jti", "iss", "aud"])
def test_a_token_without_a_required_claim_is_refused(settings, missing):
    token = jwt.encode(claims(**{missing: None}), SECRET, algorithm="HS256")

    assert missing in refused(token, settings)


@pytest.mark.parametrize(
    ("claim", "value", "says"),
    [("aud", "other-api", "parley-api"), ("iss", "someone", "issued"), ("sub", 42, "ubject")],
)
def test_a_token_for_someone_else_or_with_bad_claims_is_refused(settings, claim, value, says):
    token = jwt.encode(claims(**{claim: value}), SECRET, algorithm="HS256")

    assert says in refused(token, settings)


def test_a_token_not_valid_yet_and_garbage_are_refused(settings):
    later = int(utcnow().timestamp()) + 3600
    assert "not valid yet" in refused(
        jwt.encode(claims(nbf=later), SECRET, algorithm="HS256"), settings
    )
    assert "well-formed" in refused("not.a.jwt", settings)


def test_refresh_tokens_are_stored_as_their_sha256(settings):
    assert len(refresh_token_hash("x")) == 64
    assert refresh_token_hash("x") != refresh_token_hash("y")


def test_without_a_configured_key_one_is_made_once_in_a_private_file(
    settings, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    read_or_make.cache_clear()
    unset = settings.model_copy(update={"jwt_secret": None})
    try:
        first = issue(unset)
        key_file = tmp_path / tokens.SECRET_FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert len(key_file.read_text().strip()) >= 32
        read_or_make.cache_clear()  # another process on the same host
        assert decode_access_token(first.token, unset)["sub"] == "u1"
        assert list(tmp_path.iterdir()) == [key_file]
    finally:
        read_or_make.cache_clear()


def test_a_short_configured_key_is_refused():
    with pytest.raises(ValueError, match="32 characters"):
        Settings(jwt_secret=SecretStr("short"), _env_file=None)
