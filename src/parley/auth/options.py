"""What the auth domain reads of the settings (``uow.options(AuthOptions)``)."""

from dataclasses import dataclass

from pydantic import SecretStr

from parley.settings import Settings


@dataclass(frozen=True)
class AuthOptions:
    """Access tokens last ``access_token_minutes``, refresh tokens ``refresh_token_days``;
    an account locks after ``login_max_failures`` failed log-ins in a row, for
    ``login_lock_minutes``. ``jwt_secret`` signs access tokens (unset: the host's key file,
    ``auth/tokens.py``)."""

    access_token_minutes: int
    refresh_token_days: int
    login_max_failures: int
    login_lock_minutes: int
    jwt_secret: SecretStr | None

    @classmethod
    def from_settings(cls, settings: Settings) -> "AuthOptions":
        return cls(
            access_token_minutes=settings.access_token_minutes,
            refresh_token_days=settings.refresh_token_days,
            login_max_failures=settings.login_max_failures,
            login_lock_minutes=settings.login_lock_minutes,
            jwt_secret=settings.jwt_secret,
        )
