import pytest


@pytest.fixture
def settings(settings):
    """Access tokens that outlast the hours these tests make pass with the clock."""
    return settings.model_copy(update={"access_token_minutes": 24 * 60})
