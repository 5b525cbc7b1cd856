"""What the auth domain reads of the settings (``uow.options(AuthOptions)``)."""

from dataclasses import dataclass

from pydantic import SecretStr

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class AuthOptions(OptionsRecord):
    """Access tokens last ``access_token_minutes``, refresh tokens ``refresh_token_days``;
    an account locks after ``login_max_failures`` failed log-ins in a row, for
    ``login_lock_minutes``. ``jwt_secret`` signs access tokens (unset: the host's key file,
    ``auth/tokens.py``)."""

    access_token_minutes: int = setting("access_token_minutes")
    refresh_token_days: int = setting("refresh_token_days")
    login_max_failures: int = setting("login_max_failures")
    login_lock_minutes: int = setting("login_lock_minutes")
    jwt_secret: SecretStr | None = setting("jwt_secret")
