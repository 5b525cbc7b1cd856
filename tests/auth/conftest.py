"""Auth tests: a fixed signing key, a small lock-out threshold, and the built-in roles."""

import pytest
from pydantic import SecretStr

from parley.settings import Settings
from tests.auth.helpers import seed_roles

SECRET = "test-signing-key-0123456789abcdef-0123456789abcdef"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"jwt_secret": SecretStr(SECRET), "login_max_failures": 3, "login_lock_minutes": 15}
    )


@pytest.fixture(autouse=True)
def builtin_roles(engine, session):
    seed_roles(session)


@pytest.fixture
def client(anonymous_client):
    """Auth tests send exactly the credentials they mean to."""
    return anonymous_client
