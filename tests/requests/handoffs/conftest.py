import pytest
from pydantic import SecretStr

from tests.conftest import staff_headers
from tests.requests.handoffs.helpers import SECRETS


@pytest.fixture
def settings(settings):
    """The secrets Parley shares with the ordering and billing systems."""
    return settings.model_copy(update={k: SecretStr(v) for k, v in SECRETS.items()})


@pytest.fixture
def integration(session, settings) -> dict:
    """Headers of an integration client (the ordering or billing system with a token)."""
    return staff_headers(session, settings, "integration")
