import pytest
from pydantic import SecretStr

from tests.conftest import staff_headers
from tests.requests.handoffs.helpers import SECRETS


@pytest.fixture
def settings(settings):
    """The secrets Parley shares with the ordering and billing systems; tokens that outlast the
    hours the watch's tests move the clock by."""
    secrets = {k: SecretStr(v) for k, v in SECRETS.items()}
    return settings.model_copy(update={**secrets, "access_token_minutes": 24 * 60})


@pytest.fixture
def integration(session, settings) -> dict:
    """Headers of an integration client (the ordering or billing system with a token)."""
    return staff_headers(session, settings, "integration")
