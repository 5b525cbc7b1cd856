"""What the auth domain reads of the settings (``uow.options(AuthOptions)``)."""

from dataclasses import dataclass

from pydantic import SecretStr

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class AuthOptions(OptionsRecord):
    """Access tokens last ``access_token_minutes``, refresh tokens ``refresh_token_days``;
    failed log-ins are held back by address and account (``auth/throttle.py``: after
    ``login_max_failures`` in a row from one address on one account that address waits, at
    most ``login_lock_minutes``; ``login_address_limit`` and ``login_username_limit`` are
    rates). ``jwt_secret`` signs access tokens (unset: the host's key file, ``auth/tokens.py``)."""

    access_token_minutes: int = setting("access_token_minutes")
    refresh_token_days: int = setting("refresh_token_days")
    login_max_failures: int = setting("login_max_failures")
    login_lock_minutes: int = setting("login_lock_minutes")
    login_address_limit: str = setting("login_address_limit")
    login_username_limit: str = setting("login_username_limit")
    jwt_secret: SecretStr | None = setting("jwt_secret")
    one_time_code_minutes: int = setting("one_time_code_minutes")
    one_time_code_max_failures: int = setting("one_time_code_max_failures")
    one_time_code_send_limit: str = setting("one_time_code_send_limit")
    one_time_code_check_limit: str = setting("one_time_code_check_limit")
    default_phone_region: str = setting("default_phone_region")
