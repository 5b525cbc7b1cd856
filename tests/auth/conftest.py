"""Auth tests: a fixed signing key and a small lock-out threshold (the built-in roles are
seeded once for the run, tests/database.py)."""

import pytest
from pydantic import SecretStr

from parley.settings import Settings

SECRET = "test-signing-key-0123456789abcdef-0123456789abcdef"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"jwt_secret": SecretStr(SECRET), "login_max_failures": 3, "login_lock_minutes": 15}
    )


@pytest.fixture
def client(anonymous_client):
    """Auth tests send exactly the credentials they mean to."""
    return anonymous_client
